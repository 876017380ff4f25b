import { commitVersion } from '@cadence/shared/db';
import { badRequest, conflict, HttpProblem, notFound } from '@cadence/shared/http';
import { contextLogger } from '@cadence/shared/logging';
import type { Weekday } from '@cadence/shared/time';
import type { CalendarProviders } from '../calendars/provider.js';
import { seriesEventData } from '../changes/event-data.js';
import { pendingEvents, type NewEvent } from '../changes/events.js';
import type { SchedulingContext } from '../context.js';
import { newId } from '@cadence/shared/ids';
import { relayPending } from '../outbox/relay.js';
import type { PersonDoc } from '../people/models.js';
import { decodeCursor, pageOf } from '@cadence/shared/http';
import type { SeriesDoc } from './models.js';
import { weeklyRrule } from './rrule.js';
import { endDateForCount } from './schedule.js';
import type { CreateSeriesInput, SeriesView, UpdateSeriesInput } from './schemas.js';

const ref = (p: PersonDoc) => ({ id: p._id, name: p.name, email: p.email });

export function toSeriesView(series: SeriesDoc, manager: PersonDoc, rep: PersonDoc): SeriesView {
  const current = series.segments[series.segments.length - 1]!;
  return {
    id: series._id,
    manager: ref(manager),
    rep: ref(rep),
    weekday: current.weekday as Weekday,
    startTime: current.startTime,
    timeZone: series.timeZone,
    durationMinutes: current.durationMinutes,
    location: current.location ?? null,
    startDate: series.startDate,
    endDate: series.endDate ?? null,
    count: series.count ?? null,
    policy: series.policy as SeriesView['policy'],
    calendar: {
      provider: series.calendar.provider as SeriesView['calendar']['provider'],
      eventId: series.calendar.eventId ?? null,
    },
    status: series.status as SeriesView['status'],
    endedAt: series.endedAt ? series.endedAt.toISOString() : null,
    endReason: series.endReason ?? null,
    rrule: weeklyRrule({
      weekday: current.weekday as Weekday,
      timeZone: series.timeZone,
      endDate: series.endDate,
      count: series.count,
      until: series.endedAt,
    }),
    agendaUrl: series.agendaUrl ?? null,
    history: series.segments.map((s) => ({
      effectiveFrom: s.effectiveFrom.toISOString(),
      weekday: s.weekday as Weekday,
      startTime: s.startTime,
      durationMinutes: s.durationMinutes,
      location: s.location ?? null,
    })),
    createdAt: series.createdAt.toISOString(),
    updatedAt: series.updatedAt.toISOString(),
  };
}

/** Creating, changing and ending series; the calendar provider writes each change to the calendar. */
export class SeriesService {
  constructor(
    private readonly ctx: SchedulingContext,
    private readonly providers: CalendarProviders,
    /** Issues the series' agenda link (the agenda service); absent when not configured. */
    private readonly agendaLinks?: { issue(organizationId: string, seriesId: string): Promise<string> },
  ) {}

  /** The agenda link for a new series, so the first invite carries it; a failure leaves it for later. */
  private async agendaLinkFor(organizationId: string, id: string): Promise<string | null> {
    if (!this.agendaLinks) return null;
    try {
      const url = await this.agendaLinks.issue(organizationId, id);
      await this.ctx.models.Series.updateOne({ _id: id }, { $set: { agendaUrl: url } });
      return url;
    } catch (err) {
      contextLogger(this.ctx.logger).warn({ err, seriesId: id }, 'no agenda link for the new series yet');
      return null;
    }
  }

  private async people(organizationId: string, ids: string[]): Promise<Map<string, PersonDoc>> {
    const found = await this.ctx.models.People.find({ organizationId, _id: { $in: [...new Set(ids)] } }).lean();
    return new Map(found.map((p) => [p._id, p]));
  }

  private async withPeople(series: SeriesDoc): Promise<SeriesView> {
    const people = await this.people(series.organizationId, [series.managerId, series.repId]);
    return toSeriesView(series, people.get(series.managerId)!, people.get(series.repId)!);
  }

  async get(organizationId: string, id: string): Promise<SeriesView> {
    const series = await this.ctx.models.Series.findOne({ _id: id, organizationId }).lean();
    if (!series) throw notFound(`No series ${id}.`);
    return this.withPeople(series);
  }

