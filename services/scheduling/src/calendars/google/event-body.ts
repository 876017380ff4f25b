import type { calendar_v3 } from './googleapis.js';
import { DateTime } from 'luxon';
import { occurrenceKey } from '@cadence/shared/time';
import type { Weekday } from '@cadence/shared/time';
import { weeklyRrule } from '../../series/rrule.js';
import { inviteHtml, inviteSubject } from '../invite.js';
import type { SeriesForCalendar } from '../provider.js';
import { firstOfSegment, segmentUntil } from '../segments.js';

export { firstOfSegment, segmentUntil };

/**
 * The protected recurring event of one rule segment: the rep invited, the agenda link in the
 * description and in `source`, Cadence's ids in private extended properties, guests unable to
 * change the event or invite others, reminders on.
 */
export function googleEventBody(input: SeriesForCalendar, i: number): calendar_v3.Schema$Event | undefined {
  const { series, rep } = input;
  const segment = series.segments[i]!;
  const first = firstOfSegment(series, i);
  if (!first) return undefined;
  const zone = series.timeZone;
  const until = segmentUntil(series, i);
  const local = (d: Date) => DateTime.fromJSDate(d, { zone }).toISO({ includeOffset: true, suppressMilliseconds: true })!;
  const agenda = series.agendaUrl;
  return {
    summary: inviteSubject(input),
    description: inviteHtml(input),
    location: segment.location ?? null,
    start: { dateTime: local(first.originalStart), timeZone: zone },
    end: { dateTime: local(first.plannedEnd), timeZone: zone },
    recurrence: [
      weeklyRrule({
        weekday: segment.weekday as Weekday,
        timeZone: zone,
        // UNTIL one second before the next segment's first instant keeps the boundary exclusive
        until: until ? new Date(until.getTime() - 1000) : null,
        count: null,
      }),
    ],
    attendees: [{ email: rep.email, displayName: rep.name }],
    guestsCanModify: false,
    guestsCanInviteOthers: false,
    reminders: {
      useDefault: false,
      overrides: [
        { method: 'popup', minutes: 10 },
        { method: 'email', minutes: 60 },
      ],
    },
    ...(agenda ? { source: { title: 'Cadence agenda', url: agenda } } : {}),
    extendedProperties: {
      private: {
        cadenceSeriesId: series._id,
        cadenceOrganizationId: series.organizationId,
        cadenceSegment: String(i),
        cadenceFirstKey: occurrenceKey(first.originalStart),
      },
    },
  };
}
