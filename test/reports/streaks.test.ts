import { describe, expect, it } from 'vitest';
import {
  cadenceCategory,
  evaluateStreaks,
  newlyCaused,
  type CadenceCategory,
  type CadenceOccurrence,
  type CadenceWeek,
} from '@cadence/shared/cadence/streaks';

const CODES: Record<string, CadenceCategory> = {
  H: 'held_on_slot',
  h: 'held_moved_in_week',
  O: 'moved_out_of_week',
  E: 'cancelled_excused',
  X: 'cancelled_unexcused',
  D: 'declined',
  U: 'upcoming',
};
const DAY = 86_400_000;
const START = Date.parse('2026-01-06T14:00:00Z');

/** Weeks from a string of codes, one letter a week from 6 Jan 2026 (`HHXH…`). */
const weeks = (codes: string): CadenceWeek[] =>
  [...codes].map((c, i) => {
    const at = new Date(START + i * 7 * DAY).toISOString();
    return { seriesId: 'ser_1', key: `w${i + 1}`, originalStart: at, category: CODES[c]! };
  });
const rules = { streakBrokenMinWeeks: 4 };
const keys = (list: { week: CadenceWeek }[]) => list.map((x) => x.week.key);

describe('evaluateStreaks', () => {
  it('says the same when weeks carry their starts in ms, in order or not', () => {
    const plain = weeks('HHHHXHHEXXHUH');
    const withAt = plain.map((w) => ({ ...w, at: Date.parse(w.originalStart) }));
    const shuffled = [...withAt.slice(7), ...withAt.slice(0, 7)];
    const from = plain[3]!.originalStart;
    const expected = evaluateStreaks(plain, rules, from);
    expect(expected.breaks.length + expected.atRisk.length).toBeGreaterThan(0);
    const summary = (r: typeof expected) => [r.currentStreak, r.longestStreak, keys(r.breaks), keys(r.atRisk)];
    expect(summary(evaluateStreaks(withAt, rules, from))).toEqual(summary(expected));
    expect(summary(evaluateStreaks(shuffled, rules, from))).toEqual(summary(expected));
  });

  it('has nothing to say about no weeks', () => {
    expect(evaluateStreaks([], rules)).toEqual({ currentStreak: 0, longestStreak: 0, breaks: [], atRisk: [] });
  });

  it('counts held weeks (on the slot or moved within the week) and sets excused weeks aside', () => {
    const r = evaluateStreaks(weeks('HhHEEHH'), rules);
    expect([r.currentStreak, r.longestStreak, r.breaks, r.atRisk]).toEqual([5, 5, [], []]);
  });

  it('breaks a streak only from streakBrokenMinWeeks on', () => {
    expect(evaluateStreaks(weeks('HHHX'), rules).breaks).toEqual([]);
    const r = evaluateStreaks(weeks('HHHHXHH'), rules);
    expect(r.breaks.map((b) => [b.week.key, b.streakWeeks])).toEqual([['w5', 4]]);
    expect([r.currentStreak, r.longestStreak]).toEqual([2, 4]);
    expect(evaluateStreaks(weeks('HHX'), { streakBrokenMinWeeks: 1 }).breaks.map((b) => b.streakWeeks)).toEqual([2]);
  });

  it('treats every kind of miss alike: declined, moved out of the week, cancelled without excuse', () => {
    for (const miss of ['X', 'D', 'O']) expect(keys(evaluateStreaks(weeks(`HHHH${miss}`), rules).breaks)).toEqual(['w5']);
  });

  it('counts weeks still to come as standing for a break (a cancellation ahead is judged as it will stand), not for the streak', () => {
    const r = evaluateStreaks(weeks('HHHUX'), rules);
    expect(r.breaks.map((b) => b.streakWeeks)).toEqual([4]);
    // a miss already known, even a future one, ends the current streak
    expect([r.currentStreak, r.longestStreak]).toEqual([0, 3]);
    expect(evaluateStreaks(weeks('HHHUU'), rules).currentStreak).toBe(3);
  });

  it('breaks no streak of a series that has not met yet (weeks ahead alone are no streak)', () => {
    expect(evaluateStreaks(weeks('UUUUX'), rules).breaks).toEqual([]);
    expect(evaluateStreaks(weeks('HHXUUUUX'), rules).breaks).toEqual([]);
    expect(evaluateStreaks(weeks('HUUUX'), rules).breaks.map((b) => [b.week.key, b.streakWeeks])).toEqual([['w5', 4]]);
  });

  it('is at risk at the second miss in a row, excused weeks between or not, once per run of misses', () => {
    expect(keys(evaluateStreaks(weeks('HXX'), rules).atRisk)).toEqual(['w3']);
    expect(keys(evaluateStreaks(weeks('HXEEDH'), rules).atRisk)).toEqual(['w5']);
    expect(keys(evaluateStreaks(weeks('HXXXXH'), rules).atRisk)).toEqual(['w3']);
    expect(keys(evaluateStreaks(weeks('XXHXX'), rules).atRisk)).toEqual(['w2', 'w5']);
    // a held week or one still to come separates two misses
    expect(evaluateStreaks(weeks('XHX'), rules).atRisk).toEqual([]);
    expect(evaluateStreaks(weeks('XUX'), rules).atRisk).toEqual([]);
    const r = evaluateStreaks(weeks('XX'), rules);
    expect(r.atRisk[0]!.previous.key).toBe('w1');
  });

  it('breaks once, not again at the second miss', () => {
    const r = evaluateStreaks(weeks('HHHHHXO'), rules);
    expect(keys(r.breaks)).toEqual(['w6']);
    expect(keys(r.atRisk)).toEqual(['w7']);
  });

  it('takes weeks in order of original start whatever order they come in', () => {
    const list = weeks('HHHHX').reverse();
    expect(keys(evaluateStreaks(list, rules).breaks)).toEqual(['w5']);
  });

  it('counts breaks, risks and the longest streak from countFrom on; earlier weeks are context', () => {
    const list = weeks('HHHHHXXHHHXHH');
    const from = list[7]!.originalStart; // w8
    const r = evaluateStreaks(list, rules, from);
    // w6's break and w7's risk are before the range; w11 ends a run of 3 (w8–w10): no break
    expect([r.breaks, r.atRisk]).toEqual([[], []]);
    expect([r.currentStreak, r.longestStreak]).toEqual([2, 3]);
    // a run that began before countFrom counts whole when it reaches into the range
    const across = evaluateStreaks(weeks('XHHHHHHX'), rules, weeks('XHHHHHHX')[5]!.originalStart);
    expect(across.longestStreak).toBe(6);
    expect(keys(across.breaks)).toEqual(['w8']);
    // a run that ended before it does not
    expect(evaluateStreaks(weeks('HHHHHHXH'), rules, weeks('HHHHHHXH')[6]!.originalStart).longestStreak).toBe(1);
  });

  it('tells what a change newly causes (what the change pipeline raises)', () => {
    const before = evaluateStreaks(weeks('HHHHXUU'), rules);
    const after = evaluateStreaks(weeks('HHHHXXU'), rules);
    const fresh = newlyCaused(before, after);
    expect(keys(fresh.breaks)).toEqual([]);
    expect(keys(fresh.atRisk)).toEqual(['w6']);
    // undoing a miss raises nothing
    expect(newlyCaused(after, before)).toEqual({ breaks: [], atRisk: [] });
  });
});

