import { evaluateStreaks, heldOrUpcoming, type CadenceWeek } from '@cadence/shared/cadence/streaks';
import { standardTemplate } from '../templates/standard.js';
import { activityOf, type WeeklyFigures } from './activity.js';
import type { PairData, ReportData, ReportRange } from './collect.js';
import type { PairInputs } from './early-pairs.js';
import type { CadenceReport, ManagerReport, PairReport, Stats } from './schemas.js';

const STANDARD_ITEMS = standardTemplate.items.length;

const percent = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 1000) / 10 : null);
const below = (adherence: number | null, threshold: number) => adherence !== null && adherence < threshold;

/** A pair's figures over the range, and its streaks from the same rules the events use. */
export function pairReport(pair: PairData, data: PairInputs, now: Date, threshold: number): PairReport {
  const weeks: CadenceWeek[] = [];
  const inRange: PairReport['weeks'] = [];
  const c = {
    total: 0,
    upcoming: 0,
    held_on_slot: 0,
    held_moved_in_week: 0,
    moved_out_of_week: 0,
    cancelled_excused: 0,
    cancelled_unexcused: 0,
    declined: 0,
    restored: 0,
  };
  const agenda = { heldMeetings: 0, withAgenda: 0, itemsPlanned: 0, itemsCovered: 0, withNotes: 0 };
  const figures: WeeklyFigures[] = [];
  let countFrom: string | undefined;

  for (const w of pair.weeks) {
    // as of this request: a read kept for a while may have meetings that have ended since
    const category = w.upcoming ? heldOrUpcoming(w.upcoming.end, w.upcoming.moved, now) : w.category;
    // a week not upcoming at the read is its own cadence week: no copy of each of ~80,000
    weeks.push(w.upcoming ? { seriesId: w.seriesId, key: w.key, originalStart: w.originalStart, at: w.at, category } : w);
    if (!w.inRange) continue;
    countFrom ??= w.originalStart;
    inRange.push({ week: w.week, seriesId: w.seriesId, occurrenceKey: w.key, category });
    c.total++;
    if (category === 'upcoming') c.upcoming++;
    else c[category]++;
    if (w.restored) c.restored++;

    const recorded = data.agendas.get(w.seriesId)?.get(w.key);
    if (recorded) {
      const [, , , calls, dealsClosed] = recorded;
      if (calls !== null && dealsClosed !== null) figures.push({ week: w.week, calls, dealsClosed });
    }
    if (category !== 'held_on_slot' && category !== 'held_moved_in_week') continue;
    agenda.heldMeetings++;
    if (!recorded) {
      agenda.itemsPlanned += STANDARD_ITEMS;
      continue;
    }
    const [items, covered, notes] = recorded;
    agenda.itemsPlanned += items;
    agenda.withAgenda++;
    agenda.itemsCovered += covered;
    if (notes) agenda.withNotes++;
  }

  // no week in the range: nothing counts (a moment after every week)
  const streaks = evaluateStreaks(weeks, data.rules, countFrom ?? new Date(8.64e15).toISOString());
  const homework = { assigned: 0, completed: 0, completedOnTime: 0, openOverdue: 0, dropped: 0 };
  for (const seriesId of pair.seriesIds) {
    const f = data.homework.get(seriesId);
    if (f) for (const k of Object.keys(homework) as (keyof typeof homework)[]) homework[k] += f[k];
  }

  const stats = statsOf(
    {
      ...c,
      homework,
      agenda,
      activity: activityOf(figures),
    },
    threshold,
  );
  return {
    manager: pair.manager,
    rep: pair.rep,
    seriesIds: pair.seriesIds,
    timeZones: pair.timeZones,
    ...stats,
    streak: {
      current: streaks.currentStreak,
      longest: streaks.longestStreak,
      breaks: streaks.breaks.map((b) => ({ seriesId: b.week.seriesId, occurrenceKey: b.week.key, streakWeeks: b.streakWeeks })),
      atRisk: streaks.atRisk.map((r) => ({ seriesId: r.week.seriesId, occurrenceKey: r.week.key })),
    },
    weeks: inRange,
  };
}

type Counts = {
  total: number;
  upcoming: number;
  held_on_slot: number;
  held_moved_in_week: number;
  moved_out_of_week: number;
  cancelled_excused: number;
  cancelled_unexcused: number;
  declined: number;
  restored: number;
  homework: Omit<Stats['homework'], 'completionRate'>;
  agenda: Omit<Stats['agenda'], 'coverage'>;
  activity: Stats['activity'];
};

