import type { Stats } from './schemas.js';

export type Activity = Stats['activity'];
export type WeeklyFigures = { week: string; calls: number; dealsClosed: number };

const round2 = (x: number) => Math.round(x * 100) / 100;
const ratio = (calls: number, deals: number) => (deals > 0 ? round2(calls / deals) : null);

/** Weeks counted so far (a report asks the same few dozen weeks of every pair). */
const weekIndexes = new Map<string, number>();

/** Weeks apart of two ISO weeks (`2026-W05`), through their Mondays. */
function weekIndex(week: string): number {
  let index = weekIndexes.get(week);
  if (index !== undefined) return index;
  const [year, w] = week.split('-W').map(Number) as [number, number];
  // Monday of ISO week 1 is the Monday on or before 4 January
  const jan4 = Date.UTC(year, 0, 4);
  const monday1 = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * 86_400_000;
  index = Math.round((monday1 + (w - 1) * 7 * 86_400_000) / (7 * 86_400_000));
  if (weekIndexes.size < 10_000) weekIndexes.set(week, index); // bounded: weeks are few, but strings come from data
  return index;
}

/** Least-squares slope of ys over xs; null below two points. */
function slope(xs: readonly number[], ys: readonly number[]): number | null {
  const n = xs.length;
  if (n < 2) return null;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += xs[i]!;
    sy += ys[i]!;
  }
  const [mx, my] = [sx / n, sy / n];
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i]! - mx) ** 2;
    sxy += (xs[i]! - mx) * (ys[i]! - my);
  }
  return sxx === 0 ? null : round2(sxy / sxx);
}

/**
 * Sales calls per deal closed, week by week, from the figures recorded in agendas (weeks with
 * both figures only; several pairs' figures of one week are summed before dividing), and its trend.
 * Written as plain loops: a report runs it for every pair, manager and the organization (~150,000
 * weekly figures for 1,000 pairs).
 */
export function activityOf(figures: readonly WeeklyFigures[]): Activity {
  const byWeek = new Map<string, { calls: number; dealsClosed: number }>();
  for (const f of figures) {
    const w = byWeek.get(f.week);
    if (w) {
      w.calls += f.calls;
      w.dealsClosed += f.dealsClosed;
    } else byWeek.set(f.week, { calls: f.calls, dealsClosed: f.dealsClosed });
  }
  const weekly: Activity['weekly'] = [];
  const xs: number[] = [];
  const ys: number[] = [];
  let calls = 0;
  let dealsClosed = 0;
  // ISO week labels (`2026-W05`) sort as text
  for (const week of [...byWeek.keys()].sort()) {
    const w = byWeek.get(week)!;
    const callsPerDealClosed = ratio(w.calls, w.dealsClosed);
    weekly.push({ week, calls: w.calls, dealsClosed: w.dealsClosed, callsPerDealClosed });
    calls += w.calls;
    dealsClosed += w.dealsClosed;
    if (callsPerDealClosed !== null) {
      xs.push(weekIndex(week));
      ys.push(callsPerDealClosed);
    }
  }
  return {
    weeksWithFigures: weekly.length,
    calls,
    dealsClosed,
    callsPerDealClosed: ratio(calls, dealsClosed),
    trendPerWeek: slope(xs, ys),
    weekly,
  };
}
