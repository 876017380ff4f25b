import type { Model } from 'mongoose';
import type { Journal } from '@cadence/shared/db';
import { newId } from '@cadence/shared/ids';
import type { CalendarProvider, CalendarRef, SeriesForCalendar } from '../provider.js';
import type { LocalEventDoc } from './models.js';
import { updateLocalEvent } from './store.js';

/**
 * The embedded calendar: the event lives in MongoDB and reaches people through their private
 * iCalendar feeds. Series changes only bump the event's sequence — the feed is rendered from the
 * series rule and the event's exceptions on every request.
 */
export class LocalCalendarProvider implements CalendarProvider {
  readonly kind = 'local' as const;

  constructor(
    private readonly LocalEvents: Model<LocalEventDoc>,
    private readonly journal: Journal,
    private readonly now: () => Date,
  ) {}

  async createSeries({ series }: SeriesForCalendar): Promise<CalendarRef> {
    const id = newId('lev');
    await this.LocalEvents.create({
      _id: id,
      organizationId: series.organizationId,
      seriesId: series._id,
      sequence: 0,
      updatedAt: this.now(),
    });
    return { provider: 'local', eventId: id, calendarId: null, connectionId: null };
  }

  async updateSeries({ series }: SeriesForCalendar): Promise<CalendarRef> {
    await updateLocalEvent(this.LocalEvents, this.journal, series, this.now, () => true);
    return { provider: 'local', eventId: series.calendar.eventId ?? null, calendarId: null, connectionId: null };
  }

  async endSeries({ series }: SeriesForCalendar): Promise<void> {
    await updateLocalEvent(this.LocalEvents, this.journal, series, this.now, () => true);
  }

  async restoreOccurrence({ series }: SeriesForCalendar, key: string): Promise<void> {
    await updateLocalEvent(this.LocalEvents, this.journal, series, this.now, (event) => {
      if (!event.cancelled.includes(key)) return false;
      event.cancelled = event.cancelled.filter((k) => k !== key);
      return true;
    });
  }
}
