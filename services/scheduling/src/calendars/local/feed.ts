import { getVtimezoneComponent } from '@touch4it/ical-timezones';
import { DateTime } from 'luxon';
import ical, { ICalAttendeeStatus, ICalEventRepeatingFreq, ICalWeekday } from 'ical-generator';
import { occurrenceKey, parseOccurrenceKey, type Weekday } from '@cadence/shared/time';
import { occurrenceAgendaUrl } from '../../changes/event-data.js';
import type { PersonDoc } from '../../people/models.js';
import type { SeriesDoc } from '../../series/models.js';
import { plannedOccurrences, seriesEnd } from '../../series/schedule.js';
import type { LocalEventState } from './store.js';

const BYDAY: Record<Weekday, ICalWeekday> = {
  monday: ICalWeekday.MO,
  tuesday: ICalWeekday.TU,
  wednesday: ICalWeekday.WE,
  thursday: ICalWeekday.TH,
  friday: ICalWeekday.FR,
  saturday: ICalWeekday.SA,
  sunday: ICalWeekday.SU,
};

export interface FeedItem {
  series: SeriesDoc;
  manager: PersonDoc;
  rep: PersonDoc;
  event: LocalEventState;
}

/** Far enough ahead to find the first occurrence of any segment. */
const SEARCH_WEEKS = 60 * 7 * 24 * 3600 * 1000;

/**
 * A person's private iCalendar feed (RFC 5545): one recurring VEVENT per series (one per rule
 * segment after an update, like a calendar's "this and following" split) with its RRULE and TZID,
 * EXDATE for cancelled occurrences and RECURRENCE-ID overrides for moved, edited or declined ones.
 * VTIMEZONE blocks come from a maintained tz-to-iCalendar table, so any parser gets the instants right.
 */
export function renderFeed(owner: PersonDoc, items: FeedItem[]): string {
  const cal = ical({
    name: `Cadence one-on-ones — ${owner.name}`,
    prodId: { company: 'Cadence', product: 'one-on-ones', language: 'EN' },
    ttl: 900,
  });
  cal.timezone({ name: owner.timeZone, generator: getVtimezoneComponent });

  for (const { series, manager, rep, event } of items) {
    if (event.deleted) continue;
    const zone = series.timeZone;
    // ical-generator writes TZID times from zoned luxon values; a bare Date would be written as UTC wall time
    const at = (d: Date) => DateTime.fromJSDate(d, { zone });
    const stop = [seriesEnd(series), event.truncatedAt ?? undefined]
      .filter((d): d is Date => Boolean(d))
      .sort((a, b) => +a - +b)[0];
    const summary = `1:1 ${manager.name} / ${rep.name}`;
    const organizer = { name: manager.name, email: manager.email };
    const attendees = (key?: string) => [
      {
        name: rep.name,
        email: rep.email,
        status: event.declines.some((d) => d.key === key && d.email === rep.email)
          ? ICalAttendeeStatus.DECLINED
          : ICalAttendeeStatus.ACCEPTED,
      },
      {
        name: manager.name,
        email: manager.email,
        status: event.declines.some((d) => d.key === key && d.email === manager.email)
          ? ICalAttendeeStatus.DECLINED
          : ICalAttendeeStatus.ACCEPTED,
      },
    ];
    const description = (key: string) => {
      const link = occurrenceAgendaUrl(series, key) ?? series.agendaUrl;
      return `Weekly one-on-one kept by Cadence.${link ? `\nAgenda: ${link}` : ''}`;
    };

    series.segments.forEach((segment, i) => {
      const next = series.segments[i + 1];
      const from = i === 0 ? DateTime.fromISO(series.startDate, { zone }).toJSDate() : segment.effectiveFrom;
      const until = [next?.effectiveFrom, stop].filter((d): d is Date => Boolean(d)).sort((a, b) => +a - +b)[0];
      const first = plannedOccurrences(series, from, until ?? new Date(from.getTime() + SEARCH_WEEKS)).find(
        (p) => p.segment === segment,
      );
      if (!first) return;
      const firstKey = occurrenceKey(first.originalStart);
      // keys sort like the instants they name
      const inSegment = (key: string) => key >= firstKey && (!until || key < occurrenceKey(until));
      const uid = `${series._id}${i ? `-${i}` : ''}@cadence`;
      const excluded = event.cancelled.filter(inSegment);
      cal.createEvent({
        id: uid,
        sequence: event.sequence,
        start: at(first.originalStart),
        end: at(first.plannedEnd),
        timezone: zone,
        summary,
        description: description(firstKey),
        location: segment.location ?? null,
        organizer,
        attendees: attendees(),
        repeating: {
          freq: ICalEventRepeatingFreq.WEEKLY,
          byDay: [BYDAY[segment.weekday as Weekday]],
          ...(until ? { until: new Date(until.getTime() - 1000) } : {}),
          // an empty list would still print a bare EXDATE line
          ...(excluded.length ? { exclude: excluded.map((key) => at(parseKey(key))) } : {}),
        },
      });
      const overridden = new Set([...event.overrides.map((o) => o.key!), ...event.declines.map((d) => d.key!)]);
      for (const key of [...overridden].filter((k) => inSegment(k) && !event.cancelled.includes(k))) {
        const original = parseKey(key);
        const o = event.overrides.find((x) => x.key === key);
        const duration = segment.durationMinutes * 60_000;
        cal.createEvent({
          id: uid,
          sequence: event.sequence,
          recurrenceId: at(original),
          start: at(o?.start ?? original),
          end: at(o?.end ?? new Date(original.getTime() + duration)),
          timezone: zone,
          summary,
          description: description(key),
          location: o ? (o.location ?? null) : (segment.location ?? null),
          organizer,
          attendees: attendees(key),
        });
      }
    });
  }
  return cal.toString();
}

const parseKey = (key: string): Date => parseOccurrenceKey(key)!;
