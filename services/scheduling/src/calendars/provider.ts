import type { PersonDoc } from '../people/models.js';
import type { SeriesDoc } from '../series/models.js';

export type CalendarKind = 'local' | 'google' | 'microsoft';

/** A series with the people it is between, as a provider needs it to write the event. */
export interface SeriesForCalendar {
  series: SeriesDoc;
  manager: PersonDoc;
  rep: PersonDoc;
}

/** Where a series lives in a provider's calendar. */
export interface CalendarRef {
  provider: CalendarKind;
  eventId: string | null;
  calendarId: string | null;
  connectionId: string | null;
}

/**
 * One calendar provider (after Cal.com's calendar services: one interface, one class per provider).
 * Everything provider-specific stays behind it; changes come back as provider-neutral observations
 * fed to the change pipeline.
 */
export interface CalendarProvider {
  readonly kind: CalendarKind;
  /** Refuses early (a 400 naming the field) what the provider cannot do, e.g. a manager without a connection. */
  precheck?(input: Pick<SeriesForCalendar, 'manager' | 'rep'>): Promise<void>;
  /** Writes the protected recurring event; returns where it lives. */
  createSeries(input: SeriesForCalendar): Promise<CalendarRef>;
  /** Rewrites the event after the series changed (the new rule applies from its latest segment). */
  updateSeries(input: SeriesForCalendar): Promise<CalendarRef>;
  /** Stops the event's future occurrences; history stays. */
  endSeries(input: SeriesForCalendar): Promise<void>;
  /** Reinstates one cancelled occurrence. */
  restoreOccurrence(input: SeriesForCalendar, key: string): Promise<void>;
}

export class CalendarProviders {
  private readonly byKind = new Map<CalendarKind, CalendarProvider>();

  register(provider: CalendarProvider): this {
    this.byKind.set(provider.kind, provider);
    return this;
  }

  has(kind: string): boolean {
    return this.byKind.has(kind as CalendarKind);
  }

  get(kind: string): CalendarProvider {
    const provider = this.byKind.get(kind as CalendarKind);
    if (!provider) throw new Error(`calendar provider ${kind} is not configured`);
    return provider;
  }
}
