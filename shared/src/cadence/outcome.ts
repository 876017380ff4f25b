import type { OccurrenceView } from '../contracts/scheduling.js';

/**
 * What one occurrence is for the cadence, as of a moment `now`. Every occurrence of a pair is one
 * week of its cadence and falls in exactly one category, checked in this order:
 *
 * - `cancelled_excused`: cancelled inside an excuse window, or excused by a manager afterwards.
 * - `cancelled_unexcused`: cancelled without an excuse.
 * - `declined`: the manager or the rep declined it (a guest declining changes nothing).
 * - `moved_out_of_week`: moved to a time outside its ISO week (in the series' time zone).
 * - `held_on_slot`: none of the above and its end has passed; a cancelled occurrence that was
 *   reinstated (restored) counts here once it is over.
 * - `held_moved_in_week`: moved within its ISO week and the moved meeting is over.
 * - `upcoming`: none of the above yet — the meeting is still to come.
 *
 * Timing: a cancellation, a decline and a move out of the week count the moment Cadence detects
 * them, even ahead of the meeting; a meeting counts as held only once its (actual) end has passed.
 */
export type CadenceCategory =
  | 'held_on_slot'
  | 'held_moved_in_week'
  | 'moved_out_of_week'
  | 'cancelled_excused'
  | 'cancelled_unexcused'
  | 'declined'
  | 'upcoming';

export const CADENCE_CATEGORIES: readonly CadenceCategory[] = [
  'held_on_slot',
  'held_moved_in_week',
  'moved_out_of_week',
  'cancelled_excused',
  'cancelled_unexcused',
  'declined',
  'upcoming',
];

/** What a week does to a streak: held extends it, missed ends it, excused and upcoming weeks are set aside. */
export type WeekOutcome = 'held' | 'missed' | 'excused' | 'upcoming';

type View = OccurrenceView;
/** The parts of an occurrence the categories are decided from (an occurrence view has them all; `end` may be a Date). */
export interface CadenceOccurrence {
  state: View['state'];
  cancellation: Pick<NonNullable<View['cancellation']>, 'excused'> | null;
  move: Pick<NonNullable<View['move']>, 'sameWeek'> | null;
  decline: { by: Pick<NonNullable<View['decline']>['by'][number], 'role'>[] } | null;
  end: string | Date;
}

export function cadenceCategory(o: CadenceOccurrence, now: Date): CadenceCategory {
  if (o.state === 'cancelled') return o.cancellation?.excused ? 'cancelled_excused' : 'cancelled_unexcused';
  if (o.decline?.by.some((d) => d.role === 'manager' || d.role === 'rep')) return 'declined';
  if (o.move && !o.move.sameWeek) return 'moved_out_of_week';
  return heldOrUpcoming(typeof o.end === 'string' ? Date.parse(o.end) : o.end.getTime(), o.move !== null, now);
}

/** An occurrence nothing cancelled, declined or moved out of its week: held once its end (ms) has passed. */
export function heldOrUpcoming(end: number, moved: boolean, now: Date): CadenceCategory {
  if (end > now.getTime()) return 'upcoming';
  return moved ? 'held_moved_in_week' : 'held_on_slot';
}

export function weekOutcome(category: CadenceCategory): WeekOutcome {
  switch (category) {
    case 'held_on_slot':
    case 'held_moved_in_week':
      return 'held';
    case 'cancelled_excused':
      return 'excused';
    case 'upcoming':
      return 'upcoming';
    case 'moved_out_of_week':
    case 'cancelled_unexcused':
    case 'declined':
      return 'missed';
  }
}