describe('cadenceCategory', () => {
  const now = new Date('2026-03-10T12:00:00Z');
  const base: CadenceOccurrence = {
    state: 'scheduled',
    end: '2026-03-03T15:00:00Z',
    cancellation: null,
    move: null,
    decline: null,
  };
  const cancellation = (excused: boolean) =>
    ({
      excused,
      reason: null,
      kind: null,
      excuseId: null,
      excusedBy: null,
      cancelledBy: null,
      cancelledAt: '2026-03-01T00:00:00Z',
    }) as const;
  const move = (sameWeek: boolean) => ({
    start: '2026-03-05T14:00:00Z',
    end: '2026-03-05T15:00:00Z',
    minutesMoved: 2880,
    sameWeek,
  });

  it('puts each occurrence in one category', () => {
    expect(cadenceCategory(base, now)).toBe('held_on_slot');
    expect(cadenceCategory({ ...base, end: '2026-03-10T15:00:00Z' }, now)).toBe('upcoming');
    expect(cadenceCategory({ ...base, state: 'cancelled', cancellation: cancellation(true) }, now)).toBe('cancelled_excused');
    expect(cadenceCategory({ ...base, state: 'cancelled', cancellation: cancellation(false) }, now)).toBe('cancelled_unexcused');
    expect(cadenceCategory({ ...base, state: 'moved', move: move(true) }, now)).toBe('held_moved_in_week');
    expect(cadenceCategory({ ...base, state: 'moved', move: move(false) }, now)).toBe('moved_out_of_week');
    // a restored occurrence counts as held once over
    expect(cadenceCategory({ ...base, state: 'held', cancellation: cancellation(false) }, now)).toBe('held_on_slot');
  });

  it('counts a decline by the manager or the rep, not by a guest, and a miss ahead of time', () => {
    const by = (role: 'manager' | 'rep' | 'guest') => ({ by: [{ email: 'x@example.com', personId: null, role }] });
    expect(cadenceCategory({ ...base, state: 'declined', decline: by('rep') }, now)).toBe('declined');
    expect(cadenceCategory({ ...base, state: 'declined', decline: by('manager') }, now)).toBe('declined');
    expect(cadenceCategory({ ...base, state: 'declined', decline: by('guest') }, now)).toBe('held_on_slot');
    const ahead = { ...base, end: '2026-03-17T15:00:00Z' };
    expect(cadenceCategory({ ...ahead, state: 'declined', decline: by('rep') }, now)).toBe('declined');
    expect(cadenceCategory({ ...ahead, state: 'moved', move: move(true) }, now)).toBe('upcoming');
  });
});
