import type { Request } from 'express';
import type { ApiRouter } from '@cadence/shared/http';
import { callerOf, requireInternalToken } from '../auth/authenticate.js';
import type { AgendaContext } from '../context.js';
import { internalLinkBody, internalLinkSchema, issuedLinkSchema, linkParams, linkStatusSchema } from './schemas.js';
import type { LinkService } from './service.js';

/** `/v1/series/:seriesId/agenda-link` (API keys) and `/internal/v1/agenda-links` (the scheduling service). */
export function linkRoutes(
  api: ApiRouter,
  ctx: AgendaContext,
  service: LinkService,
  publicUrl: (req: Request) => string,
  internalToken: string | undefined,
) {
  const tags = ['Agenda links'];
  api
    .route(
      {
        method: 'get',
        path: '/v1/series/:seriesId/agenda-link',
        summary: 'Whether the series has an active agenda link, and the URL the invite carries',
        tags,
        request: { params: linkParams },
        responses: { 200: { description: 'The link’s status', schema: linkStatusSchema } },
        errors: [404],
      },
      ({ params }, req) => service.status(callerOf(req), params.seriesId),
    )
    .route(
      {
        method: 'post',
        path: '/v1/series/:seriesId/agenda-link',
        summary: 'Issue or reissue the series’ agenda link; the previous one stops working and the invite is updated',
        tags,
        request: { params: linkParams },
        responses: { 201: { description: 'The new link (shown only now)', schema: issuedLinkSchema } },
        errors: [404, 409, 502],
      },
      ({ params }, req) => service.issue(callerOf(req), params.seriesId, publicUrl(req)),
    )
    .route(
      {
        method: 'delete',
        path: '/v1/series/:seriesId/agenda-link',
        summary: 'Revoke the series’ agenda link and remove it from the invite',
        tags,
        request: { params: linkParams },
        responses: { 204: { description: 'Revoked' } },
        errors: [404, 502],
      },
      async ({ params }, req, res) => {
        await service.revoke(callerOf(req), params.seriesId);
        res.status(204).end();
      },
    )
    .route(
      {
        method: 'post',
        path: '/internal/v1/agenda-links',
        summary: 'Service to service: the series’ active link, or a new one (the caller stores it on the series)',
        tags: ['Internal'],
        auth: false,
        before: [requireInternalToken(internalToken)],
        request: { body: internalLinkBody },
        responses: {
          200: { description: 'The link (existing or new)', schema: internalLinkSchema },
          201: { description: 'A new link was issued', schema: internalLinkSchema },
        },
        errors: [401],
      },
      async ({ body }, req, res) => {
        const scheduling = ctx.scheduling.internal(body.organizationId);
        const link = await service.ensure(body.organizationId, body.seriesId, publicUrl(req), scheduling);
        res.status(link.issued ? 201 : 200).json(link);
      },
    );
}
