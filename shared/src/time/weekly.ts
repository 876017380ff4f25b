import { DateTime } from 'luxon';
import { weekdayNumber, type Weekday } from './zones.js';

export interface WeeklyRule {
  weekday: Weekday;
  /** Local wall-clock start, HH:mm. */
  startTime: string;
  timeZone: string;
  /** First local date the rule may produce (YYYY-MM-DD). */
  startDate: string;
  /** Last local date it may produce, inclusive. */
  endDate?: string | null | undefined;
  /** Maximum number of occurrences counted from the first. */
  count?: number | null | undefined;
}

/**
 * Weekly starts of a rule inside [from, to), computed on local wall-clock time in the rule's zone
 * so 09:00 stays 09:00 across daylight-saving changes (the UTC instant moves instead). A local
 * time that does not exist on a spring-forward day is moved forward by luxon, as calendars do.
 */
export function weeklyStarts(rule: WeeklyRule, from: Date, to: Date): Date[] {
  const [hour, minute] = rule.startTime.split(':').map(Number) as [number, number];
  const zone = rule.timeZone;
  const start = DateTime.fromISO(rule.startDate, { zone });
  const offset = (weekdayNumber(rule.weekday) - start.weekday + 7) % 7;
  const first = start.plus({ days: offset });
  const lastDate = rule.endDate ? DateTime.fromISO(rule.endDate, { zone }).endOf('day') : undefined;

  // jump close to `from` instead of walking from the start date (series may be years old)
  const fromLocal = DateTime.fromJSDate(from, { zone });
  let index = Math.max(0, Math.floor(fromLocal.diff(first, 'weeks').weeks) - 1);
  const out: Date[] = [];
  for (;;) {
    if (rule.count != null && index >= rule.count) break;
    const day = first.plus({ weeks: index });
    if (lastDate && day > lastDate) break;
    const at = day.set({ hour, minute, second: 0, millisecond: 0 }).toJSDate();
    if (at >= to) break;
    if (at >= from) out.push(at);
    index++;
  }
  return out;
}

/** ISO week identity (`2026-W45`) of an instant in a zone: "still in the same week" compares these. */
export function isoWeekOf(at: Date, zone: string): string {
  const dt = DateTime.fromJSDate(at, { zone });
  return `${dt.weekYear}-W${String(dt.weekNumber).padStart(2, '0')}`;
}
