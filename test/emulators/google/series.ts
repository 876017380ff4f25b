import type { CalendarState, InstanceRef, StoredEvent, When } from './model.js';
import { expand, parseRecurrence, type SeriesStart } from './recurrence.js';
import { instanceKey, toInstant, type Instant } from './time.js';

/** Occurrence arithmetic over stored events: which slots a series has and what each one looks like. */

export function isRecurring(event: StoredEvent): boolean {
  return !!event.recurrence && event.recurrence.length > 0;
}

export function isAllDay(event: StoredEvent): boolean {
  return event.start.kind === 'date';
}

export function seriesStart(event: StoredEvent): SeriesStart {
  const start = event.start;
  return start.kind === 'date'
    ? { ms: start.ms, zone: 'UTC', allDay: true }
    : { ms: start.ms, zone: start.timeZone ?? 'UTC', allDay: false };
}

export function durationMs(event: StoredEvent): number {
  return event.end.ms - event.start.ms;
}

/** Original start instants of the series' occurrences before `toExclusive`. */
export function occurrenceStarts(event: StoredEvent, toExclusive: Instant): Instant[] {
  if (!isRecurring(event)) return [];
  return expand(parseRecurrence(event.recurrence ?? []), seriesStart(event), toExclusive);
}

export function isOccurrence(event: StoredEvent, originalStart: Instant): boolean {
  return occurrenceStarts(event, originalStart + 1).includes(originalStart);
}

export function keyOf(event: StoredEvent, originalStart: Instant): string {
  return instanceKey(originalStart, isAllDay(event));
}

export function instanceId(event: StoredEvent, originalStart: Instant): string {
  return `${event.id}_${keyOf(event, originalStart)}`;
}

export function refFor(event: StoredEvent, originalStart: Instant): InstanceRef {
  const key = keyOf(event, originalStart);
  return { master: event, key, originalStart, exception: event.exceptions.get(key) };
}

/** The original slot's start and end (before any move). */
export function originalWhen(ref: InstanceRef): { start: When; end: When } {
  const { master, originalStart } = ref;
  const end = originalStart + durationMs(master);
  return master.start.kind === 'date'
    ? { start: { kind: 'date', ms: originalStart }, end: { kind: 'date', ms: end } }
    : {
        start: { kind: 'dateTime', ms: originalStart, timeZone: master.start.timeZone },
        end: { kind: 'dateTime', ms: end, timeZone: master.end.kind === 'dateTime' ? master.end.timeZone : undefined },
      };
}

/** Where the occurrence actually is now (moved exceptions carry their own start/end). */
export function currentWhen(ref: InstanceRef): { start: When; end: When } {
  const original = originalWhen(ref);
  return { start: ref.exception?.start ?? original.start, end: ref.exception?.end ?? original.end };
}

export type Lookup = { kind: 'event'; event: StoredEvent } | { kind: 'instance'; ref: InstanceRef };

/**
 * Resolves an event id or an instance id (`<masterId>_<key>`). Instance ids are only valid for
 * slots the rule actually produces, or for slots that already have an exception.
 */
export function lookup(calendar: CalendarState, id: string): Lookup | undefined {
  const event = calendar.events.get(id);
  if (event) return { kind: 'event', event };
  const m = /^(.+)_(\d{8}(?:T\d{6}Z)?)$/.exec(id);
  if (!m) return undefined;
  const [, masterId = '', key = ''] = m;
  const master = calendar.events.get(masterId);
  if (!master || !isRecurring(master)) return undefined;
  if (isAllDay(master) !== (key.length === 8)) return undefined;
  const originalStart = toInstant(key);
  const exception = master.exceptions.get(key);
  if (!exception && !isOccurrence(master, originalStart)) return undefined;
  return { kind: 'instance', ref: { master, key, originalStart, exception } };
}
