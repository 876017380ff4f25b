import type { ApiRouter } from '@cadence/shared/http';
import { z } from '@cadence/shared/http';
import type { ChangePipeline } from '../changes/pipeline.js';
import { organizationOf } from '../organizations/authenticate.js';
import { seriesParams } from '../series/schemas.js';
import { occurrencesByPairPageSchema, occurrencesForReportPageSchema } from '@cadence/shared/contracts/scheduling';
import { occurrencesByPairQuery } from './by-pair.js';
import { excuseOccurrenceBody, listOccurrencesQuery, occurrenceParams, occurrenceSchema } from './schemas.js';
import type { OccurrenceService } from './service.js';

/** `/v1/series/:id/occurrences`: each meeting's state and history. */
export function occurrenceRoutes(api: ApiRouter, service: OccurrenceService, pipeline: ChangePipeline) {
  const tags = ['Occurrences'];
  api
    .route(
      {
        method: 'get',
        path: '/v1/occurrences',
        summary: 'Occurrences of many series in a range, grouped by manager and rep, a page of series at a time (for reports)',
        tags,
        request: { query: occurrencesByPairQuery },
        responses: {
          200: {
            description:
              'A page of series with their occurrences (as a report reads them with `fields=report`). The next page is read and answered as this one is: asked within 5 s, it is as of then',
            schema: z.union([occurrencesByPairPageSchema, occurrencesForReportPageSchema]),
          },
        },
      },
      ({ query }, req) => service.byPair(organizationOf(req), query, pipeline.cadenceRules),
    )
    .route(
      {
        method: 'get',
        path: '/v1/series/:id/occurrences',
        summary: 'Occurrences in a range (at most two years)',
        tags,
        request: { params: seriesParams, query: listOccurrencesQuery },
        responses: { 200: { description: 'Occurrences in order', schema: z.object({ items: z.array(occurrenceSchema) }) } },
        errors: [404],
      },
      async ({ params, query }, req) => ({ items: await service.list(organizationOf(req), params.id, query) }),
    )
    .route(
      {
        method: 'get',
        path: '/v1/series/:id/occurrences/:key',
        summary: 'One occurrence by key (original start in UTC, YYYYMMDDTHHMMSSZ)',
        tags,
        request: { params: occurrenceParams },
        responses: { 200: { description: 'The occurrence', schema: occurrenceSchema } },
        errors: [404],
      },
      ({ params }, req) => service.get(organizationOf(req), params.id, params.key),
    )
    .route(
      {
        method: 'post',
        path: '/v1/series/:id/occurrences/:key/excuse',
        summary: 'Excuse a cancelled occurrence afterwards (re-classifies it and writes occurrence.excused)',
        tags,
        request: { params: occurrenceParams, body: excuseOccurrenceBody },
        responses: { 200: { description: 'The occurrence', schema: occurrenceSchema } },
        errors: [404, 409],
      },
      ({ params, body }, req) => pipeline.excuseOccurrence(organizationOf(req), params.id, params.key, body),
    );
}
