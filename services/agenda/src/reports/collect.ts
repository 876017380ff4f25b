import { DateTime } from 'luxon';
import { DEFAULT_STREAK_BROKEN_MIN_WEEKS, STREAK_CONTEXT_WEEKS } from '@cadence/shared/cadence/streaks';
import type { CadenceCategory } from '@cadence/shared/cadence/streaks';
import type { SchedulingClient, SeriesOutcomes } from '@cadence/shared/clients/scheduling';
import type { CadenceRules } from '@cadence/shared/contracts/scheduling';
import { localDay, occurrenceKey, occurrenceStart } from '@cadence/shared/time';
import type { AgendaModels } from '../context.js';
import { EarlyPairs, type EarlyPairReports } from './early-pairs.js';
import { FactsReader } from './facts/read.js';
import {
  foldHomework,
  readAgendaFacts,
  readHomework,
  type AgendasBySeries,
  type CountsHomework,
  type HomeworkFacts,
  type Scope,
} from './local-reads.js';

/**
 * Series per page asked of the scheduling service: a page of 500 was ~40,000 occurrences, some
 * 20 MB of JSON that both services held at once.
 */
const PAGE_SIZE = 100;
/** A bound on the paging loop (far above any organization: 10,000 pages of series). */
const MAX_PAGES = 10_000;

/** The range as asked: local dates, `to` null for "today in each series' zone". */
export interface ReportRange {
  from: string;
  to: string | null;
}

