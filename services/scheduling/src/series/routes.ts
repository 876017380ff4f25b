import type { ApiRouter } from '@cadence/shared/http';
import { organizationOf } from '../organizations/authenticate.js';
import { pageSchema } from '@cadence/shared/http';
import { agendaLinkBody, createSeriesBody, listSeriesQuery, seriesParams, seriesSchema, updateSeriesBody } from './schemas.js';
import type { SeriesService } from './service.js';

/** `/v1/series`: the protected weekly one-on-ones. */
export function seriesRoutes(api: ApiRouter, service: SeriesService) {
  const tags = ['Series'];
  api
    .route(
      {
        method: 'post',
        path: '/v1/series',
        summary: 'Create a protected weekly one-on-one series',
        tags,
        request: { body: createSeriesBody },
        responses: { 201: { description: 'Created and written to the calendar', schema: seriesSchema } },
        errors: [409, 502],
      },
      ({ body }, req) => service.create(organizationOf(req), body),
    )
    .route(
      {
        method: 'get',
        path: '/v1/series',
        summary: 'List series',
        tags,
        request: { query: listSeriesQuery },
        responses: { 200: { description: 'A page of series', schema: pageSchema(seriesSchema) } },
      },
      ({ query }, req) => service.list(organizationOf(req), query),
    )
    .route(
      {
        method: 'get',
        path: '/v1/series/:id',
        summary: 'Get a series',
        tags,
        request: { params: seriesParams },
        responses: { 200: { description: 'The series', schema: seriesSchema } },
        errors: [404],
      },
      ({ params }, req) => service.get(organizationOf(req), params.id),
    )
    .route(
      {
        method: 'patch',
        path: '/v1/series/:id',
        summary: 'Change time, weekday, duration, location or policy; schedule changes apply from the next occurrence on',
        tags,
        request: { params: seriesParams, body: updateSeriesBody },
        responses: { 200: { description: 'The series', schema: seriesSchema } },
        errors: [404, 409],
      },
      ({ params, body }, req) => service.update(organizationOf(req), params.id, body),
    )
    .route(
      {
        method: 'put',
        path: '/v1/series/:id/agenda-link',
        summary: 'Set or clear the agenda link carried by the invite (the agenda service calls this)',
        tags,
        request: { params: seriesParams, body: agendaLinkBody },
        responses: { 200: { description: 'The series with its calendar event rewritten', schema: seriesSchema } },
        errors: [404, 409],
      },
      ({ params, body }, req) => service.setAgendaLink(organizationOf(req), params.id, body.url),
    )
    .route(
      {
        method: 'post',
        path: '/v1/series/:id/end',
        summary: 'End a series: no future occurrences, history kept',
        tags,
        request: { params: seriesParams },
        responses: { 200: { description: 'The ended series', schema: seriesSchema } },
        errors: [404, 409],
      },
      ({ params }, req) => service.end(organizationOf(req), params.id),
    );
}
