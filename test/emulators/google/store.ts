import { randomBytes } from 'node:crypto';
import type { CalendarState, Versioned } from './model.js';
import type { Instant } from './time.js';

/**
 * All calendars and their change counters. Every mutation, whether it came through the API or
 * through a person-action, goes through `mutate`, so both produce the same sync-token movement
 * and exactly one push notification per change.
 */
export class CalendarStore {
  private readonly calendars = new Map<string, CalendarState>();
  private readonly listeners: ((calendarId: string) => void)[] = [];

  constructor(private readonly clock: () => Date) {}

  now(): Instant {
    return this.clock().getTime();
  }

  create(owner: string, timeZone: string): CalendarState {
    const existing = this.calendars.get(owner);
    if (existing) return existing;
    const calendar: CalendarState = {
      id: owner,
      owner,
      timeZone,
      nonce: randomBytes(6).toString('hex'),
      epoch: 0,
      seq: 0,
      events: new Map(),
    };
    this.calendars.set(owner, calendar);
    return calendar;
  }

  get(id: string): CalendarState | undefined {
    return this.calendars.get(id);
  }

  all(): CalendarState[] {
    return [...this.calendars.values()];
  }

  onChange(listener: (calendarId: string) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Runs one logical change. `touch` stamps each changed item with a fresh change number;
   * watchers hear about the calendar once, after the change, and only if something changed.
   */
  mutate<T>(calendar: CalendarState, change: (touch: (item: Versioned, significant?: boolean) => void) => T): T {
    let touched = false;
    const now = this.now();
    const touch = (item: Versioned, significant = false) => {
      touched = true;
      calendar.seq += 1;
      item.changeSeq = calendar.seq;
      item.version += 1;
      item.updated = Math.max(now, item.updated);
      if (significant) item.sequence += 1;
    };
    const result = change(touch);
    if (touched) for (const listener of this.listeners) listener(calendar.id);
    return result;
  }

  /** Invalidates every sync token issued so far for one calendar, or all of them. */
  expireSyncTokens(calendarId?: string): void {
    for (const calendar of this.calendars.values()) {
      if (!calendarId || calendar.id === calendarId) calendar.epoch += 1;
    }
  }
}

/** Fresh bookkeeping for a new item. */
export function newVersioned(now: Instant, sequence = 0): Versioned {
  return { created: now, updated: now, sequence, version: 0, changeSeq: 0 };
}
