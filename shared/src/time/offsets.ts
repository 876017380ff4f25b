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
