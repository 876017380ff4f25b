import type { ApiRouter } from '@cadence/shared/http';
import { callerOf } from '../auth/authenticate.js';
import { pageSchema } from '@cadence/shared/http';
import {
  listTemplatesQuery,
  seriesParams,
  seriesTemplateBody,
  seriesTemplateSchema,
  templateBody,
  templateParams,
  templateSchema,
  templateVersionParams,
} from './schemas.js';
import type { TemplateService } from './service.js';

/** `/v1/agenda-templates` and the template a series names. */
export function templateRoutes(api: ApiRouter, service: TemplateService) {
  const tags = ['Agenda templates'];
  api
    .route(
      {
        method: 'get',
        path: '/v1/agenda-templates',
        summary: 'List templates: the built-in standard first, then the organization’s own',
        tags,
        request: { query: listTemplatesQuery },
        responses: { 200: { description: 'A page of templates', schema: pageSchema(templateSchema) } },
      },
      ({ query }, req) => service.list(callerOf(req).organizationId, query),
    )
    .route(
      {
        method: 'post',
        path: '/v1/agenda-templates',
        summary: 'Create a template; its time boxes must add up to durationMinutes',
        tags,
        request: { body: templateBody },
        responses: { 201: { description: 'Created (version 1)', schema: templateSchema } },
      },
      ({ body }, req) => service.create(callerOf(req).organizationId, body),
    )
    .route(
      {
        method: 'get',
        path: '/v1/agenda-templates/:id',
        summary: 'Get a template (its current version)',
        tags,
        request: { params: templateParams },
        responses: { 200: { description: 'The template', schema: templateSchema } },
        errors: [404],
      },
      ({ params }, req) => service.get(callerOf(req).organizationId, params.id),
    )
    .route(
      {
        method: 'put',
        path: '/v1/agenda-templates/:id',
        summary: 'Change a template: a new version for agendas not made yet; made agendas keep theirs',
        tags,
        request: { params: templateParams, body: templateBody },
        responses: { 200: { description: 'The template at its new version', schema: templateSchema } },
        errors: [404, 409],
      },
      ({ params, body }, req) => service.update(callerOf(req).organizationId, params.id, body),
    )
    .route(
      {
        method: 'get',
        path: '/v1/agenda-templates/:id/versions/:version',
        summary: 'One version of a template as it was',
        tags,
        request: { params: templateVersionParams },
        responses: { 200: { description: 'The template version', schema: templateSchema } },
        errors: [404],
      },
      ({ params }, req) => service.version(callerOf(req).organizationId, params.id, params.version),
    )
    .route(
      {
        method: 'get',
        path: '/v1/series/:seriesId/agenda-template',
        summary: 'The template a series names (the standard one unless chosen)',
        tags,
        request: { params: seriesParams },
        responses: { 200: { description: 'The series’ template', schema: seriesTemplateSchema } },
        errors: [404],
      },
      async ({ params }, req) => {
        const caller = callerOf(req);
        await caller.scheduling.series(params.seriesId);
        return { seriesId: params.seriesId, template: await service.forSeries(caller.organizationId, params.seriesId) };
      },
    )
    .route(
      {
        method: 'put',
        path: '/v1/series/:seriesId/agenda-template',
        summary: 'Name the template of a series; applies to agendas not made yet',
        tags,
        request: { params: seriesParams, body: seriesTemplateBody },
        responses: { 200: { description: 'The series’ template', schema: seriesTemplateSchema } },
        errors: [404],
      },
      async ({ params, body }, req) => ({
        seriesId: params.seriesId,
        template: await service.choose(callerOf(req), params.seriesId, body.templateId),
      }),
    );
}
