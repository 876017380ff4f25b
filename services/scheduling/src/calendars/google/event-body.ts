import type { calendar_v3 } from './googleapis.js';
import { DateTime } from 'luxon';
import { occurrenceKey } from '@cadence/shared/time';
import type { Weekday } from '@cadence/shared/time';
import type { SeriesDoc } from '../../series/models.js';
import { weeklyRrule } from '../../series/rrule.js';
import { plannedOccurrences, seriesEnd } from '../../series/schedule.js';
import type { SeriesForCalendar } from '../provider.js';

const SEARCH_MS = 60 * 7 * 24 * 3600_000;

/** When rule segment `i` stops: the next segment's start, or the series' end. */
export function segmentUntil(series: SeriesDoc, i: number): Date | undefined {
  const next = series.segments[i + 1]?.effectiveFrom;
  const end = seriesEnd(series);
  return [next, end].filter((d): d is Date => Boolean(d)).sort((a, b) => +a - +b)[0];
}

/** The first planned meeting of a rule segment (undefined when the segment never produced one). */
export function firstOfSegment(series: SeriesDoc, i: number) {
  const segment = series.segments[i]!;
  const from = i === 0 ? DateTime.fromISO(series.startDate, { zone: series.timeZone }).toJSDate() : segment.effectiveFrom;
  const until = segmentUntil(series, i) ?? new Date(from.getTime() + SEARCH_MS);
  return plannedOccurrences(series, from, until).find((p) => p.segment === segment);
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * The protected recurring event of one rule segment: the rep invited, the agenda link in the
 * description and in `source`, Cadence's ids in private extended properties, guests unable to
 * change the event or invite others, reminders on.
 */
export function googleEventBody({ series, manager, rep }: SeriesForCalendar, i: number): calendar_v3.Schema$Event | undefined {
  const segment = series.segments[i]!;
  const first = firstOfSegment(series, i);
  if (!first) return undefined;
  const zone = series.timeZone;
  const until = segmentUntil(series, i);
  const local = (d: Date) => DateTime.fromJSDate(d, { zone }).toISO({ includeOffset: true, suppressMilliseconds: true })!;
  const agenda = series.agendaUrl;
  const description = [
    `<p>Weekly one-on-one between ${escapeHtml(manager.name)} and ${escapeHtml(rep.name)}, kept by Cadence: same time, same place, one agenda, homework at the end.</p>`,
    agenda ? `<p>Agenda: <a href="${escapeHtml(agenda)}">${escapeHtml(agenda)}</a></p>` : '',
    '<p>Please do not cancel without a reason; if you must, record an excuse in Cadence.</p>',
  ].join('');
  return {
    summary: `1:1 ${manager.name} / ${rep.name}`,
    description,
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
