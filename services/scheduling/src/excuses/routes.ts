import type { ApiRouter } from '@cadence/shared/http';
import { badRequest, notFound } from '@cadence/shared/http';
import type { SchedulingContext } from '../context.js';
import { newId } from '@cadence/shared/ids';
import { organizationOf } from '../organizations/authenticate.js';
import { decodeCursor, pageOf, pageSchema } from '@cadence/shared/http';
import { toExcuseView } from './excuses.js';
import { createExcuseBody, excuseParams, excuseSchema, listExcusesQuery } from './schemas.js';

/** `/v1/excuses`: absences and organization-wide days off; a cancellation inside one is excused. */
export function excuseRoutes(api: ApiRouter, ctx: SchedulingContext) {
  const { Excuses, People } = ctx.models;
  const tags = ['Excuses'];
  api
    .route(
      {
        method: 'post',
        path: '/v1/excuses',
        summary: 'Register an absence or a day off',
        tags,
        request: { body: createExcuseBody },
        responses: { 201: { description: 'Created', schema: excuseSchema } },
      },
      async ({ body }, req) => {
        const org = organizationOf(req);
        if (body.scope === 'person' && !(await People.exists({ _id: body.personId, organizationId: org }))) {
          throw badRequest('Invalid body: personId.', [
            { location: 'body', field: 'personId', message: 'no such person in this organization' },
          ]);
        }
        const doc = await Excuses.create({
          _id: newId('exc'),
          organizationId: org,
          scope: body.scope,
          personId: body.scope === 'person' ? body.personId : null,
          kind: body.kind,
          reason: body.reason ?? null,
          fromDate: body.fromDate ?? null,
          toDate: body.toDate ?? null,
          from: body.from ? new Date(body.from) : null,
          to: body.to ? new Date(body.to) : null,
          createdAt: ctx.now(),
        });
        return toExcuseView(doc.toObject());
      },
    )
    .route(
      {
        method: 'get',
        path: '/v1/excuses',
        summary: 'List excuses',
        tags,
        request: { query: listExcusesQuery },
        responses: { 200: { description: 'A page of excuses', schema: pageSchema(excuseSchema) } },
      },
      async ({ query }, req) => {
        const after = decodeCursor(query.cursor);
        const rows = await Excuses.find({
          organizationId: organizationOf(req),
          ...(query.personId ? { personId: query.personId } : {}),
          ...(after ? { _id: { $gt: after } } : {}),
        })
          .sort({ _id: 1 })
          .limit(query.limit + 1)
          .lean();
        return pageOf(rows.map(toExcuseView), query.limit);
      },
    )
    .route(
      {
        method: 'get',
        path: '/v1/excuses/:id',
        summary: 'Get an excuse',
        tags,
        request: { params: excuseParams },
        responses: { 200: { description: 'The excuse', schema: excuseSchema } },
        errors: [404],
      },
      async ({ params }, req) => {
        const doc = await Excuses.findOne({ _id: params.id, organizationId: organizationOf(req) }).lean();
        if (!doc) throw notFound(`No excuse ${params.id}.`);
        return toExcuseView(doc);
      },
    )
    .route(
      {
        method: 'delete',
        path: '/v1/excuses/:id',
        summary: 'Delete an excuse (past classifications stay as they were)',
        tags,
        request: { params: excuseParams },
        responses: { 204: { description: 'Deleted' } },
        errors: [404],
      },
      async ({ params }, req, res) => {
        const { deletedCount } = await Excuses.deleteOne({ _id: params.id, organizationId: organizationOf(req) });
        if (!deletedCount) throw notFound(`No excuse ${params.id}.`);
        res.status(204).end();
      },
    );
}
