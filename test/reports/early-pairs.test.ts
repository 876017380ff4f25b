import { describe, expect, it } from 'vitest';
import type { PairData, PairWeek } from '@cadence/agenda/reports/collect';
import { EarlyPairs } from '@cadence/agenda/reports/early-pairs';
import { DEFAULT_STREAK_BROKEN_MIN_WEEKS } from '@cadence/shared/cadence/streaks';

/**
 * A pair's report is worked out while a report's later pages still come, so only once the pair
 * is whole: its series may be split over two pages, and its facts are counted after its page.
 */
const WEEK_MS = 7 * 86_400_000;
const weeks = (seriesId: string, first: number, n: number, category: PairWeek['category']): PairWeek[] =>
  Array.from({ length: n }, (_, i) => {
    const at = Date.UTC(2026, 0, 5, 14) + (first + i) * WEEK_MS;
    const iso = new Date(at).toISOString();
    return {
      seriesId,
      key: iso.replace(/[-:]/g, '').replace('.000', ''),
      originalStart: iso,
      at,
      category,
      upcoming: undefined,
      restored: false,
      week: `2026-W${String(2 + first + i).padStart(2, '0')}`,
      inRange: true,
    };
  });
const pair = (rep: string, seriesIds: string[], w: PairWeek[]): PairData => ({
  manager: { id: 'per_m', name: 'Mara' },
  rep: { id: rep, name: rep },
  seriesIds,
  timeZones: ['UTC'],
  weeks: w,
});

describe('pair reports worked out early', () => {
  it('waits for a pair whose series go on in the next page, and for each page’s facts', async () => {
    const inputs = () => ({
      agendas: new Map(),
      homework: new Map(),
      rules: { streakBrokenMinWeeks: DEFAULT_STREAK_BROKEN_MIN_WEEKS },
    });
    const early = new EarlyPairs(new Date('2026-06-01T00:00:00Z'), 80, true);
    // page 1: pair A whole, pair B's first series (4 weeks held)
    const a = pair('per_a', ['ser_a'], weeks('ser_a', 0, 6, 'held_on_slot'));
    const b = pair('per_b', ['ser_b1'], weeks('ser_b1', 0, 4, 'held_on_slot'));
    let countPage1!: () => void;
    early.add([a, b], 1, new Promise((r) => (countPage1 = r)), inputs);
    // page 2: pair B's second series (later weeks, all missed), pair C; its facts counted before page 1's
    b.seriesIds.push('ser_b2');
    b.weeks.push(...weeks('ser_b2', 4, 4, 'cancelled_unexcused').reverse()); // out of order: sorted when worked out
    const c = pair('per_c', ['ser_c'], weeks('ser_c', 0, 2, 'declined'));
    early.add([a, b, c], 0, Promise.resolve(), inputs);
    let settled = false;
    const result = early.result().then((r) => ((settled = true), r));
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(false); // page 1's facts are not counted yet: nothing after it is worked out either
    countPage1();
    const { pairs, json, threshold } = await result;
    expect(threshold).toBe(80);
    expect(pairs.map((p) => [p.rep.id, p.scheduled.total, p.held.total, p.cancelled.unexcused])).toEqual([
      ['per_a', 6, 6, 0],
      ['per_b', 8, 4, 4], // both of its series
      ['per_c', 2, 0, 0],
    ]);
    expect(pairs[1]!.weeks.map((w) => w.occurrenceKey)).toEqual([...b.weeks].sort((x, y) => x.at - y.at).map((w) => w.key));
    expect(pairs[1]!.flagged).toBe(true); // 50 % held, under 80
    expect(json!.map((j) => JSON.parse(j) as unknown)).toEqual(pairs);
  });
});
