import { DateTime } from 'luxon';
// rrule ships CommonJS without an exports map, so Node's ESM loader only sees its default export
import rrulePkg from 'rrule';
import type { Weekday } from '@cadence/shared/time';

const { RRule } = rrulePkg;

const BYDAY = {
  monday: RRule.MO,
  tuesday: RRule.TU,
  wednesday: RRule.WE,
  thursday: RRule.TH,
  friday: RRule.FR,
  saturday: RRule.SA,
  sunday: RRule.SU,
} as const;

/**
 * The RFC 5545 rule line for a weekly series, as calendars store it (`RRULE:FREQ=WEEKLY;BYDAY=TU`,
 * no DTSTART: the start carries its own time zone). An end date becomes UNTIL at the end of that
 * local day, in UTC as RFC 5545 requires when the start has a TZID.
 */
export function weeklyRrule(rule: {
  weekday: Weekday;
  timeZone: string;
  until?: Date | null;
  endDate?: string | null;
  count?: number | null;
}): string {
  // a count is shown as given; an explicit end (a date, or the series being ended) becomes UNTIL
  const until =
    rule.until ??
    (rule.endDate && !rule.count
      ? DateTime.fromISO(rule.endDate, { zone: rule.timeZone }).endOf('day').set({ millisecond: 0 }).toUTC().toJSDate()
      : null);
  return new RRule({
    freq: RRule.WEEKLY,
    byweekday: [BYDAY[rule.weekday]],
    ...(until ? { until } : rule.count ? { count: rule.count } : {}),
  }).toString();
}
