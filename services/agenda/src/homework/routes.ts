import type { ApiRouter } from '@cadence/shared/http';
import { callerOf } from '../auth/authenticate.js';
import { occurrenceParams } from '../agendas/schemas.js';
import type { AgendaContext } from '../context.js';
import { pageSchema } from '@cadence/shared/http';
import {
  assignHomeworkBody,
  createHomeworkBody,
  homeworkParams,
  homeworkSchema,
  listHomeworkQuery,
  occurrenceHomeworkSchema,
  updateHomeworkBody,
  type AssignHomeworkInput,
} from './schemas.js';
import { toHomeworkView, type HomeworkService } from './service.js';

const apiActor = { role: null, via: 'api' as const };

/** `/v1/homework` and `/v1/series/:seriesId/occurrences/:key/homework`. */
export function homeworkRoutes(api: ApiRouter, ctx: AgendaContext, service: HomeworkService) {
  const tags = ['Homework'];
  const assign = async (req: Parameters<typeof callerOf>[0], seriesId: string, key: string, input: AssignHomeworkInput) => {
    const caller = callerOf(req);
    const occurrence = await caller.scheduling.occurrence(seriesId, key);
    const doc = await service.assign(caller.organizationId, caller.scheduling, occurrence, input, apiActor);
    return toHomeworkView(doc, ctx.now());
  };
  api
    .route(
      {
        method: 'get',
        path: '/v1/series/:seriesId/occurrences/:key/homework',
        summary: 'Homework to review at an occurrence, and homework assigned in it',
        tags,
        request: { params: occurrenceParams },
        responses: { 200: { description: 'The occurrence’s homework', schema: occurrenceHomeworkSchema } },
        errors: [404],
      },
      async ({ params }, req) => {
        const caller = callerOf(req);
        await caller.scheduling.occurrence(params.seriesId, params.key);
        const { review, assigned } = await service.forOccurrence(caller.organizationId, params.seriesId, params.key);
        const now = ctx.now();
        return { review: review.map((h) => toHomeworkView(h, now)), assigned: assigned.map((h) => toHomeworkView(h, now)) };
      },
    )
    .route(
      {
        method: 'post',
        path: '/v1/series/:seriesId/occurrences/:key/homework',
        summary: 'Assign homework in a meeting (due by default one hour before the next one)',
        tags,
        request: { params: occurrenceParams, body: assignHomeworkBody },
        responses: { 201: { description: 'Assigned', schema: homeworkSchema } },
        errors: [404, 409],
      },
      ({ params, body }, req) => assign(req, params.seriesId, params.key, body),
    )
    .route(
      {
        method: 'post',
        path: '/v1/homework',
        summary: 'Assign homework at an occurrence',
        tags,
        request: { body: createHomeworkBody },
        responses: { 201: { description: 'Assigned', schema: homeworkSchema } },
        errors: [404, 409],
      },
      ({ body: { seriesId, occurrenceKey, ...input } }, req) => assign(req, seriesId, occurrenceKey, input),
    )
    .route(
      {
        method: 'get',
        path: '/v1/homework',
        summary: 'List homework',
        tags,
        request: { query: listHomeworkQuery },
        responses: { 200: { description: 'A page of homework', schema: pageSchema(homeworkSchema) } },
      },
      ({ query }, req) => service.list(callerOf(req).organizationId, query),
    )
    .route(
      {
        method: 'get',
        path: '/v1/homework/:id',
        summary: 'Get one homework item',
        tags,
        request: { params: homeworkParams },
        responses: { 200: { description: 'The homework', schema: homeworkSchema } },
        errors: [404],
      },
      async ({ params }, req) => toHomeworkView(await service.get(callerOf(req).organizationId, params.id), ctx.now()),
    )
    .route(
      {
        method: 'patch',
        path: '/v1/homework/:id',
        summary: 'Change homework: title, details, owner, due, or status (open, done, dropped)',
        tags,
        request: { params: homeworkParams, body: updateHomeworkBody },
        responses: { 200: { description: 'The homework', schema: homeworkSchema } },
        errors: [404, 409],
      },
      async ({ params, body }, req) => {
        const caller = callerOf(req);
        const doc = await service.update(caller.organizationId, params.id, body, {
          actor: apiActor,
          scheduling: caller.scheduling,
        });
        return toHomeworkView(doc, ctx.now());
      },
    );
}
