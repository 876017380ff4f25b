import { weekOutcome, type CadenceCategory } from './outcome.js';

export { CADENCE_CATEGORIES, cadenceCategory, heldOrUpcoming, weekOutcome } from './outcome.js';
export type { CadenceCategory, CadenceOccurrence, WeekOutcome } from './outcome.js';

/** One week of a pair's cadence: one occurrence and its category (see outcome.ts). */
export interface CadenceWeek {
  seriesId: string;
  key: string;
  /** Original start, ISO 8601: weeks are taken in this order. */
  originalStart: string;
  /** The same in ms, when the caller has it (a report evaluates ~80,000 weeks: no parse each). */
  at?: number;
  category: CadenceCategory;
}

export interface StreakRules {
  /** A miss that ends a run of at least this many weeks breaks a streak (`streak.broken`). */
  streakBrokenMinWeeks: number;
}

export const DEFAULT_STREAK_BROKEN_MIN_WEEKS = 4;

/**
 * How far before the weeks of interest both the report and the change pipeline look, so that a
 * streak that began earlier is seen whole by both (up to this many weeks).
 */
export const STREAK_CONTEXT_WEEKS = 26;

export interface StreakBreak {
  /** The missed week that ended the streak. */
  week: CadenceWeek;
  /** Weeks in the streak it ended (held weeks, and weeks still to come that it found in the way). */
  streakWeeks: number;
}

export interface AtRisk {
  /** The second unexcused miss in a row. */
  week: CadenceWeek;
  /** The miss just before it. */
  previous: CadenceWeek;
}

export interface StreakResult {
  /** Held weeks in a row at the end of the weeks given; a miss already known (even a future one) makes it 0. */
  currentStreak: number;
  /** The longest run of held weeks that reaches into the counted weeks (a run counts whole). */
  longestStreak: number;
  /** Misses that ended a run of at least `streakBrokenMinWeeks`: one `streak.broken` each. */
  breaks: StreakBreak[];
  /** Second misses in a row: one `cadence.at_risk` each, once per run of misses. */
  atRisk: AtRisk[];
}

/**
 * The streak rules, in one place for the report and the events so they can never disagree.
 *
 * Weeks are a pair's occurrences in order of original start, each held, missed, excused or
 * upcoming (outcome.ts). Excused weeks are set aside: they neither extend a streak nor end one,
 * and two misses with only excused weeks between them are still "in a row".
 *
 * - A streak is a run of held weeks; a miss ends it. Upcoming weeks neither add to it nor end it.
 * - A miss breaks a streak when the weeks before it since the previous miss number at least
 *   `streakBrokenMinWeeks`, counting weeks still to come as held: a meeting is assumed to happen
 *   until Cadence learns otherwise, so a cancellation two weeks ahead is judged as it will stand.
 *   A run needs at least one held week to be a streak at all: cancelling week 5 of a series that
 *   has not met yet breaks nothing.
 * - A pair is at risk at its second unexcused miss in a row; a held or still-to-come week between
 *   two misses separates them. A third miss in a row raises nothing new.
 *
 * `countFrom` (ISO instant) restricts breaks, at-risk weeks and the longest streak to weeks from
 * then on; earlier weeks are context only (see STREAK_CONTEXT_WEEKS).
 */
export function evaluateStreaks(weeks: readonly CadenceWeek[], rules: StreakRules, countFrom?: string): StreakResult {
  const from = countFrom === undefined ? -Infinity : Date.parse(countFrom);
  // each start parsed once (a report evaluates tens of thousands of weeks); weeks that come in
  // order with their starts in ms (a report's) are taken as they are
  const inOrder = weeks.every((w, i) => w.at !== undefined && (i === 0 || w.at >= weeks[i - 1]!.at!));
  const starts = inOrder ? undefined : new Map(weeks.map((w) => [w, w.at ?? Date.parse(w.originalStart)]));
  const sorted = starts ? [...weeks].sort((a, b) => starts.get(a)! - starts.get(b)!) : weeks;
  const breaks: StreakBreak[] = [];
  const atRisk: AtRisk[] = [];
  let held = 0; // held weeks in the current run
  let heldInRange = false; // whether the current run has a counted week
  let standing = 0; // held or upcoming weeks since the last miss
  let missesInRow = 0;
  let previousMiss: CadenceWeek | undefined;
  let longest = 0;

  for (const week of sorted) {
    const counted = (starts ? starts.get(week)! : week.at!) >= from;
    switch (weekOutcome(week.category)) {
      case 'excused':
        break;
      case 'held':
        held++;
        standing++;
        missesInRow = 0;
        heldInRange ||= counted;
        if (heldInRange) longest = Math.max(longest, held);
        break;
      case 'upcoming':
        standing++;
        missesInRow = 0;
        break;
      case 'missed':
        // a run with no meeting held yet (a new series cancelled ahead) was never a streak
        if (counted && held > 0 && standing >= rules.streakBrokenMinWeeks) breaks.push({ week, streakWeeks: standing });
        missesInRow++;
        if (counted && missesInRow === 2 && previousMiss) atRisk.push({ week, previous: previousMiss });
        previousMiss = week;
        held = 0;
        heldInRange = false;
        standing = 0;
        break;
    }
  }
  return { currentStreak: held, longestStreak: Math.max(longest, held), breaks, atRisk };
}

/** `seriesId:key`, how weeks are told apart across a pair's series. */
export const weekId = (w: Pick<CadenceWeek, 'seriesId' | 'key'>) => `${w.seriesId}:${w.key}`;

/** Breaks and at-risk weeks in `after` that `before` did not have: what a change newly causes. */
export function newlyCaused(before: StreakResult, after: StreakResult): Pick<StreakResult, 'breaks' | 'atRisk'> {
  const hadBreak = new Set(before.breaks.map((b) => weekId(b.week)));
  const hadRisk = new Set(before.atRisk.map((r) => weekId(r.week)));
  return {
    breaks: after.breaks.filter((b) => !hadBreak.has(weekId(b.week))),
    atRisk: after.atRisk.filter((r) => !hadRisk.has(weekId(r.week))),
  };
}