  async list(
    organizationId: string,
    q: {
      managerId?: string | undefined;
      repId?: string | undefined;
      status?: string | undefined;
      limit: number;
      cursor?: string | undefined;
    },
  ) {
    const after = decodeCursor(q.cursor);
    const rows = await this.ctx.models.Series.find({
      organizationId,
      ...(q.managerId ? { managerId: q.managerId } : {}),
      ...(q.repId ? { repId: q.repId } : {}),
      ...(q.status ? { status: q.status } : {}),
      ...(after ? { _id: { $gt: after } } : {}),
    })
      .sort({ _id: 1 })
      .limit(q.limit + 1)
      .lean();
    const people = await this.people(
      organizationId,
      rows.flatMap((s) => [s.managerId, s.repId]),
    );
    return pageOf(
      rows.map((s) => toSeriesView(s, people.get(s.managerId)!, people.get(s.repId)!)),
      q.limit,
    );
  }

  async create(organizationId: string, input: CreateSeriesInput): Promise<SeriesView> {
    const { Series, Outbox } = this.ctx.models;
    const people = await this.people(organizationId, [input.managerId, input.repId]);
    const manager = people.get(input.managerId);
    const rep = people.get(input.repId);
    const errors = [
      ...(!manager ? [{ location: 'body' as const, field: 'managerId', message: 'no such person in this organization' }] : []),
      ...(manager && !manager.roles.includes('manager')
        ? [{ location: 'body' as const, field: 'managerId', message: 'this person does not have the manager role' }]
        : []),
      ...(!rep ? [{ location: 'body' as const, field: 'repId', message: 'no such person in this organization' }] : []),
      ...(rep && !rep.roles.includes('rep')
        ? [{ location: 'body' as const, field: 'repId', message: 'this person does not have the rep role' }]
        : []),
      ...(!this.providers.has(input.calendar)
        ? [{ location: 'body' as const, field: 'calendar', message: `the ${input.calendar} calendar is not configured` }]
        : []),
    ];
    if (errors.length) throw badRequest(`Invalid body: ${errors.map((e) => e.field).join(', ')}.`, errors);
    await this.providers.get(input.calendar).precheck?.({ manager: manager!, rep: rep! });

    const now = this.ctx.now();
    const id = newId('ser');
    const series: SeriesDoc = {
      _id: id,
      organizationId,
      managerId: input.managerId,
      repId: input.repId,
      timeZone: input.timeZone,
      startDate: input.startDate,
      endDate: input.endDate ?? (input.count ? endDateForCount({ ...input }, input.count) : null),
      count: input.count ?? null,
      segments: [
        {
          effectiveFrom: now,
          weekday: input.weekday,
          startTime: input.startTime,
          durationMinutes: input.durationMinutes,
          location: input.location ?? null,
        },
      ],
      policy: input.policy,
      calendar: { provider: input.calendar, eventId: null, calendarId: null, connectionId: null },
      status: 'active',
      endedAt: null,
      endReason: null,
      activePair: `${input.managerId}:${input.repId}`,
      agendaUrl: null,
      templateId: null,
      createdAt: now,
      updatedAt: now,
      version: 1,
      pendingEvents: [],
      hasPendingEvents: true,
    } as unknown as SeriesDoc;
    const event: NewEvent = { type: 'series.created', data: seriesEventData({ series, manager: manager!, rep: rep! }, {}, now) };
    const pending = await pendingEvents(
      this.ctx.models,
      { id, version: 1, organizationId, seriesId: id, occurrenceKey: null },
      [event],
      now,
    );
    try {
      await Series.create({ ...series, pendingEvents: pending });
    } catch (err) {
      if ((err as { code?: number }).code === 11000) {
        throw conflict('This manager and rep already have an active series; end it first.', [
          { location: 'body', field: 'repId', message: 'already has an active series with this manager' },
        ]);
      }
      throw err;
    }
    await relayPending(Outbox, Series, { _id: id, version: 1, pendingEvents: pending });

    series.agendaUrl = await this.agendaLinkFor(organizationId, id);
    try {
      const calendar = await this.providers.get(input.calendar).createSeries({ series, manager: manager!, rep: rep! });
      await Series.updateOne({ _id: id }, { $set: { calendar } });
      series.calendar = calendar as SeriesDoc['calendar'];
    } catch (err) {
      contextLogger(this.ctx.logger).error({ err, seriesId: id }, 'calendar provider could not create the series');
      await Series.updateOne(
        { _id: id },
        { $set: { status: 'ended', endedAt: now, endReason: 'calendar_error', activePair: id } },
      );
      throw new HttpProblem(502, { detail: `The ${input.calendar} calendar refused the series; nothing is scheduled.` });
    }
    return toSeriesView(series, manager!, rep!);
  }

