import { DateTime } from 'luxon';
import { ReadCache } from '@cadence/shared/cache/read-cache';
import {
  cadenceCategory,
  DEFAULT_STREAK_BROKEN_MIN_WEEKS,
  evaluateStreaks,
  newlyCaused,
  STREAK_CONTEXT_WEEKS,
  weekId,
  weekOutcome,
  type AtRisk,
  type CadenceWeek,
  type StreakBreak,
} from '@cadence/shared/cadence/streaks';
import type { CadenceRules } from '@cadence/shared/contracts/scheduling';
import { occurrenceKey } from '@cadence/shared/time';
import type { SchedulingContext } from '../context.js';
import { occurrenceId, type OccurrenceDoc } from '../occurrences/models.js';
import type { OccurrenceView } from '../occurrences/schemas.js';
import { cadenceOutcome } from '../occurrences/view.js';
import type { SeriesDoc } from '../series/models.js';
import { plannedOccurrences } from '../series/schedule.js';
import { occurrenceAgendaUrl, type EventContext } from './event-data.js';
import { eventId, type NewEvent } from './events.js';

const WEEK_MS = 7 * 86_400_000;
const PAIR_SERIES_TTL_MS = 30_000;

export const defaultCadenceRules: CadenceRules = { streakBrokenMinWeeks: DEFAULT_STREAK_BROKEN_MIN_WEEKS };

/** Once per occurrence, whatever version of whichever document raised it: the outbox keeps one. */
const cadenceEventId = (type: string, week: CadenceWeek) => eventId(`cadence|${type}|${weekId(week)}`, 0, 0);

const person = (p: EventContext['manager']) => ({ id: p._id, name: p.name, email: p.email });

/**
 * `streak.broken` and `cadence.at_risk`: the streak rules (shared/src/cadence/streaks.ts, which the
 * report applies too) over the pair's weeks around a change, before and after it; what the change
 * newly causes becomes events written with the change itself.
 */
export class CadenceEvents {
  /**
   * Which series belong to which pair, per organization (ids only), and the series themselves by
   * id. A pair's series change rarely (one is active at a time) but are read at every outcome
   * change. Asking for one pair's series scans every series on FerretDB (only `_id`-only filters
   * use an index there): 1.4 s a cancellation at 1,000 series, and 200 cancellations of 200 pairs
   * made 200 scans. One query of the organization's ids serves every pair for the TTL, then a
   * pair's other series are read by `_id`. A series created or ended on another replica joins a
   * pair's streak here within the TTL; ids are ~100 bytes a series (10,000 series: 1 MB).
   */
  private readonly pairsOf = new ReadCache(PAIR_SERIES_TTL_MS, 1_000);
  private readonly seriesById = new ReadCache(PAIR_SERIES_TTL_MS);

  constructor(
    private readonly ctx: SchedulingContext,
    readonly rules: CadenceRules,
  ) {}

  /**
   * The events a change of one occurrence (`before` → `after`, both as of `now`) newly causes.
   * Only a change of the week's outcome (held, missed, excused, upcoming) can cause any, and only
   * then are the pair's weeks read (unless the caller read them with its record: `records`).
   */
  async caused(
    ev: EventContext,
    before: OccurrenceView,
    after: OccurrenceView,
    now: Date,
    cause: string,
    /** The records of `weekRecordIds`, when the caller has read them already. */
    records?: OccurrenceDoc[],
  ): Promise<NewEvent[]> {
    if (weekOutcome(cadenceCategory(before, now)) === weekOutcome(cadenceCategory(after, now))) return [];
    const { weeks, seriesOf } = await this.pairWeeks(ev, new Date(after.originalStart), now, records);
    const changed = weekId({ seriesId: after.seriesId, key: after.key });
    const as = (view: OccurrenceView) =>
      weeks.map((w) => (weekId(w) === changed ? { ...w, category: cadenceCategory(view, now) } : w));
    const fresh = newlyCaused(evaluateStreaks(as(before), this.rules), evaluateStreaks(as(after), this.rules));
    const base = (week: CadenceWeek) => this.eventBase(ev, seriesOf(week), week, { after, cause, now });
    return [...fresh.breaks.map((b) => this.broken(base(b.week), b)), ...fresh.atRisk.map((r) => this.atRisk(base(r.week), r))];
  }

  /**
   * The `_id`s of the occurrence records `caused` reads for a change of the occurrence at `around`:
   * a writer that expects a change of outcome reads them with its own record, in one command.
   */
  async weekRecordIds(ev: EventContext, around: Date): Promise<string[]> {
    return (await this.plannedWeeks(ev, around)).planned.map((w) => w.id);
  }

