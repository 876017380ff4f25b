import { DateTime, IANAZone } from 'luxon';

/** Instants travel as epoch milliseconds inside the emulator; zones only matter for rendering and expansion. */
export type Instant = number;

/** What callers of the control API may hand us for an instant. */
export type TimeInput = Date | string | number;

export function isValidZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/**
 * Accepts a Date, epoch ms, an ISO/RFC 3339 string with offset, or an instance key
 * (`YYYYMMDDTHHMMSSZ` / `YYYYMMDD`), because Cadence names occurrences by that key.
 */
export function toInstant(input: TimeInput): Instant {
  if (input instanceof Date) return input.getTime();
  if (typeof input === 'number') return input;
  const key = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z)?$/.exec(input);
  if (key) {
    const [, y, mo, d, h = '00', mi = '00', s = '00'] = key;
    return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  }
  const parsed = DateTime.fromISO(input, { setZone: true });
  if (!parsed.isValid || !hasOffset(input)) throw new Error(`not an instant with an offset: ${input}`);
  return parsed.toMillis();
}

/** RFC 3339 requires an offset (or Z) for an absolute time. */
export function hasOffset(value: string): boolean {
  return /(Z|[+-]\d{2}:?\d{2})$/i.test(value.trim());
}

/** Parses an RFC 3339 timestamp with offset; returns undefined when it is not one. */
export function parseRfc3339(value: string): Instant | undefined {
  if (!hasOffset(value)) return undefined;
  const parsed = DateTime.fromISO(value.trim(), { setZone: true });
  return parsed.isValid ? parsed.toMillis() : undefined;
}

/**
 * A local date and time in a zone as RFC 5545 (§3.3.5) reads it, which is how recurrences expand:
 * a time that occurs twice (clocks going back) is its first occurrence, and one that a change skips
 * is moved forward by the gap. luxon alone picks one of a repeated hour by the offset it guesses
 * from (the zone's offset today), so the same rule would expand differently in winter and summer.
 * The zone's offsets a day either side give the candidates (no zone changes twice within two days).
 */
export function localInstant(
  fields: { year: number; month: number; day: number; hour: number; minute: number; second: number },
  zone: string,
): Instant {
  const wall = Date.UTC(fields.year, fields.month - 1, fields.day, fields.hour, fields.minute, fields.second);
  const before = offsetMs(zone, wall - DAY_MS);
  const after = offsetMs(zone, wall + DAY_MS);
  const early = wall - Math.max(before, after);
  const late = wall - Math.min(before, after);
  if (offsetMs(zone, early) === Math.max(before, after)) return early;
  if (offsetMs(zone, late) === Math.min(before, after)) return late;
  // in the gap: read with the offset before the change, which lands after it, moved by the gap
  return wall - before;
}

const DAY_MS = 86_400_000;
/** Zones change offset at whole quarter hours (UTC), so the offset is one per quarter hour. */
const QUARTER_MS = 900_000;
const offsets = new Map<string, number>();

/**
 * The zone's UTC offset (ms) at an instant, kept per zone and quarter hour: an instance look-up
 * expands its series from the first meeting on, and asking luxon (Intl) for each start was most of
 * the emulator's CPU in a burst of cancellations.
 */
function offsetMs(zone: string, at: Instant): number {
  const quarter = Math.floor(at / QUARTER_MS);
  const key = `${zone}|${quarter}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    offset = IANAZone.create(zone).offset(quarter * QUARTER_MS) * 60_000;
    if (offsets.size >= 200_000) offsets.clear();
    offsets.set(key, offset);
  }
  return offset;
}

/** Reads a wall-clock date-time (no offset) in a zone. */
export function parseLocal(value: string, zone: string): Instant | undefined {
  const parsed = DateTime.fromISO(value.trim(), { zone });
  return parsed.isValid ? parsed.toMillis() : undefined;
}

const UTC_NAMES = new Set(['UTC', 'Etc/UTC', 'GMT', 'Etc/GMT', 'Z']);

/** `2026-10-27T09:00:00-04:00`, or `...Z` when the response zone is UTC, as Google writes it. */
export function formatRfc3339(ms: Instant, zone: string): string {
  if (UTC_NAMES.has(zone)) return DateTime.fromMillis(ms, { zone: 'utc' }).toFormat("yyyy-MM-dd'T'HH:mm:ss'Z'");
  return DateTime.fromMillis(ms, { zone }).toFormat("yyyy-MM-dd'T'HH:mm:ssZZ");
}

/** `updated`/`created` are UTC with milliseconds: `2026-01-05T10:00:00.123Z`. */
export function formatTimestamp(ms: Instant): string {
  return new Date(ms).toISOString();
}

/** HTTP date (RFC 1123), as in `X-Goog-Channel-Expiration`. */
export function formatRfc1123(ms: Instant): string {
  return new Date(ms).toUTCString();
}

/** The occurrence key Google appends to instance ids: UTC `YYYYMMDDTHHMMSSZ`, or `YYYYMMDD` for all-day. */
export function instanceKey(ms: Instant, allDay: boolean): string {
  const utc = DateTime.fromMillis(ms, { zone: 'utc' });
  return allDay ? utc.toFormat('yyyyMMdd') : utc.toFormat("yyyyMMdd'T'HHmmss'Z'");
}

/** `YYYY-MM-DD` of an all-day value, held as UTC midnight. */
export function formatDate(ms: Instant): string {
  return DateTime.fromMillis(ms, { zone: 'utc' }).toFormat('yyyy-MM-dd');
}

export function parseDate(value: string): Instant | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const parsed = DateTime.fromISO(value, { zone: 'utc' });
  return parsed.isValid ? parsed.toMillis() : undefined;
}
