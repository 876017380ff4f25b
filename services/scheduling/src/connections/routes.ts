import type { ApiRouter } from '@cadence/shared/http';
import { HttpProblem, notFound, z } from '@cadence/shared/http';
import type { SchedulingContext } from '../context.js';
import { organizationOf } from '../organizations/authenticate.js';
import {
  callbackQuery,
  connectionParams,
  connectionSchema,
  listConnectionsQuery,
  providerParams,
  startBody,
  startSchema,
} from './schemas.js';
import { toConnectionView, type ConnectionService } from './service.js';

/** `/v1/connections`: connecting a person's Google or Outlook calendar. */
export function connectionRoutes(api: ApiRouter, ctx: SchedulingContext, service: ConnectionService) {
  const tags = ['Connections'];
  api
    .route(
      {
        method: 'post',
        path: '/v1/connections/:provider/start',
        summary: 'Start connecting a person’s calendar: returns the consent URL (offline access, calendar events scope)',
        tags,
        request: { params: providerParams, body: startBody },
        responses: { 201: { description: 'Send the person to `url`', schema: startSchema } },
      },
      ({ params, body }, req) => service.start(organizationOf(req), params.provider, body.personId),
    )
    .route(
      {
        method: 'get',
        path: '/v1/connections',
        summary: 'List connections',
        tags,
        request: { query: listConnectionsQuery },
        responses: { 200: { description: 'Connections', schema: z.object({ items: z.array(connectionSchema) }) } },
      },
      async ({ query }, req) => {
        const rows = await ctx.models.Connections.find({
          organizationId: organizationOf(req),
          ...(query.personId ? { personId: query.personId } : {}),
        })
          .sort({ _id: 1 })
          .lean();
        return { items: rows.map(toConnectionView) };
      },
    )
    .route(
      {
        method: 'get',
        path: '/v1/connections/:id',
        summary: 'Get a connection',
        tags,
        request: { params: connectionParams },
        responses: { 200: { description: 'The connection', schema: connectionSchema } },
        errors: [404],
      },
      async ({ params }, req) => {
        const found = await ctx.models.Connections.findOne({ _id: params.id, organizationId: organizationOf(req) }).lean();
        if (!found) throw notFound(`No connection ${params.id}.`);
        return toConnectionView(found);
      },
    )
    .route(
      {
        method: 'delete',
        path: '/v1/connections/:id',
        summary: 'Disconnect: stop watching the calendar',
        tags,
        request: { params: connectionParams },
        responses: { 200: { description: 'The disconnected connection', schema: connectionSchema } },
        errors: [404],
      },
      async ({ params }, req) => toConnectionView(await service.disconnect(organizationOf(req), params.id)),
    );
}

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title><body style="font-family:system-ui;max-width:32rem;margin:3rem auto"><h1>${title}</h1><p>${body}</p></body></html>`;

/** The browser's return from the consent page (no API key: the single-use state is the credential). */
export function connectionCallback(api: ApiRouter, service: ConnectionService) {
  api.route(
    {
      method: 'get',
      path: '/v1/connections/:provider/callback',
      summary: 'Where the provider sends the browser back after consent (the single-use state is the credential)',
      tags: ['Connections'],
      auth: false,
      request: { params: providerParams, query: callbackQuery },
      responses: { 200: { description: 'A page saying the calendar is connected', contentType: 'text/html' } },
      errors: [502],
    },
    async ({ params, query }, _req, res) => {
      try {
        await service.complete(params.provider, query);
        res
          .type('html')
          .send(page('Calendar connected', 'Cadence now keeps your one-on-ones on this calendar. You can close this page.'));
      } catch (err) {
        if (!(err instanceof HttpProblem) || err.status >= 500) throw err;
        res
          .status(err.status)
          .type('html')
          .send(page(err.title, err.detail ?? ''));
      }
    },
  );
}
