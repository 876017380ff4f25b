import type { Router } from 'express';
import type { ApiRouter } from '@cadence/shared/http';
import { badRequest, notFound, z } from '@cadence/shared/http';
import { instantSchema } from '@cadence/shared/time';
import type { SchedulingContext } from '../../context.js';
import { occurrenceSchema, occurrenceParams } from '../../occurrences/schemas.js';
import { organizationOf } from '../../organizations/authenticate.js';
import { hashFeedToken } from '../../people/routes.js';
import { personIdSchema } from '../../people/schemas.js';
import { seriesParams } from '../../series/schemas.js';
import type { LocalCalendarActions } from './actions.js';
import { renderFeed, type FeedItem } from './feed.js';
import { toLocalEventState } from './store.js';

const cancelBody = z
  .strictObject({ reason: z.string().trim().max(500).optional(), cancelledBy: personIdSchema.optional() })
  .openapi('LocalCancel');
const moveBody = z
  .strictObject({ start: instantSchema, end: instantSchema.optional() })
  .refine((b) => !b.end || new Date(b.end) > new Date(b.start), { path: ['end'], message: 'must be after start' })
  .openapi('LocalMove');
const declineBody = z
  .strictObject({ personId: personIdSchema.optional().describe('Who declines; default the rep') })
  .openapi('LocalDecline');
const editBody = z
  .strictObject({
    location: z.string().trim().min(1).max(500).nullable().optional(),
    durationMinutes: z.number().int().min(15).max(180).optional(),
  })
  .refine((b) => b.location !== undefined || b.durationMinutes !== undefined, { message: 'give location or durationMinutes' })
  .openapi('LocalEdit');
const truncateBody = z
  .strictObject({ fromKey: occurrenceParams.shape.key.describe('The first occurrence to drop') })
  .openapi('LocalTruncate');
const eventIds = z.object({ events: z.array(z.string()).describe('Ids of the domain events written') });

/**
 * `/v1/local-calendar/...`: stands in for a person acting in a calendar app on the local calendar.
 * Everything goes through the same change pipeline as Google and Outlook changes.
 */
export function localCalendarRoutes(api: ApiRouter, ctx: SchedulingContext, actions: LocalCalendarActions) {
  const tags = ['Local calendar'];
  const occ = (path: string, summary: string) => ({
    method: 'post' as const,
    path: `/v1/local-calendar/series/:id/occurrences/:key/${path}`,
    summary,
    tags,
    responses: { 200: { description: 'The occurrence after the change', schema: occurrenceSchema } },
    errors: [404, 409],
  });
  api
    .route(
      { ...occ('cancel', 'Cancel one occurrence'), request: { params: occurrenceParams, body: cancelBody } },
      ({ params, body }, req) =>
        actions.cancel(organizationOf(req), params.id, params.key, { reason: body.reason, by: body.cancelledBy }),
    )
    .route(
      { ...occ('move', 'Move one occurrence'), request: { params: occurrenceParams, body: moveBody } },
      ({ params, body }, req) =>
        actions.move(organizationOf(req), params.id, params.key, {
          start: new Date(body.start),
          end: body.end ? new Date(body.end) : undefined,
        }),
    )
    .route(
      { ...occ('decline', 'Decline one occurrence as an attendee'), request: { params: occurrenceParams, body: declineBody } },
      async ({ params, body }, req) => {
        const org = organizationOf(req);
        const series = await ctx.models.Series.findOne({ _id: params.id, organizationId: org }).lean();
        if (!series) throw notFound(`No series ${params.id}.`);
        const personId = body.personId ?? series.repId;
        if (personId !== series.repId && personId !== series.managerId) {
          throw badRequest('Invalid body: personId.', [
            { location: 'body', field: 'personId', message: 'is not an attendee of this series' },
          ]);
        }
        const person = await ctx.models.People.findOne({ _id: personId, organizationId: org }).lean();
        return actions.decline(org, params.id, params.key, person!.email);
      },
    )
    .route(
      { ...occ('edit', 'Edit one occurrence (location, duration)'), request: { params: occurrenceParams, body: editBody } },
      ({ params, body }, req) => actions.edit(organizationOf(req), params.id, params.key, body),
    )
    .route(
      {
        method: 'post',
        path: '/v1/local-calendar/series/:id/delete',
        summary: 'Delete the whole recurring event',
        tags,
        request: { params: seriesParams },
        responses: { 200: { description: 'Events written', schema: eventIds } },
        errors: [404, 409],
      },
      async ({ params }, req) => ({ events: await actions.deleteSeries(organizationOf(req), params.id) }),
    )
    .route(
      {
        method: 'post',
        path: '/v1/local-calendar/series/:id/truncate',
        summary: 'Delete this and following occurrences',
        tags,
        request: { params: seriesParams, body: truncateBody },
        responses: { 200: { description: 'Events written', schema: eventIds } },
        errors: [404, 409],
      },
      async ({ params, body }, req) => ({ events: await actions.truncate(organizationOf(req), params.id, body.fromKey) }),
    );
}

/** `GET /feeds/<token>.ics`: a person's private iCalendar feed; the token is the only credential. */
export function feedRoute(router: Router, ctx: SchedulingContext) {
  const { People, Series, LocalEvents } = ctx.models;
  router.get('/feeds/:file', async (req, res, next) => {
    try {
      const token = /^([A-Za-z0-9_-]{43})\.ics$/.exec(req.params.file)?.[1];
      const owner = token ? await People.findOne({ feedTokenHash: hashFeedToken(token) }).lean() : null;
      if (!owner) throw notFound('No such feed.');
      const series = await Series.find({
        organizationId: owner.organizationId,
        'calendar.provider': 'local',
        $or: [{ managerId: owner._id }, { repId: owner._id }],
      }).lean();
      const ids = [...new Set(series.flatMap((s) => [s.managerId, s.repId]))];
      const [people, events] = await Promise.all([
        People.find({ organizationId: owner.organizationId, _id: { $in: ids } }).lean(),
        LocalEvents.find({ organizationId: owner.organizationId, seriesId: { $in: series.map((s) => s._id) } }).lean(),
      ]);
      const person = new Map(people.map((p) => [p._id, p]));
      const event = new Map(events.map((e) => [e.seriesId, e]));
      const items: FeedItem[] = series
        .filter((s) => event.has(s._id))
        .map((s) => ({
          series: s,
          manager: person.get(s.managerId)!,
          rep: person.get(s.repId)!,
          event: toLocalEventState(event.get(s._id)!),
        }));
      res.type('text/calendar; charset=utf-8').setHeader('Cache-Control', 'private, max-age=300');
      res.send(renderFeed(owner, items));
    } catch (err) {
      next(err);
    }
  });
}
