import { DateTime } from 'luxon';
import { commitVersion } from '@cadence/shared/db';
import { findById, findByIds, insertOne } from '@cadence/shared/db/gathered';
import { conflict, isDuplicateKeyError, notFound } from '@cadence/shared/http';
import { contextLogger } from '@cadence/shared/logging';
import { isoWeekOf, occurrenceKey, parseOccurrenceKey } from '@cadence/shared/time';
import type { CalendarProviders, SeriesForCalendar } from '../calendars/provider.js';
import type { SchedulingContext } from '../context.js';
import { findExcuse } from '../excuses/excuses.js';
import { beginRecordWrite, endRecordWrite } from '../occurrences/recorded-keys.js';
import { occurrenceId, type OccurrenceDoc } from '../occurrences/models.js';
import type {
  Cancellation,
  ChangeSource,
  Decline,
  Modification,
  Move,
  OccurrenceState,
  OccurrenceView,
} from '../occurrences/schemas.js';
import { occurrenceView } from '../occurrences/view.js';
import { relayPending } from '../outbox/relay.js';
import type { SeriesDoc } from '../series/models.js';
import { plannedAt, type PlannedOccurrence } from '../series/schedule.js';
import type { CadenceRules } from '@cadence/shared/contracts/scheduling';
import { CadenceEvents, defaultCadenceRules } from './cadence.js';
import { classify, type Transition } from './classify.js';
import { occurrenceEventData, seriesEventData, type EventContext } from './event-data.js';
import { pendingEvents, type NewEvent } from './events.js';
import type { ObservedInstance, ObservedSeries } from './observation.js';

const MAX_ATTEMPTS = 20;

/** A short random pause before retrying after another writer won a version. */
const backoff = (attempt: number) => new Promise((r) => setTimeout(r, Math.random() * Math.min(5 * 2 ** attempt, 200)));

/** The mutable part of an occurrence record that transitions change. */
interface Draft {
  state: OccurrenceState;
  cancellation: Cancellation | null;
  move: Move | null;
  decline: Decline | null;
  modification: Modification | null;
  restoredAt: Date | null;
}

interface Outcome {
  change: string;
  event: string;
  detail: Record<string, unknown>;
}

/** One change of one occurrence, as `mutate` was asked for it. */
interface Mutation {
  ctx: EventContext;
  planned: PlannedOccurrence;
  source: ChangeSource;
  revision: string | undefined;
  change: (draft: Draft, now: Date) => Outcome[];
  cadence: CadenceMode;
  /** Read the pair's weeks with the record: the change is expected to alter the week's outcome. */
  withWeeks: boolean;
}

export interface Applied {
  view: OccurrenceView;
  events: string[];
}

/**
 * Streak events for a change: `evaluate` (the default) compares the occurrence before and after;
 * `skip` when the change is about to be undone (a cancellation the `restore` policy reinstates);
 * `uncancelled` compares with the occurrence as if it had not been cancelled (that reinstating failed).
 */
type CadenceMode = 'evaluate' | 'skip' | 'uncancelled';

/**
 * The provider-neutral change pipeline: an observation of a calendar becomes classified changes,
 * the occurrence's state moves, a history entry is written and domain events go to the outbox —
 * all in one compare-and-set update of one document, so a repeated or stale observation changes
 * nothing and writes no second event.
 */
export class ChangePipeline {
  private readonly cadence: CadenceEvents;

  constructor(
    private readonly ctx: SchedulingContext,
    private readonly providers: CalendarProviders,
    cadenceRules: CadenceRules = defaultCadenceRules,
  ) {
    this.cadence = new CadenceEvents(ctx, cadenceRules);
  }

  /** The rules streak events are raised with (reports apply the same). */
  get cadenceRules(): CadenceRules {
    return this.cadence.rules;
  }

  async loadSeries(seriesId: string, organizationId?: string): Promise<EventContext> {
    return this.withPeople(await this.readSeries(seriesId, organizationId));
  }

  // each read with the other pipelines' in one command (gathered.ts); another organization's series is none
  private async readSeries(seriesId: string, organizationId?: string): Promise<SeriesDoc> {
    const series = await findById(this.ctx.models.Series, seriesId);
    if (!series || (organizationId && series.organizationId !== organizationId)) throw notFound(`No series ${seriesId}.`);
    return series;
  }

  private async withPeople(series: SeriesDoc): Promise<EventContext> {
    const people = await findByIds(this.ctx.models.People, [series.managerId, series.repId]);
    const [manager, rep] = [series.managerId, series.repId].map((id) => people.find((p) => p._id === id));
    if (!manager || !rep) throw new Error(`series ${series._id} refers to a missing person`);
    return { series, manager, rep };
  }

