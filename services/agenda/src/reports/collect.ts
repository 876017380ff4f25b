import { DateTime } from 'luxon';
import { DEFAULT_STREAK_BROKEN_MIN_WEEKS, STREAK_CONTEXT_WEEKS } from '@cadence/shared/cadence/streaks';
import type { OccurrenceInRange, SchedulingClient } from '@cadence/shared/clients/scheduling';
import type { CadenceRules } from '@cadence/shared/contracts/scheduling';
import { isoWeekOf, occurrenceKey, parseOccurrenceKey } from '@cadence/shared/time';
import type { AgendaModels } from '../context.js';

/** Series per page asked of the scheduling service; a 1,000-pair organization is two pages. */
const PAGE_SIZE = 500;
/** A bound on the paging loop (far above any organization: 10,000 pages of series). */
const MAX_PAGES = 10_000;

/** The range as asked: local dates, `to` null for "today in each series' zone". */
export interface ReportRange {
  from: string;
  to: string | null;
}

export interface PairWeek {
  occurrence: OccurrenceInRange;
  /** The occurrence's ISO week in its series' zone (`2026-W05`). */
  week: string;
  /** In the asked range; otherwise it is earlier context for the streaks. */
  inRange: boolean;
}

export interface PairData {
  manager: { id: string; name: string };
  rep: { id: string; name: string };
  seriesIds: string[];
  timeZones: string[];
  /** Context and range weeks, in order of original start. */
  weeks: PairWeek[];
}

/** What the report needs of one agenda (the documents themselves are not kept). */
export interface AgendaFacts {
  items: number;
  covered: number;
  notes: boolean;
  calls: number | null;
  dealsClosed: number | null;
}

/** A series' homework assigned in the range, counted as of the moment it was read. */
export interface HomeworkFacts {
  assigned: number;
  completed: number;
  completedOnTime: number;
  openOverdue: number;
  dropped: number;
}

export interface ReportData {
  pairs: PairData[];
  rules: CadenceRules;
  homework: Map<string, HomeworkFacts>;
  /** By `seriesId:key`, for occurrences in the range. */
  agendas: Map<string, AgendaFacts>;
}

type HomeworkRow = { seriesId: string; assignedKey: string; status: string; due: Date; statusChangedAt: Date };
type AgendaRow = {
  _id: string;
  seriesId: string;
  items?: { covered?: boolean }[];
  notes?: string;
  figures?: { calls?: number | null; dealsClosed?: number | null } | null;
};

/** Documents read per round trip while folding homework and agendas into facts. */
const BATCH = 2_000;

const localDate = (iso: string, zone: string) => DateTime.fromISO(iso, { zone }).toISODate()!;
const plusDays = (date: string, days: number) => DateTime.fromISO(date, { zone: 'UTC' }).plus({ days }).toISODate()!;

/** Whether an instant falls on a local date of the range in `zone` (`to` null: up to today there). */
export function inRange(iso: string, zone: string, range: ReportRange, now: Date): boolean {
  const date = localDate(iso, zone);
  const to = range.to ?? DateTime.fromJSDate(now, { zone }).toISODate()!;
  return date >= range.from && date <= to;
}

/**
 * Everything a report needs, in a number of queries that does not grow with the pairs: the
 * scheduling service's occurrences by pair (a page per 500 series, with STREAK_CONTEXT_WEEKS of
 * earlier weeks so streaks that began before the range are seen whole), then one query for the
 * homework and one for the agendas of all those series.
 */