/** The derived figures (held, adherence, rates, flag) from the counts. */
function statsOf(c: Counts, threshold: number): Stats {
  const held = c.held_on_slot + c.held_moved_in_week;
  const past = c.total - c.upcoming;
  const expected = past - c.cancelled_excused;
  const adherence = percent(held, expected);
  return {
    scheduled: { total: c.total, past, upcoming: c.upcoming },
    held: { onSlot: c.held_on_slot, movedInWeek: c.held_moved_in_week, total: held },
    movedOutOfWeek: c.moved_out_of_week,
    cancelled: { excused: c.cancelled_excused, unexcused: c.cancelled_unexcused },
    declined: c.declined,
    restored: c.restored,
    adherence: { percent: adherence, held, expected },
    flagged: below(adherence, threshold),
    homework: { ...c.homework, completionRate: percent(c.homework.completed, c.homework.assigned - c.homework.dropped) },
    agenda: { ...c.agenda, coverage: percent(c.agenda.itemsCovered, c.agenda.itemsPlanned) },
    activity: c.activity,
  };
}

const sum = <T>(parts: readonly T[], f: (p: T) => number) => parts.reduce((s, p) => s + f(p), 0);

/** Several pairs' figures as one (a manager's, the organization's): counts add up, rates are recomputed. */
export function rollup(parts: readonly Stats[], threshold: number): Stats {
  const sumOf = <K extends string>(get: (p: Stats) => Record<K, number>, keys: readonly K[]) =>
    Object.fromEntries(keys.map((k) => [k, sum(parts, (p) => get(p)[k])])) as Record<K, number>;
  return statsOf(
    {
      total: sum(parts, (p) => p.scheduled.total),
      upcoming: sum(parts, (p) => p.scheduled.upcoming),
      held_on_slot: sum(parts, (p) => p.held.onSlot),
      held_moved_in_week: sum(parts, (p) => p.held.movedInWeek),
      moved_out_of_week: sum(parts, (p) => p.movedOutOfWeek),
      cancelled_excused: sum(parts, (p) => p.cancelled.excused),
      cancelled_unexcused: sum(parts, (p) => p.cancelled.unexcused),
      declined: sum(parts, (p) => p.declined),
      restored: sum(parts, (p) => p.restored),
      homework: sumOf((p) => p.homework, ['assigned', 'completed', 'completedOnTime', 'openOverdue', 'dropped'] as const),
      agenda: sumOf((p) => p.agenda, ['heldMeetings', 'withAgenda', 'itemsPlanned', 'itemsCovered', 'withNotes'] as const),
      activity: activityOf(parts.flatMap((p) => p.activity.weekly)),
    },
    threshold,
  );
}

const pickStats = (p: PairReport): Stats => {
  const { manager: _m, rep: _r, seriesIds: _s, timeZones: _z, streak: _k, weeks: _w, ...stats } = p;
  return stats;
};

/** Reports built from pair reports worked out early, with those pairs' JSON (see `reportJson`). */
const pairsJson = new WeakMap<CadenceReport, readonly string[]>();

/** The whole report: pairs (as collected: by manager, then rep), their managers, the organization. */
export function buildReport(data: ReportData, range: ReportRange, now: Date, threshold: number): CadenceReport {
  // worked out while the pages came, for this very request (a kept read serves later ones, as of theirs)
  const early =
    data.early?.now === now.getTime() && data.early.threshold === threshold && data.early.pairs.length === data.pairs.length
      ? data.early
      : undefined;
  const pairs = early?.pairs ?? data.pairs.map((p) => pairReport(p, data, now, threshold));
  const byManager = new Map<string, PairReport[]>();
  for (const p of pairs) {
    const own = byManager.get(p.manager.id);
    if (own) own.push(p);
    else byManager.set(p.manager.id, [p]);
  }
  const managers: ManagerReport[] = [...byManager.values()].map((own) => ({
    manager: own[0]!.manager,
    pairs: own.length,
    flaggedPairs: own.filter((p) => p.flagged).length,
    ...rollup(own.map(pickStats), threshold),
  }));
  const report: CadenceReport = {
    range,
    generatedAt: now.toISOString(),
    threshold,
    rules: data.rules,
    organization: {
      managers: managers.length,
      flaggedManagers: managers.filter((m) => m.flagged).length,
      pairs: pairs.length,
      flaggedPairs: pairs.filter((p) => p.flagged).length,
      ...rollup(pairs.map(pickStats), threshold),
    },
    managers,
    // last: reportJson relies on it
    pairs,
  };
  if (early?.json) pairsJson.set(report, early.json);
  return report;
}

/**
 * The report as JSON, as JSON.stringify writes it, in pieces: the pairs' JSON worked out early
 * where there is (the rest is small), so the answer is not first copied into one 12 MB string.
 */
export function reportJson(report: CadenceReport): string[] {
  const pairs = pairsJson.get(report);
  if (!pairs) return [JSON.stringify(report)];
  // `pairs` is the last key: `…,"pairs":[]}` opened up for them
  const rest = JSON.stringify({ ...report, pairs: [] });
  const pieces = [rest.slice(0, -2)];
  pairs.forEach((pair, i) => pieces.push(i ? `,${pair}` : pair));
  pieces.push(']}');
  return pieces;
}