  /** Applies what a calendar shows for one instance. */
  async observeInstance(obs: ObservedInstance): Promise<Applied | undefined> {
    const series = await this.readSeries(obs.seriesId);
    const originalStart = parseOccurrenceKey(obs.key);
    const planned = originalStart && plannedAt(series, originalStart);
    if (!planned) {
      contextLogger(this.ctx.logger).debug(
        { seriesId: obs.seriesId, key: obs.key },
        'observation of an instance the series does not plan; ignored',
      );
      return undefined;
    }
    // the people and a cancellation's excuse need only the series: read side by side (a burst's
    // pipelines are chains of such reads, and a calendar's sync holds its slot to the end)
    const [ctx, excuse] = await Promise.all([
      this.withPeople(series),
      obs.status === 'cancelled'
        ? findExcuse(this.ctx.models.Excuses, {
            organizationId: series.organizationId,
            personIds: [series.managerId, series.repId],
            originalStart: planned.originalStart,
            timeZone: series.timeZone,
          })
        : undefined,
    ]);

    // an unexcused cancellation the policy reinstates at once is no miss: no streak events for it
    const restoring = obs.status === 'cancelled' && !excuse && ctx.series.policy === 'restore' && ctx.series.status === 'active';
    const applied = await this.mutate(
      ctx,
      planned,
      obs.source,
      obs.revision,
      (draft, now) => {
        const transitions = classify(draft, { ...planned, location: planned.segment.location ?? null }, obs);
        return transitions.map((t) => this.applyTransition(ctx, planned, draft, t, obs, excuse, now));
      },
      restoring ? 'skip' : 'evaluate',
      // a cancellation changes the week's outcome: its streak events need the pair's weeks
      !restoring && obs.status === 'cancelled',
    );

    const cancellation = applied?.view.cancellation;
    if (
      applied &&
      applied.view.state === 'cancelled' &&
      cancellation &&
      !cancellation.excused &&
      ctx.series.policy === 'restore' &&
      ctx.series.status === 'active'
    ) {
      return this.restore(ctx, planned, applied);
    }
    return applied;
  }

  /** Policy `restore`: put the occurrence back on the calendar and record that. */
  private async restore(ctx: EventContext, planned: PlannedOccurrence, cancelled: Applied): Promise<Applied> {
    const key = occurrenceKey(planned.originalStart);
    try {
      await this.providers.get(ctx.series.calendar.provider).restoreOccurrence(this.forCalendar(ctx), key);
    } catch (err) {
      contextLogger(this.ctx.logger).error(
        { err, seriesId: ctx.series._id, key },
        'could not restore a cancelled occurrence; it stays flagged',
      );
      // it stays a miss after all: the streak events skipped when it was cancelled are due now
      const missed = await this.mutate(ctx, planned, 'api', undefined, () => [], 'uncancelled');
      return missed ? { view: missed.view, events: [...cancelled.events, ...missed.events] } : cancelled;
    }
    const restored = await this.mutate(
      ctx,
      planned,
      'api',
      undefined,
      (draft, now) => {
        if (draft.state !== 'cancelled') return [];
        draft.state = 'restored';
        draft.restoredAt = now;
        return [{ change: 'restored', event: 'occurrence.restored', detail: { by: 'policy' } }];
      },
      'skip',
    );
    return { view: restored?.view ?? cancelled.view, events: [...cancelled.events, ...(restored?.events ?? [])] };
  }

  /** A manager excuses a cancelled occurrence afterwards: it is re-classified and an event says so. */
  async excuseOccurrence(
    organizationId: string,
    seriesId: string,
    key: string,
    input: { reason: string; kind: Cancellation['kind'] },
  ): Promise<OccurrenceView> {
    const ctx = await this.loadSeries(seriesId, organizationId);
    const originalStart = parseOccurrenceKey(key);
    const planned = originalStart && plannedAt(ctx.series, originalStart);
    if (!planned) throw notFound(`Series ${seriesId} has no occurrence ${key}.`);
    let refused: string | undefined;
    const applied = await this.mutate(ctx, planned, 'api', undefined, (draft) => {
      if (draft.state !== 'cancelled' || !draft.cancellation) {
        refused = 'Only a cancelled occurrence can be excused.';
        return [];
      }
      if (draft.cancellation.excused) return [];
      draft.cancellation = {
        ...draft.cancellation,
        excused: true,
        reason: input.reason,
        kind: input.kind,
        excuseId: null,
        excusedBy: 'manager',
      };
      return [{ change: 'excused', event: 'occurrence.excused', detail: { reason: input.reason, kind: input.kind } }];
    });
    if (refused) throw conflict(refused);
    return applied?.view ?? (await this.view(ctx, planned));
  }

