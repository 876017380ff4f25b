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

/** Least-squares slope of y over x; null below two points. */
function slope(points: { x: number; y: number }[]): number | null {
  if (points.length < 2) return null;
  const mx = points.reduce((s, p) => s + p.x, 0) / points.length;
  const my = points.reduce((s, p) => s + p.y, 0) / points.length;
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  if (sxx === 0) return null;
  return round2(points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0) / sxx);
}

/**
 * Sales calls per deal closed, week by week, from the figures recorded in agendas (weeks with
 * both figures only; several pairs' figures of one week are summed before dividing), and its trend.
 */
export function activityOf(figures: readonly WeeklyFigures[]): Activity {
  const byWeek = new Map<string, WeeklyFigures>();
  for (const f of figures) {
    const w = byWeek.get(f.week) ?? { week: f.week, calls: 0, dealsClosed: 0 };
    w.calls += f.calls;
    w.dealsClosed += f.dealsClosed;
    byWeek.set(f.week, w);
  }
  const weekly = [...byWeek.values()]
    .sort((a, b) => (a.week < b.week ? -1 : 1))
    .map((w) => ({ ...w, callsPerDealClosed: ratio(w.calls, w.dealsClosed) }));
  const calls = weekly.reduce((s, w) => s + w.calls, 0);
  const dealsClosed = weekly.reduce((s, w) => s + w.dealsClosed, 0);
  const points = weekly.flatMap((w) =>
    w.callsPerDealClosed === null ? [] : [{ x: weekIndex(w.week), y: w.callsPerDealClosed }],
  );
  return {
    weeksWithFigures: weekly.length,
    calls,
    dealsClosed,
    callsPerDealClosed: ratio(calls, dealsClosed),
    trendPerWeek: slope(points),
    weekly,
  };
}