export async function collectReport(
  scheduling: SchedulingClient,
  models: AgendaModels,
  organizationId: string,
  q: { range: ReportRange; managerId?: string | undefined; repId?: string | undefined },
  now: Date,
): Promise<ReportData> {
  const { range } = q;
  // `to` exclusive for scheduling; "today" is at most one day ahead of UTC's in any zone
  const toExclusive = plusDays(range.to ?? DateTime.fromJSDate(now, { zone: 'UTC' }).toISODate()!, range.to ? 1 : 2);
  const contextFrom = DateTime.fromISO(range.from, { zone: 'UTC' }).minus({ weeks: STREAK_CONTEXT_WEEKS }).toISODate()!;

  const pairs = new Map<string, PairData>();
  const zoneOf = new Map<string, string>();
  let rules: CadenceRules | undefined;
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await scheduling.occurrencesByPair(
      { from: contextFrom, to: toExclusive, managerId: q.managerId, repId: q.repId, cursor, limit: PAGE_SIZE },
      60_000,
    );
    rules = res.rules;
    for (const { series, occurrences } of res.items) {
      const id = `${series.manager.id}|${series.rep.id}`;
      let pair = pairs.get(id);
      if (!pair) {
        pair = {
          manager: { id: series.manager.id, name: series.manager.name },
          rep: { id: series.rep.id, name: series.rep.name },
          seriesIds: [],
          timeZones: [],
          weeks: [],
        };
        pairs.set(id, pair);
      }
      pair.seriesIds.push(series.id);
      zoneOf.set(series.id, series.timeZone);
      if (!pair.timeZones.includes(series.timeZone)) pair.timeZones.push(series.timeZone);
      for (const occurrence of occurrences) {
        const zone = series.timeZone;
        pair.weeks.push({
          occurrence,
          week: isoWeekOf(new Date(occurrence.originalStart), zone),
          inRange: inRange(occurrence.originalStart, zone, range, now),
        });
      }
    }
    if (!res.nextCursor) break;
    cursor = res.nextCursor;
  }
  for (const pair of pairs.values())
    pair.weeks.sort((a, b) => Date.parse(a.occurrence.originalStart) - Date.parse(b.occurrence.originalStart));

  const seriesIds = [...pairs.values()].flatMap((p) => p.seriesIds);
  // a superset of the range in every zone (UTC−12…+14); the exact local dates are checked in memory
  const lo = DateTime.fromISO(range.from, { zone: 'UTC' }).minus({ days: 1 }).toJSDate();
  const hi = DateTime.fromISO(toExclusive, { zone: 'UTC' }).plus({ days: 1 }).toJSDate();
  const homework = new Map<string, HomeworkFacts>();
  const agendas = new Map<string, AgendaFacts>();
  if (seriesIds.length) {
    // streamed and folded as they come: memory grows with the series, not with their meetings.
    // Unfiltered, the organization's range is read whole: FerretDB tests `$in` against every
    // document, which with a thousand series ids cost more than reading the rest
    const filtered = Boolean(q.managerId || q.repId);
    const wanted = new Set(seriesIds);
    const ofSeries = filtered ? { organizationId, seriesId: { $in: seriesIds } } : { organizationId };
    await Promise.all([
      (async () => {
        const rows = models.Homework.find({ ...ofSeries, assignedKey: { $gte: occurrenceKey(lo), $lt: occurrenceKey(hi) } })
          .select({ seriesId: 1, assignedKey: 1, status: 1, due: 1, statusChangedAt: 1 })
          .lean<HomeworkRow[]>()
          .cursor({ batchSize: BATCH });
        for await (const h of rows as AsyncIterable<HomeworkRow>) {
          const zone = zoneOf.get(h.seriesId); // unknown: a series outside the report
          const start = parseOccurrenceKey(h.assignedKey);
          if (!zone || !start || !inRange(start.toISOString(), zone, range, now)) continue;
          let f = homework.get(h.seriesId);
          if (!f) homework.set(h.seriesId, (f = { assigned: 0, completed: 0, completedOnTime: 0, openOverdue: 0, dropped: 0 }));
          f.assigned++;
          if (h.status === 'done') {
            f.completed++;
            if (h.statusChangedAt <= h.due) f.completedOnTime++;
          } else if (h.status === 'dropped') f.dropped++;
          else if (h.due < now) f.openOverdue++;
        }
      })(),
      (async () => {
        const rows = models.Agendas.find({ ...ofSeries, originalStart: { $gte: lo, $lt: hi } })
          .select({ seriesId: 1, items: 1, notes: 1, figures: 1 })
          .lean<AgendaRow[]>()
          .cursor({ batchSize: BATCH });
        for await (const a of rows as AsyncIterable<AgendaRow>) {
          if (!wanted.has(a.seriesId)) continue;
          const items = a.items ?? [];
          agendas.set(a._id, {
            items: items.length,
            covered: items.filter((i) => i.covered).length,
            notes: Boolean(a.notes?.trim()),
            calls: typeof a.figures?.calls === 'number' ? a.figures.calls : null,
            dealsClosed: typeof a.figures?.dealsClosed === 'number' ? a.figures.dealsClosed : null,
          });
        }
      })(),
    ]);
  }

  return {
    pairs: [...pairs.values()],
    rules: rules ?? { streakBrokenMinWeeks: DEFAULT_STREAK_BROKEN_MIN_WEEKS },
    homework,
    agendas,
  };
}