  /** The pair's weeks within STREAK_CONTEXT_WEEKS either side of `around`, across all its series. */
  private async pairWeeks(ev: EventContext, around: Date, now: Date, records?: OccurrenceDoc[]) {
    const { planned, series } = await this.plannedWeeks(ev, around);
    // the weeks' records by their `_id`s (~53 a series), not a range query: FerretDB answers that
    // by reading every occurrence ever recorded (one more a week a pair), an `_id` list by its index
    const found =
      records ??
      (planned.length
        ? ((await this.ctx.models.Occurrences.find({ _id: { $in: planned.map((w) => w.id) } })
            .select({ history: 0, pendingEvents: 0 })
            .lean()) as OccurrenceDoc[])
        : []);
    const recorded = new Map(found.map((r) => [r._id, r]));
    const weeks: CadenceWeek[] = planned.map(({ s, p, key, id }) => ({
      seriesId: s._id,
      key,
      originalStart: p.originalStart.toISOString(),
      category: cadenceCategory(cadenceOutcome(p, recorded.get(id), now), now),
    }));
    const byId = new Map<string, SeriesDoc>(series.map((s) => [s._id, s as SeriesDoc]));
    return { weeks, seriesOf: (w: CadenceWeek) => byId.get(w.seriesId) ?? ev.series };
  }

  /** The pair's series, and their planned meetings within STREAK_CONTEXT_WEEKS either side of `around`. */
  private async plannedWeeks(ev: EventContext, around: Date) {
    const { Series } = this.ctx.models;
    const from = new Date(around.getTime() - STREAK_CONTEXT_WEEKS * WEEK_MS);
    const to = new Date(around.getTime() + STREAK_CONTEXT_WEEKS * WEEK_MS + 1);
    const { organizationId, managerId, repId } = ev.series;
    const pairs = await this.pairsOf.get(organizationId, async () => {
      const rows = await Series.find({ organizationId }).select({ _id: 1, managerId: 1, repId: 1 }).lean();
      const byPair = new Map<string, string[]>();
      for (const r of rows) {
        const key = `${r.managerId}|${r.repId}`;
        byPair.set(key, [...(byPair.get(key) ?? []), r._id]);
      }
      return byPair;
    });
    const otherIds = (pairs.get(`${managerId}|${repId}`) ?? []).filter((id) => id !== ev.series._id);
    const others = await Promise.all(
      otherIds.map((id) =>
        this.seriesById.get(`${organizationId}|${id}`, () => Series.findById(id).select({ pendingEvents: 0 }).lean().exec()),
      ),
    );
    // the changed series as it is now; the pair's others as recently read
    const series = [ev.series, ...others.filter((s): s is NonNullable<typeof s> => s !== null)];
    const planned = series.flatMap((s) =>
      plannedOccurrences(s, from, to).map((p) => {
        const key = occurrenceKey(p.originalStart);
        return { s, p, key, id: occurrenceId(s._id, key) };
      }),
    );
    return { planned, series };
  }

  private eventBase(
    ev: EventContext,
    series: SeriesDoc,
    week: CadenceWeek,
    change: { after: OccurrenceView; cause: string; now: Date },
  ) {
    const zone = series.timeZone;
    return {
      organizationId: series.organizationId,
      seriesId: week.seriesId,
      occurrenceKey: week.key,
      scheduled: {
        start: week.originalStart,
        startLocal: DateTime.fromISO(week.originalStart, { zone }).toISO({ suppressMilliseconds: true }),
        timeZone: zone,
      },
      manager: person(ev.manager),
      rep: person(ev.rep),
      miss: week.category,
      cause: { seriesId: change.after.seriesId, occurrenceKey: change.after.key, change: change.cause },
      detectedAt: change.now.toISOString(),
      agendaUrl: occurrenceAgendaUrl(series, week.key),
    };
  }

  private broken(base: ReturnType<CadenceEvents['eventBase']>, b: StreakBreak): NewEvent {
    return {
      type: 'streak.broken',
      id: cadenceEventId('streak.broken', b.week),
      seriesId: b.week.seriesId,
      occurrenceKey: b.week.key,
      data: { ...base, streak: { weeks: b.streakWeeks, minWeeks: this.rules.streakBrokenMinWeeks } },
    };
  }

  private atRisk(base: ReturnType<CadenceEvents['eventBase']>, r: AtRisk): NewEvent {
    const miss = (w: CadenceWeek) => ({
      seriesId: w.seriesId,
      occurrenceKey: w.key,
      scheduledStart: w.originalStart,
      miss: w.category,
    });
    return {
      type: 'cadence.at_risk',
      id: cadenceEventId('cadence.at_risk', r.week),
      seriesId: r.week.seriesId,
      occurrenceKey: r.week.key,
      data: { ...base, misses: [miss(r.previous), miss(r.week)] },
    };
  }
}