/** One occurrence of a pair: one week of its cadence. */
export interface PairWeek {
  seriesId: string;
  key: string;
  /** ISO, as streaks read it, and in ms. */
  originalStart: string;
  at: number;
  /** As of the read; `upcoming` says when that changes. */
  category: CadenceCategory;
  /** Still to come at the read: its actual end (ms), and whether it was moved within its week. */
  upcoming: { end: number; moved: boolean } | undefined;
  /** Cancelled, then restored. */
  restored: boolean;
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

export interface ReportData {
  pairs: PairData[];
  rules: CadenceRules;
  homework: Map<string, HomeworkFacts>;
  /** For occurrences in the range. */
  agendas: AgendasBySeries;
  /** The pairs' reports, worked out while the pages came, as of `now` and at `threshold` (early-pairs.ts). */
  early?: EarlyPairReports;
}

const plusDays = (date: string, days: number) => DateTime.fromISO(date, { zone: 'UTC' }).plus({ days }).toISODate()!;

/**
 * Whether a local date-time falls on a date of the range (`to` null: up to today in its zone).
 * The range's end is worked out once per zone: a year's report asks this of ~60,000 meetings.
 */
export function rangeCheck(range: ReportRange, now: Date): (date: string, zone: string) => boolean {
  const toByZone = new Map<string, string>();
  const to = (zone: string) => {
    let date = toByZone.get(zone);
    if (date === undefined) toByZone.set(zone, (date = range.to ?? DateTime.fromJSDate(now, { zone }).toISODate()!));
    return date;
  };
  return (date, zone) => date >= range.from && date <= to(zone);
}

/**
 * A series' outcomes as weeks of its pair, each with its local week and whether it is in the range
 * (also noted by key in `inRangeByKey`, for the homework assigned at them).
 */
function addWeeks(
  weeks: PairWeek[],
  seriesId: string,
  zone: string,
  outcomes: SeriesOutcomes,
  inRange: (date: string, zone: string) => boolean,
  inRangeByKey: Map<string, boolean>,
): void {
  const restored = new Set(outcomes.restored);
  const upcoming = new Map(outcomes.upcoming.map((u) => [u.key, { end: Date.parse(u.end), moved: u.moved }]));
  outcomes.keys.forEach((key, i) => {
    const start = occurrenceStart(key);
    if (!start) return; // not a key: nothing to place it in a week by
    const local = localDay(start.at, zone);
    const counted = inRange(local.date, zone);
    inRangeByKey.set(key, counted);
    weeks.push({
      seriesId,
      key,
      originalStart: start.iso,
      at: start.at,
      category: outcomes.categories[i]!,
      upcoming: upcoming.get(key),
      restored: restored.has(key),
      week: local.isoWeek,
      inRange: counted,
    });
  });
}

/**
 * Everything a report needs, in a number of queries that does not grow with the pairs: the
 * scheduling service's occurrences by pair (a page per 100 series, with STREAK_CONTEXT_WEEKS of
 * earlier weeks so streaks that began before the range are seen whole), and with each page its
 * series' agenda and homework facts by id (reports/facts/: about one document per series and
 * year). Until the facts are built (the first start after an upgrade), one query for the homework
 * and one for the agendas instead.
 */
export async function collectReport(
  scheduling: SchedulingClient,
  models: AgendaModels,
  organizationId: string,
  q: { range: ReportRange; managerId?: string | undefined; repId?: string | undefined },
  now: Date,
  /** Work each pair's report out as soon as its pages and facts are in (its JSON too, with `json`). */
  pairsEarly?: { threshold: number; json: boolean },
): Promise<ReportData> {
  const { range } = q;
  // `to` exclusive for scheduling; "today" is at most one day ahead of UTC's in any zone
  const toExclusive = plusDays(range.to ?? DateTime.fromJSDate(now, { zone: 'UTC' }).toISODate()!, range.to ? 1 : 2);
  const contextFrom = DateTime.fromISO(range.from, { zone: 'UTC' }).minus({ weeks: STREAK_CONTEXT_WEEKS }).toISODate()!;

  // a superset of the range in every zone (UTC−12…+14); the exact local dates are checked in memory
  const lo = DateTime.fromISO(range.from, { zone: 'UTC' }).minus({ days: 1 }).toJSDate();
  const hi = DateTime.fromISO(toExclusive, { zone: 'UTC' }).plus({ days: 1 }).toJSDate();
  const readLocal = (scope: Scope) =>
    Promise.all([readAgendaFacts(models, scope, lo, hi), readHomework(models, scope, occurrenceKey(lo), occurrenceKey(hi))]);
  const inRange = rangeCheck(range, now);
  const zoneOf = new Map<string, string>();
  // whether each of the series' meetings is on one of the range's dates, by series and key
  const meetingsInRange = new Map<string, Map<string, boolean>>();
  // homework of the report's series assigned at a meeting on one of the range's local dates
  const countsHomework: CountsHomework = (seriesId, assignedKey) => {
    const known = meetingsInRange.get(seriesId)?.get(assignedKey);
    if (known !== undefined) return known;
    const zone = zoneOf.get(seriesId); // none: a series outside the report
    const start = occurrenceStart(assignedKey);
    return zone !== undefined && start !== undefined && inRange(localDay(start.at, zone).date, zone);
  };
  const fetchPage = (cursor: string | undefined) => {
    const page = scheduling.occurrencesForReport(
      { from: contextFrom, to: toExclusive, managerId: q.managerId, repId: q.repId, cursor, limit: PAGE_SIZE },
      60_000,
    );
    page.catch(() => undefined); // awaited in its turn; must not go unhandled if an earlier page fails
    return page;
  };
  // asked first: the scheduling service's first page (a read of the organization's series) is the
  // longest wait, and it needs nothing from here
  let next = fetchPage(undefined);
  // the series' facts, read by id page by page; until they are built, the documents themselves
  const facts = await FactsReader.open({ models }, organizationId, {
    loKey: occurrenceKey(lo),
    hiKey: occurrenceKey(hi),
    countsHomework,
    now,
  });
  // Without facts and unfiltered, the organization's agendas and homework are read while the
  // pages come (a scan either way on FerretDB)
  const filtered = Boolean(q.managerId || q.repId);
  const early = facts || filtered ? undefined : readLocal({ organizationId });
  early?.catch(() => undefined); // awaited below; a failing page must not leave it unhandled

  const pairs = new Map<string, PairData>();
  let rules: CadenceRules | undefined;
  const earlyPairs = pairsEarly && facts ? new EarlyPairs(now, pairsEarly.threshold, pairsEarly.json) : undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await next;
    // the scheduling service prepares the next page while this one is folded in
    if (res.nextCursor) next = fetchPage(res.nextCursor);
    rules = res.rules;
    for (const { series, outcomes } of res.items) {
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
      const inRangeByKey = new Map<string, boolean>();
      meetingsInRange.set(series.id, inRangeByKey);
      addWeeks(pair.weeks, series.id, series.timeZone, outcomes, inRange, inRangeByKey);
    }
    // with their zones known: their homework is counted as it comes in
    const counted = facts?.add(res.items.map((i) => i.series.id));
    // every pair but the page's last is whole (a pair's series come together, maybe over two pages)
    if (earlyPairs && counted)
      earlyPairs.add([...pairs.values()], res.nextCursor ? 1 : 0, counted, () => ({ ...facts!.counted, rules: rules! }));
    if (!res.nextCursor) break;
  }
  // in order of original start
  for (const pair of pairs.values()) pair.weeks.sort((a, b) => a.at - b.at);

  const seriesIds = [...pairs.values()].flatMap((p) => p.seriesIds);
  let local: { agendas: AgendasBySeries; homework: Map<string, HomeworkFacts> };
  if (facts) local = await facts.result();
  else {
    const [agendas, rows] = early
      ? await early
      : seriesIds.length
        ? await readLocal({ organizationId, seriesId: { $in: seriesIds } })
        : [new Map() as AgendasBySeries, []];
    local = { agendas, homework: foldHomework(rows, countsHomework, now) };
  }

  return {
    pairs: [...pairs.values()],
    rules: rules ?? { streakBrokenMinWeeks: DEFAULT_STREAK_BROKEN_MIN_WEEKS },
    homework: local.homework,
    agendas: local.agendas,
    ...(earlyPairs ? { early: await earlyPairs.result() } : {}),
  };
}