  /** What a calendar says happened to the whole series (deleted, or cut short by "this and following"). */
  observeSeries(obs: ObservedSeries): Promise<string[]> {
    return this.ctx.locks.run(obs.seriesId, () => this.observeSeriesNow(obs));
  }

  private async observeSeriesNow(obs: ObservedSeries): Promise<string[]> {
    const { Series, Outbox } = this.ctx.models;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (attempt > 0) await backoff(attempt);
      const ctx = await this.loadSeries(obs.seriesId);
      const { series } = ctx;
      const now = this.ctx.now();
      let set: Partial<SeriesDoc>;
      let event: NewEvent;
      if (obs.change === 'deleted') {
        if (series.status === 'cancelled') return [];
        set = { status: 'cancelled', endedAt: now, endReason: 'calendar_deleted', activePair: series._id };
        event = { type: 'series.cancelled', data: {} };
      } else {
        // weekly meetings: ending the day before the first dropped one keeps everything earlier
        const lastDate = DateTime.fromJSDate(obs.until, { zone: series.timeZone }).minus({ days: 1 }).toISODate()!;
        if (series.endDate && series.endDate <= lastDate) return [];
        set = { endDate: lastDate, endReason: 'calendar_truncated' };
        event = { type: 'series.truncated', data: {} };
      }
      const next = { ...series, ...set } as SeriesDoc;
      event.data = seriesEventData(
        { ...ctx, series: next },
        { source: obs.source, ...(obs.change === 'truncated' ? { until: obs.until.toISOString() } : {}) },
        now,
      );
      const version = series.version + 1;
      const pending = await pendingEvents(
        this.ctx.models,
        { id: series._id, version, organizationId: series.organizationId, seriesId: series._id, occurrenceKey: null },
        [event],
        now,
      );
      const committed = await commitVersion(Series, this.ctx.models.Journal, series._id, series.version, {
        ...set,
        updatedAt: now,
        hasPendingEvents: true,
        pendingEvents: [...series.pendingEvents, ...pending],
      });
      if (!committed) continue;
      await relayPending(Outbox, Series, { _id: series._id, version, pendingEvents: [...series.pendingEvents, ...pending] });
      return pending.map((p) => p.id);
    }
    throw conflict('The series changed concurrently; try again.');
  }

  forCalendar(ctx: EventContext): SeriesForCalendar {
    return { series: ctx.series, manager: ctx.manager, rep: ctx.rep };
  }

  async view(ctx: EventContext, planned: PlannedOccurrence): Promise<OccurrenceView> {
    const record = await this.ctx.models.Occurrences.findById(
      occurrenceId(ctx.series._id, occurrenceKey(planned.originalStart)),
    ).lean();
    return occurrenceView(ctx.series, planned, record ?? undefined, this.ctx.now());
  }

  private applyTransition(
    ctx: EventContext,
    planned: PlannedOccurrence,
    draft: Draft,
    t: Transition,
    obs: ObservedInstance,
    excuse: Awaited<ReturnType<typeof findExcuse>>,
    now: Date,
  ): Outcome {
    switch (t.change) {
      case 'cancelled':
        draft.state = 'cancelled';
        draft.restoredAt = null;
        draft.cancellation = {
          excused: Boolean(excuse),
          reason: excuse ? (excuse.reason ?? excuse.kind) : (obs.reason ?? null),
          kind: (excuse?.kind ?? null) as Cancellation['kind'],
          excuseId: excuse?._id ?? null,
          excusedBy: excuse ? 'excuse' : null,
          cancelledBy: obs.cancelledBy ?? null,
          cancelledAt: now.toISOString(),
        };
        return {
          change: 'cancelled',
          event: 'occurrence.cancelled',
          detail: { excused: Boolean(excuse), ...(obs.reason ? { reason: obs.reason } : {}) },
        };
      case 'reinstated':
        draft.state = draft.decline ? 'declined' : draft.move ? 'moved' : 'restored';
        draft.restoredAt = now;
        return { change: 'reinstated', event: 'occurrence.restored', detail: { by: 'calendar' } };
      case 'moved': {
        const minutesMoved = Math.round((t.start.getTime() - planned.originalStart.getTime()) / 60_000);
        const zone = ctx.series.timeZone;
        const sameWeek = isoWeekOf(t.start, zone) === isoWeekOf(planned.originalStart, zone);
        draft.move = { start: t.start.toISOString(), end: t.end.toISOString(), minutesMoved, sameWeek };
        if (draft.state !== 'cancelled' && draft.state !== 'declined') draft.state = 'moved';
        return { change: 'moved', event: 'occurrence.moved', detail: { minutesMoved, sameWeek } };
      }
      case 'moved_back':
        draft.move = null;
        if (draft.state === 'moved') draft.state = draft.restoredAt ? 'restored' : 'scheduled';
        return { change: 'moved_back', event: 'occurrence.moved', detail: { minutesMoved: 0, movedBack: true } };
      case 'declined': {
        const people = new Map([
          [ctx.manager.email.toLowerCase(), { personId: ctx.manager._id, role: 'manager' as const }],
          [ctx.rep.email.toLowerCase(), { personId: ctx.rep._id, role: 'rep' as const }],
        ]);
        const by = [
          ...(draft.decline?.by ?? []),
          ...t.emails.map((email) => ({ email, ...(people.get(email) ?? { personId: null, role: 'guest' as const }) })),
        ];
        draft.decline = { by };
        if (draft.state !== 'cancelled') draft.state = 'declined';
        return { change: 'declined', event: 'occurrence.declined', detail: { by: t.emails } };
      }
      case 'modified':
        draft.modification = { fields: t.fields, location: t.location, durationMinutes: t.durationMinutes };
        return { change: 'modified', event: 'occurrence.modified', detail: { fields: t.fields } };
    }
  }

  /**
   * Reads the occurrence, lets `change` edit a draft and name its outcomes, and writes draft,
   * history and events in one compare-and-set update; retried when another writer got there first.
   */
  private mutate(
    ctx: EventContext,
    planned: PlannedOccurrence,
    source: ChangeSource,
    revision: string | undefined,
    change: (draft: Draft, now: Date) => Outcome[],
    cadence: CadenceMode = 'evaluate',
    /** Read the pair's weeks with the record: the change is expected to alter the week's outcome. */
    withWeeks = false,
  ): Promise<Applied | undefined> {
    // one writer per pair in this process: streak events read the pair's other weeks
    const { organizationId, managerId, repId } = ctx.series;
    return this.ctx.locks.run(`pair:${organizationId}:${managerId}:${repId}`, () =>
      this.mutateNow({ ctx, planned, source, revision, change, cadence, withWeeks }),
    );
  }

  /** The occurrence's record, and with `withWeeks` the pair's week records around it (itself included), in one read. */
  private async readRecord(ctx: EventContext, planned: PlannedOccurrence, id: string, withWeeks: boolean) {
    const { Occurrences } = this.ctx.models;
    if (!withWeeks) return { existing: await findById(Occurrences, id), weeks: undefined };
    const ids = await this.cadence.weekRecordIds(ctx, planned.originalStart);
    const weeks = await findByIds(Occurrences, [...new Set([id, ...ids])]);
    return { existing: weeks.find((r) => r._id === id) ?? null, weeks };
  }

  private async mutateNow(m: Mutation): Promise<Applied | undefined> {
    const { ctx, planned, withWeeks } = m;
    const { Occurrences, Outbox } = this.ctx.models;
    const key = occurrenceKey(planned.originalStart);
    const id = occurrenceId(ctx.series._id, key);
    // listed and counted first: reports trust a listed outcome only while no write of it is under way (recorded-keys.ts)
    const listing = { organizationId: ctx.series.organizationId, seriesId: ctx.series._id, key };
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (attempt > 0) await backoff(attempt);
      // a change expected to alter the week (a cancellation) is counted while its record is read:
      // one round trip less in a chain a burst's syncs wait on; taken back when nothing is written
      const counted = withWeeks ? beginRecordWrite(this.ctx.models, listing) : undefined;
      counted?.catch(() => undefined); // awaited below; until then it must not count as unhandled
      let next: Awaited<ReturnType<ChangePipeline['prepare']>>;
      try {
        next = await this.prepare(m, id, key);
      } catch (err) {
        // if this fails too, the count stays up and reports read the record
        if (counted) await counted.then(() => endRecordWrite(this.ctx.models, listing)).catch(() => undefined);
        throw err;
      }
      if (!next) {
        if (counted) await counted.then(() => endRecordWrite(this.ctx.models, listing));
        return undefined;
      }
      const { existing, draft, record, history, pending, view } = next;
      await (counted ?? beginRecordWrite(this.ctx.models, listing));

      const fields = {
        ...draft,
        providerRevision: record.providerRevision,
        version: record.version,
        updatedAt: record.updatedAt,
        hasPendingEvents: true,
      };
      let written: boolean;
      try {
        if (existing) {
          written = await commitVersion(Occurrences, this.ctx.models.Journal, id, existing.version, {
            ...fields,
            history: [...existing.history, ...history],
            pendingEvents: [...existing.pendingEvents, ...pending],
          });
        } else {
          written = await insertOne(Occurrences, {
            _id: id,
            organizationId: ctx.series.organizationId,
            seriesId: ctx.series._id,
            key,
            originalStart: planned.originalStart,
            ...fields,
            history,
            pendingEvents: pending,
          }).then(
            () => true,
            (err: unknown) => {
              if (isDuplicateKeyError(err)) return false;
              throw err;
            },
          );
        }
      } catch (err) {
        // not written after all; if this fails too, the count stays up and reports read the record
        await endRecordWrite(this.ctx.models, listing).catch(() => undefined);
        throw err;
      }
      if (!written) {
        await endRecordWrite(this.ctx.models, listing);
        continue;
      }
      // the two are independent: the outcome describes the record as written
      await Promise.all([
        relayPending(Outbox, Occurrences, {
          _id: id,
          version: record.version,
          pendingEvents: [...(existing?.pendingEvents ?? []), ...pending],
        }),
        endRecordWrite(this.ctx.models, listing, record),
      ]);
      return { view, events: pending.map((p) => p.id) };
    }
    throw conflict('The occurrence changed concurrently; try again.');
  }

  /**
   * One attempt's read and what it would write: the record's next version, its history entries and
   * pending events; none when there is nothing to write (a stale observation, no change, no event).
   */
  private async prepare({ ctx, planned, source, revision, change, cadence, withWeeks }: Mutation, id: string, key: string) {
    const { existing, weeks } = await this.readRecord(ctx, planned, id, withWeeks && cadence !== 'skip');
    if (revision && existing?.providerRevision && revision <= existing.providerRevision) return undefined;
    const now = this.ctx.now();
    const draft: Draft = {
      state: (existing?.state ?? 'scheduled') as OccurrenceState,
      cancellation: (existing?.cancellation ?? null) as Cancellation | null,
      move: (existing?.move ?? null) as Move | null,
      decline: (existing?.decline ?? null) as Decline | null,
      modification: (existing?.modification ?? null) as Modification | null,
      restoredAt: existing?.restoredAt ?? null,
    };
    const outcomes = change(draft, now);
    if (!outcomes.length && cadence !== 'uncancelled') return undefined;

    const version = (existing?.version ?? 0) + 1;
    const history = outcomes.map((o) => ({ detectedAt: now, source, change: o.change, detail: o.detail }));
    const record = {
      ...(existing ?? {}),
      _id: id,
      organizationId: ctx.series.organizationId,
      seriesId: ctx.series._id,
      key,
      originalStart: planned.originalStart,
      ...draft,
      providerRevision: revision ?? existing?.providerRevision ?? null,
      history: [...(existing?.history ?? []), ...history],
      version,
      updatedAt: now,
    } as OccurrenceDoc;
    const view = occurrenceView(ctx.series, planned, record, now);
    const events: NewEvent[] = outcomes.map((o) => ({
      type: o.event,
      data: occurrenceEventData(ctx, planned, view, { source, detectedAt: now, detail: o.detail }),
    }));
    if (cadence !== 'skip') {
      const was = occurrenceView(
        ctx.series,
        planned,
        cadence === 'uncancelled' ? uncancelled(existing) : (existing ?? undefined),
        now,
      );
      events.push(...(await this.cadence.caused(ctx, was, view, now, outcomes[0]?.change ?? 'cancelled', weeks)));
    }
    if (!events.length) return undefined;
    const pending = await pendingEvents(
      this.ctx.models,
      { id, version, organizationId: ctx.series.organizationId, seriesId: ctx.series._id, occurrenceKey: key },
      events,
      now,
    );
    return { existing, draft, record, history, pending, view };
  }
}

/** An occurrence as it would be had its cancellation not happened (for a restore that failed). */
function uncancelled(doc: OccurrenceDoc | null): OccurrenceDoc | undefined {
  if (!doc) return undefined;
  const state = doc.decline ? 'declined' : doc.move ? 'moved' : doc.restoredAt ? 'restored' : 'scheduled';
  return { ...doc, state, cancellation: null };
}
