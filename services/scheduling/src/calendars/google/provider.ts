import type { calendar_v3 } from './googleapis.js';
import { DateTime } from 'luxon';
import { parseOccurrenceKey } from '@cadence/shared/time';
import { plannedAt } from '../../series/schedule.js';
import type { CalendarProvider, CalendarRef, SeriesForCalendar } from '../provider.js';
import type { GoogleAccounts } from './accounts.js';
import { googleStatus, withGoogleRetry } from './errors.js';
import { googleEventBody } from './event-body.js';
import { googleEventId } from './ids.js';

/**
 * Google Calendar behind the provider interface (after Cal.com's GoogleCalendarService): the
 * series is one recurring event per rule segment on the manager's calendar, written with
 * `sendUpdates=all` so the rep's invitation follows every change.
 */
export class GoogleCalendarProvider implements CalendarProvider {
  readonly kind = 'google' as const;

  constructor(private readonly accounts: GoogleAccounts) {}

  async precheck({ manager }: Pick<SeriesForCalendar, 'manager'>): Promise<void> {
    await this.accounts.forManager(manager);
  }

  async createSeries(input: SeriesForCalendar): Promise<CalendarRef> {
    const connection = await this.accounts.forManager(input.manager);
    const calendar = this.accounts.client(connection);
    const id = googleEventId(input.series._id, 0);
    await this.upsert(calendar, connection.calendarId, id, googleEventBody(input, 0)!, 'insert-first');
    return { provider: 'google', eventId: id, calendarId: connection.calendarId, connectionId: connection._id };
  }

  /** Rewrites every segment's event: earlier ones end where the next begins, the newest is created if new. */
  async updateSeries(input: SeriesForCalendar): Promise<CalendarRef> {
    const connection = await this.accounts.forManager(input.manager);
    const calendar = this.accounts.client(connection);
    let latest = googleEventId(input.series._id, 0);
    for (let i = 0; i < input.series.segments.length; i++) {
      const body = googleEventBody(input, i);
      if (!body) continue;
      latest = googleEventId(input.series._id, i);
      await this.upsert(calendar, connection.calendarId, latest, body);
    }
    return { provider: 'google', eventId: latest, calendarId: connection.calendarId, connectionId: connection._id };
  }

  async endSeries(input: SeriesForCalendar): Promise<void> {
    await this.updateSeries(input);
  }

  /** Finds the cancelled instance by its original start (Google's ids stay opaque) and confirms it. */
  async restoreOccurrence(input: SeriesForCalendar, key: string): Promise<void> {
    const connection = await this.accounts.forManager(input.manager);
    const calendar = this.accounts.client(connection);
    const planned = plannedAt(input.series, parseOccurrenceKey(key)!);
    if (!planned) return;
    const segment = input.series.segments.indexOf(planned.segment);
    const originalStart = DateTime.fromJSDate(planned.originalStart, { zone: input.series.timeZone }).toISO({
      suppressMilliseconds: true,
    })!;
    const found = await withGoogleRetry(() =>
      calendar.events.instances({
        calendarId: connection.calendarId,
        eventId: googleEventId(input.series._id, segment),
        originalStart,
        showDeleted: true,
      }),
    );
    const instance = found.data.items?.[0];
    if (!instance?.id) return;
    await withGoogleRetry(() =>
      calendar.events.patch({
        calendarId: connection.calendarId,
        eventId: instance.id!,
        sendUpdates: 'all',
        requestBody: { status: 'confirmed' },
      }),
    );
  }

  /** Patch, or insert when the event does not exist yet; a new series tries the insert first (one call). */
  private async upsert(
    calendar: calendar_v3.Calendar,
    calendarId: string,
    id: string,
    body: calendar_v3.Schema$Event,
    order: 'patch-first' | 'insert-first' = 'patch-first',
  ): Promise<void> {
    if (order === 'patch-first') {
      try {
        await withGoogleRetry(() => calendar.events.patch({ calendarId, eventId: id, sendUpdates: 'all', requestBody: body }));
        return;
      } catch (err) {
        if (googleStatus(err) !== 404) throw err;
      }
    }
    try {
      await withGoogleRetry(() => calendar.events.insert({ calendarId, sendUpdates: 'all', requestBody: { ...body, id } }));
    } catch (err) {
      // a retried insert whose first attempt landed: the event is there, which is what we wanted
      if (googleStatus(err) !== 409) throw err;
      await withGoogleRetry(() => calendar.events.patch({ calendarId, eventId: id, sendUpdates: 'all', requestBody: body }));
    }
  }
}