  /** Changes apply from now on: a new rule segment starts, past occurrences keep theirs. */
  async update(organizationId: string, id: string, input: UpdateSeriesInput): Promise<SeriesView> {
    return this.change(organizationId, id, (series, now) => {
      const current = series.segments[series.segments.length - 1]!;
      const next = {
        weekday: input.weekday ?? current.weekday,
        startTime: input.startTime ?? current.startTime,
        durationMinutes: input.durationMinutes ?? current.durationMinutes,
        location: input.location === undefined ? (current.location ?? null) : input.location,
      };
      const scheduleChanged =
        next.weekday !== current.weekday ||
        next.startTime !== current.startTime ||
        next.durationMinutes !== current.durationMinutes ||
        next.location !== (current.location ?? null);
      const segments = scheduleChanged ? [...series.segments, { effectiveFrom: now, ...next }] : series.segments;
      return {
        set: { segments, policy: input.policy ?? series.policy } as Partial<SeriesDoc>,
        event: scheduleChanged ? { type: 'series.updated', detail: { ...next } } : undefined,
        calendar: scheduleChanged ? 'update' : undefined,
      };
    });
  }

  /**
   * Sets (or clears) the agenda link the invite carries; the agenda service calls this when it
   * issues, reissues or revokes a series' link, and the calendar event is rewritten with it.
   */
  async setAgendaLink(organizationId: string, id: string, url: string | null): Promise<SeriesView> {
    return this.change(organizationId, id, () => ({ set: { agendaUrl: url }, calendar: 'update' }));
  }

  /** Stops future occurrences; the series and its history stay readable. */
  async end(organizationId: string, id: string): Promise<SeriesView> {
    return this.change(organizationId, id, (series, now) => ({
      set: { status: 'ended', endedAt: now, endReason: 'ended', activePair: series._id },
      event: { type: 'series.ended', detail: {} },
      calendar: 'end',
    }));
  }

  private change(...args: Parameters<SeriesService['changeNow']>): Promise<SeriesView> {
    return this.ctx.locks.run(args[1], () => this.changeNow(...args));
  }

  private async changeNow(
    organizationId: string,
    id: string,
    edit: (
      series: SeriesDoc,
      now: Date,
    ) => {
      set: Partial<SeriesDoc>;
      event?: { type: string; detail: Record<string, unknown> } | undefined;
      calendar?: 'update' | 'end' | undefined;
    },
  ): Promise<SeriesView> {
    const { Series, Outbox } = this.ctx.models;
    for (let attempt = 0; attempt < 8; attempt++) {
      const series = await Series.findOne({ _id: id, organizationId }).lean();
      if (!series) throw notFound(`No series ${id}.`);
      if (series.status !== 'active') throw conflict(`Series ${id} is ${series.status}; only an active series can change.`);
      const now = this.ctx.now();
      const { set, event, calendar } = edit(series, now);
      const next = { ...series, ...set, updatedAt: now, version: series.version + 1 } as SeriesDoc;
      const people = await this.people(organizationId, [series.managerId, series.repId]);
      const ctx = { series: next, manager: people.get(series.managerId)!, rep: people.get(series.repId)! };
      const pending = event
        ? await pendingEvents(
            this.ctx.models,
            { id, version: next.version, organizationId, seriesId: id, occurrenceKey: null },
            [{ type: event.type, data: seriesEventData(ctx, event.detail, now) }],
            now,
          )
        : [];
      const committed = await commitVersion(Series, this.ctx.models.Journal, id, series.version, {
        ...set,
        updatedAt: now,
        ...(pending.length ? { hasPendingEvents: true, pendingEvents: [...series.pendingEvents, ...pending] } : {}),
      });
      if (!committed) continue;
      if (pending.length)
        await relayPending(Outbox, Series, {
          _id: id,
          version: next.version,
          pendingEvents: [...series.pendingEvents, ...pending],
        });
      if (calendar === 'end') await this.providers.get(series.calendar.provider).endSeries(ctx);
      if (calendar === 'update') {
        // a new rule segment may be a new event (Outlook): the series names its newest one, as at creation
        const ref = await this.providers.get(series.calendar.provider).updateSeries(ctx);
        if (ref.eventId && ref.eventId !== series.calendar.eventId) {
          await Series.updateOne({ _id: id }, { $set: { 'calendar.eventId': ref.eventId } });
          next.calendar = { ...next.calendar, eventId: ref.eventId };
        }
      }
      return toSeriesView(next, ctx.manager, ctx.rep);
    }
    throw conflict('The series changed concurrently; try again.');
  }
}
