import { DateTime } from 'luxon';
import { occurrenceKey } from '@cadence/shared/time';
import { inviteHtml, inviteSubject } from '../invite.js';
import type { SeriesForCalendar } from '../provider.js';
import { firstOfSegment, lastOfSegment } from '../segments.js';
import { extendedPropertyId } from './ids.js';

/** Graph's dateTimeTimeZone: wall time in a named zone (IANA names are accepted). */
export const wallTime = (d: Date, zone: string) => ({
  dateTime: DateTime.fromJSDate(d, { zone }).toFormat("yyyy-MM-dd'T'HH:mm:ss"),
  timeZone: zone,
});

const localDate = (d: Date, zone: string) => DateTime.fromJSDate(d, { zone }).toISODate()!;

/** What both the series master and a restoring single event carry. */
function shared(input: SeriesForCalendar, location: string | null) {
  const { rep } = input;
  return {
    subject: inviteSubject(input),
    body: { contentType: 'html', content: inviteHtml(input) },
    location: { displayName: location ?? '' },
    attendees: [{ emailAddress: { address: rep.email, name: rep.name }, type: 'required' }],
    allowNewTimeProposals: false,
    isReminderOn: true,
    reminderMinutesBeforeStart: 10,
  };
}

/**
 * The protected recurring event of one rule segment (Graph `event`): a weekly pattern on the day,
 * the range from the first meeting's date in the series' zone (ending on the last meeting's date
 * when the segment ends), the rep as required attendee, the agenda link in the HTML body, Cadence's
 * ids in single-value extended properties, no new-time proposals, a reminder.
 */
export function graphEventBody(input: SeriesForCalendar, i: number): Record<string, unknown> | undefined {
  const { series } = input;
  const segment = series.segments[i]!;
  const first = firstOfSegment(series, i);
  if (!first) return undefined;
  const zone = series.timeZone;
  const last = lastOfSegment(series, i);
  const range = last
    ? { type: 'endDate', startDate: localDate(first.originalStart, zone), endDate: localDate(last.originalStart, zone) }
    : { type: 'noEnd', startDate: localDate(first.originalStart, zone) };
  return {
    ...shared(input, segment.location ?? null),
    start: wallTime(first.originalStart, zone),
    end: wallTime(first.plannedEnd, zone),
    recurrence: {
      pattern: { type: 'weekly', interval: 1, daysOfWeek: [segment.weekday], firstDayOfWeek: 'monday' },
      range: { ...range, recurrenceTimeZone: zone },
    },
    singleValueExtendedProperties: [
      { id: extendedPropertyId('SeriesId'), value: series._id },
      { id: extendedPropertyId('OrganizationId'), value: series.organizationId },
      { id: extendedPropertyId('Segment'), value: String(i) },
      { id: extendedPropertyId('FirstKey'), value: occurrenceKey(first.originalStart) },
    ],
  };
}

/**
 * Graph cannot bring a deleted occurrence back, so a restored meeting is a single event in its slot
 * with the series' invite and an extended property naming the occurrence.
 */
export function graphRestoreBody(
  input: SeriesForCalendar,
  slot: { originalStart: Date; plannedEnd: Date; location: string | null; key: string },
): Record<string, unknown> {
  const zone = input.series.timeZone;
  return {
    ...shared(input, slot.location),
    start: wallTime(slot.originalStart, zone),
    end: wallTime(slot.plannedEnd, zone),
    singleValueExtendedProperties: [
      { id: extendedPropertyId('SeriesId'), value: input.series._id },
      { id: extendedPropertyId('OrganizationId'), value: input.series.organizationId },
      { id: extendedPropertyId('OccurrenceKey'), value: slot.key },
    ],
  };
}
