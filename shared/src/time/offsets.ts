import { DateTime, FixedOffsetZone, IANAZone } from 'luxon';

/**
 * A zone's UTC offset at an instant, remembered. luxon asks Intl for it at every conversion (its
 * `partsOffset` was the largest single cost of expanding a year of meetings), while an
 * organization's meetings share a few zones and weekly times, so the same instants come back.
 */
const offsets = new Map<string, number>();
/** ~5 MB at most; cleared whole when full (a few hundred slots × a few years fit many times). */
const MAX_REMEMBERED = 50_000;

export function zoneOffset(zone: string, ts: number): number {
  const key = `${zone}|${ts}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    if (offsets.size >= MAX_REMEMBERED) offsets.clear();
    offset = IANAZone.create(zone).offset(ts);
    offsets.set(key, offset);
  }
  return offset;
}

/**
 * The instant as a date-time at the zone's offset then: its local fields (date, time, ISO week)
 * are the zone's. For reading only: arithmetic on it would not follow the zone's offset changes.
 */
export function inZone(at: Date | number, zone: string): DateTime {
  const ts = typeof at === 'number' ? at : at.getTime();
  return DateTime.fromMillis(ts, { zone: FixedOffsetZone.instance(zoneOffset(zone, ts)) });
}

/** ISO 8601 with the zone's offset then (`2026-03-08T10:00:00-04:00`), as luxon writes it for the zone. */
export function localIso(at: Date, zone: string): string {
  const ts = at.getTime();
  const offset = zoneOffset(zone, ts);
  // a fixed zone at offset 0 writes `Z` where the named zone writes `+00:00`
  return DateTime.fromMillis(ts, { zone: offset === 0 ? zone : FixedOffsetZone.instance(offset) }).toISO({
    suppressMilliseconds: true,
  })!;
}

const MINUTE_MS = 60_000;
/** Far enough either side of a day to be past a change of offset on it, not so far as to reach another. */
const AROUND_MS = 36 * 3600_000;

/**
 * The instant a local date and time name in a zone, read as RFC 5545 (§3.3.5) says: a time that
 * occurs twice (the hour repeated when clocks go back) is its first occurrence, and one that does
 * not occur (skipped when they go forward) is read at the offset before the gap — moved forward by
 * it. luxon alone resolves a repeated hour by the offset it starts guessing from (the zone's offset
 * today, or the date-time it adds to), so the same meeting could land an hour apart.
 */
export function wallClockInstant(zone: string, year: number, month: number, day: number, hour: number, minute: number): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const before = zoneOffset(zone, wall - AROUND_MS);
  const after = zoneOffset(zone, wall + AROUND_MS);
  const valid = [before, after].map((o) => wall - o * MINUTE_MS).filter((ts) => ts + zoneOffset(zone, ts) * MINUTE_MS === wall);
  if (valid.length) return Math.min(...valid);
  if (before !== after) return wall - before * MINUTE_MS;
  // two changes within the window (rare, historical): luxon's reading
  return DateTime.fromObject({ year, month, day, hour, minute }, { zone }).toMillis();
}
