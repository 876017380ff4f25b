import { createHash } from 'node:crypto';
import type { Request } from 'express';
import type { ApiRouter } from '@cadence/shared/http';
import type { SchedulingContext } from '../context.js';
import { newToken } from '@cadence/shared/ids';
import { organizationOf } from '../organizations/authenticate.js';
import { decodeCursor, pageOf, pageSchema } from '@cadence/shared/http';
import { createPerson, getPerson, toPersonView } from './people.js';
import { createPersonBody, feedSchema, listPeopleQuery, personParams, personSchema, updatePersonBody } from './schemas.js';

export const hashFeedToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** `/v1/people`: managers and reps, and each person's private calendar feed link. */
export function peopleRoutes(api: ApiRouter, ctx: SchedulingContext, publicUrl: (req: Request) => string) {
  const { People } = ctx.models;
  const tags = ['People'];
  api
    .route(
      {
        method: 'post',
        path: '/v1/people',
        summary: 'Add a manager or rep',
        tags,
        request: { body: createPersonBody },
        responses: { 201: { description: 'Created', schema: personSchema } },
        errors: [409],
      },
      async ({ body }, req) => toPersonView(await createPerson(People, organizationOf(req), body)),
    )
    .route(
      {
        method: 'get',
        path: '/v1/people',
        summary: 'List people',
        tags,
        request: { query: listPeopleQuery },
        responses: { 200: { description: 'A page of people', schema: pageSchema(personSchema) } },
      },
      async ({ query }, req) => {
        const after = decodeCursor(query.cursor);
        const rows = await People.find({
          organizationId: organizationOf(req),
          ...(query.role ? { roles: query.role } : {}),
          ...(after ? { _id: { $gt: after } } : {}),
        })
          .sort({ _id: 1 })
          .limit(query.limit + 1)
          .lean();
        return pageOf(rows.map(toPersonView), query.limit);
      },
    )
    .route(
      {
        method: 'get',
        path: '/v1/people/:id',
        summary: 'Get a person',
        tags,
        request: { params: personParams },
        responses: { 200: { description: 'The person', schema: personSchema } },
        errors: [404],
      },
      async ({ params }, req) => toPersonView(await getPerson(People, organizationOf(req), params.id)),
    )
    .route(
      {
        method: 'patch',
        path: '/v1/people/:id',
        summary: 'Change a person',
        tags,
        request: { params: personParams, body: updatePersonBody },
        responses: { 200: { description: 'The person', schema: personSchema } },
        errors: [404],
      },
      async ({ params, body }, req) => {
        const org = organizationOf(req);
        await getPerson(People, org, params.id);
        await People.updateOne({ _id: params.id, organizationId: org }, { $set: { ...body, updatedAt: ctx.now() } });
        return toPersonView(await getPerson(People, org, params.id));
      },
    )
    .route(
      {
        method: 'post',
        path: '/v1/people/:id/feed',
        summary: 'Issue (or reissue) the private iCalendar feed link; the previous link stops working',
        tags,
        request: { params: personParams },
        responses: { 201: { description: 'The new feed link, shown only now', schema: feedSchema } },
        errors: [404],
      },
      async ({ params }, req) => {
        const org = organizationOf(req);
        await getPerson(People, org, params.id);
        const token = newToken();
        await People.updateOne(
          { _id: params.id, organizationId: org },
          { $set: { feedTokenHash: hashFeedToken(token), updatedAt: ctx.now() } },
        );
        return { personId: params.id, url: `${publicUrl(req)}/feeds/${token}.ics` };
      },
    )
    .route(
      {
        method: 'delete',
        path: '/v1/people/:id/feed',
        summary: 'Revoke the feed link',
        tags,
        request: { params: personParams },
        responses: { 204: { description: 'Revoked' } },
        errors: [404],
      },
      async ({ params }, req, res) => {
        const org = organizationOf(req);
        await getPerson(People, org, params.id);
        await People.updateOne({ _id: params.id, organizationId: org }, { $set: { feedTokenHash: null, updatedAt: ctx.now() } });
        res.status(204).end();
      },
    );
}
