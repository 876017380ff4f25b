import { localDay, utcDay, wallClockInstant, zoneOffset } from './offsets.js';
import { weekdayNumber, type Weekday } from './zones.js';

const DAY_MS = 24 * 3600_000;
const WEEK_MS = 7 * DAY_MS;

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
 * time that does not exist on a spring-forward day is moved forward, and one that occurs twice is
 * its first occurrence (wallClockInstant: RFC 5545's reading, which calendars follow).
 */
export function weeklyStarts(rule: WeeklyRule, from: Date, to: Date): Date[] {
  const [hour, minute] = rule.startTime.split(':').map(Number) as [number, number];
  const zone = rule.timeZone;
  // the first local date on the rule's weekday, then a jump close to `from` instead of walking
  // from there (series may be years old); the week before is a margin for the zone's offset
  const startDay = utcDay(rule.startDate);
  const startWeekday = ((new Date(startDay).getUTCDay() + 6) % 7) + 1;
  const firstDay = startDay + ((weekdayNumber(rule.weekday) - startWeekday + 7) % 7) * DAY_MS;
  const fromLocal = from.getTime() + zoneOffset(zone, from.getTime()) * 60_000;
  let index = Math.max(0, Math.floor((fromLocal - firstDay) / WEEK_MS) - 1);
  const out: Date[] = [];
  // the week before, when it fell on the wall-clock time itself (not moved out of a gap)
  let previous: { at: number; offset: number } | undefined;
  for (;;) {
    if (rule.count != null && index >= rule.count) break;
    if (rule.endDate && new Date(firstDay + index * WEEK_MS).toISOString().slice(0, 10) > rule.endDate) break;
    // A week later at the same UTC offset is the same wall-clock time: one offset lookup instead of
    // luxon's several (they were most of the CPU of expanding a year of weeks, at every report and
    // streak check). Any other week — a change of offset in between, or after a moved time — is
    // computed on the wall clock by luxon.
    const guess = previous && previous.at + WEEK_MS;
    let at: number;
    if (guess !== undefined && zoneOffset(zone, guess) === previous!.offset) at = guess;
    else {
      const date = new Date(firstDay + index * WEEK_MS);
      at = wallClockInstant(zone, date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), hour, minute);
      const offset = zoneOffset(zone, at);
      const onTime =
        at + offset * 60_000 === Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), hour, minute);
      previous = onTime ? { at, offset } : undefined;
    }
    if (previous) previous.at = at;
    if (at >= to.getTime()) break;
    if (at >= from.getTime()) out.push(new Date(at));
    index++;
  }
  return out;
}

/** ISO week identity (`2026-W45`) of an instant in a zone: "still in the same week" compares these. */
export function isoWeekOf(at: Date, zone: string): string {
  return localDay(at, zone).isoWeek;
}
