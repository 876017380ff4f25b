import { DateTime, FixedOffsetZone, IANAZone } from 'luxon';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** Offsets by zone and instant, for instants of the days on which a zone's offset changes. */
const offsets = new Map<string, Map<number, number>>();
let remembered = 0;
/** ~5 MB at most per memory; cleared whole when full (a few zones × a few years fit many times). */
const MAX_REMEMBERED = 50_000;

/** Offsets by zone and UTC day number; null for a day on which the zone's offset changes. */
const dayOffsets = new Map<string, Map<number, number | null>>();
let daysRemembered = 0;

/**
 * A zone's UTC offset at an instant, remembered. luxon asks Intl for it at every conversion (its
 * `partsOffset` was the largest single cost of expanding a year of meetings). Remembered by UTC
 * day: a thousand pairs meeting at different times are a thousand instants a week, but the
 * zones' offsets change a few times a year, so a year's report asks Intl some 2 × 365 questions
 * per zone instead of one per meeting (~50,000: the first report's largest cost).
 */
export function zoneOffset(zone: string, ts: number): number {
  let byDay = dayOffsets.get(zone);
  if (!byDay) dayOffsets.set(zone, (byDay = new Map()));
  const day = Math.floor(ts / DAY_MS);
  let whole = byDay.get(day);
  if (whole === undefined) {
    if (daysRemembered >= MAX_REMEMBERED) {
      for (const m of dayOffsets.values()) m.clear();
      daysRemembered = 0;
    }
    const zoned = IANAZone.create(zone);
    // the same at the day's first and last millisecond: the same all day (no zone changes its
    // offset and back within a day; the tests compare with luxon at random instants in every zone)
    const first = zoned.offset(day * DAY_MS);
    whole = first === zoned.offset((day + 1) * DAY_MS - 1) ? first : null;
    byDay.set(day, whole);
    daysRemembered++;
  }
  return whole ?? offsetAt(zone, ts);
}

/** The offset at an instant of a day on which it changes. */
function offsetAt(zone: string, ts: number): number {
  // by zone, then by instant: no key string to build for each question
  let byInstant = offsets.get(zone);
  if (!byInstant) offsets.set(zone, (byInstant = new Map()));
  let offset = byInstant.get(ts);
  if (offset === undefined) {
    if (remembered >= MAX_REMEMBERED) {
      for (const m of offsets.values()) m.clear();
      remembered = 0;
    }
    offset = IANAZone.create(zone).offset(ts);
    byInstant.set(ts, offset);
    remembered++;
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

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** Local days worked out so far, by day number since 1970 (a report's meetings fall on a few hundred). */
const days = new Map<number, LocalDay>();
const MAX_DAYS = 100_000;
export type LocalDay = { readonly date: string; readonly isoWeek: string };

/**
 * The local date (`2026-03-08`) and ISO week (`2026-W10`) of an instant in a zone, from the zone's
 * offset then, without a luxon date-time: a year's report asks this of every one of its ~80,000
 * meetings. The answer is shared by every instant of that local day: do not change it.
 */
export function localDay(at: Date | number, zone: string): LocalDay {
  const ts = typeof at === 'number' ? at : at.getTime();
  const dayNumber = Math.floor((ts + zoneOffset(zone, ts) * MINUTE_MS) / DAY_MS);
  let day = days.get(dayNumber);
  if (!day) {
    if (days.size >= MAX_DAYS) days.clear();
    days.set(dayNumber, (day = dayOf(dayNumber)));
  }
  return day;
}

function dayOf(dayNumber: number): LocalDay {
  const local = new Date(dayNumber * DAY_MS);
  const year = local.getUTCFullYear();
  if (!(year >= 0 && year <= 9999)) {
    const dt = DateTime.fromMillis(local.getTime(), { zone: 'UTC' }); // written with a sign and six digits: luxon's form
    return { date: dt.toISODate()!, isoWeek: `${dt.weekYear}-W${pad2(dt.weekNumber)}` };
  }
  // ISO 8601: a week belongs to the year of its Thursday and week 1 holds the first Thursday
  const thursday = new Date(local.getTime() + (3 - ((local.getUTCDay() + 6) % 7)) * DAY_MS);
  const weekYear = thursday.getUTCFullYear();
  const jan1 = new Date(0);
  jan1.setUTCFullYear(weekYear, 0, 1); // not Date.UTC: it reads years 0–99 as 1900–1999
  const week = 1 + Math.floor((thursday.getTime() - jan1.getTime()) / (7 * DAY_MS));
  return {
    date: `${String(year).padStart(4, '0')}-${pad2(local.getUTCMonth() + 1)}-${pad2(local.getUTCDate())}`,
    isoWeek: `${weekYear}-W${pad2(week)}`,
  };
}

/** Far enough either side of a day to be past a change of offset on it, not so far as to reach another. */
const AROUND_MS = 36 * 3600_000;

/** A `YYYY-MM-DD` date's midnight in UTC, in ms (setUTCFullYear: Date.UTC reads years 0–99 as 1900–1999). */
export function utcDay(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const at = new Date(0);
  at.setUTCFullYear(y, m - 1, d);
  return at.getTime();
}

/**
 * The instant a local date starts in a zone (`2026-03-08` in New York: 05:00Z); with `days`, that
 * many days later. Read as wallClockInstant reads any local time.
 */
export function localMidnight(date: string, zone: string, days = 0): number {
  const day = new Date(utcDay(date) + days * DAY_MS);
  return wallClockInstant(zone, day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), 0, 0);
}

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
