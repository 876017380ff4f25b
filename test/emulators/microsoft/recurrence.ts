import { DateTime } from 'luxon';
import { badRequest } from './errors.js';
import { resolveZone } from './time.js';

export const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
export type DayName = (typeof DAYS)[number];
const PATTERN_TYPES = ['daily', 'weekly', 'absoluteMonthly', 'relativeMonthly', 'absoluteYearly', 'relativeYearly'] as const;
type PatternType = (typeof PATTERN_TYPES)[number];
const INDEXES = ['first', 'second', 'third', 'fourth', 'last'] as const;
type WeekIndex = (typeof INDEXES)[number];
const RANGE_TYPES = ['endDate', 'noEnd', 'numbered'] as const;
type RangeType = (typeof RANGE_TYPES)[number];

/** A patternedRecurrence as Graph answers it: every property present, unused ones at defaults. */
export interface Recurrence {
  pattern: {
    type: PatternType;
    interval: number;
    month: number;
    dayOfMonth: number;
    daysOfWeek: DayName[];
    firstDayOfWeek: DayName;
    index: WeekIndex;
  };
  range: {
    type: RangeType;
    startDate: string;
    endDate: string;
    recurrenceTimeZone: string;
    numberOfOccurrences: number;
  };
}

/** Which optional pattern properties each type uses; anything else sent with a real value is a 400. */
const USES: Record<PatternType, ReadonlySet<string>> = {
  daily: new Set(),
  weekly: new Set(['daysOfWeek', 'firstDayOfWeek']),
  absoluteMonthly: new Set(['dayOfMonth']),
  relativeMonthly: new Set(['daysOfWeek', 'index']),
  absoluteYearly: new Set(['dayOfMonth', 'month']),
  relativeYearly: new Set(['daysOfWeek', 'index', 'month']),
};

const NO_DATE = '0001-01-01';
const invalid = (message: string) => badRequest('ErrorPropertyValidationFailure', message);

function lowerEnum<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  const found = typeof value === 'string' ? allowed.find((a) => a.toLowerCase() === value.toLowerCase()) : undefined;
  if (!found) throw invalid(`Invalid value '${String(value)}' for ${field}. Allowed: ${allowed.join(', ')}.`);
  return found;
}

function isDate(value: unknown): value is string {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && DateTime.fromISO(value).isValid;
}

/**
 * Validates a request's recurrence and fills the defaults Graph shows in responses. Unused
 * pattern properties are rejected unless they carry the default a GET returns (0, "first",
 * "sunday", []), so a client can send back what it read. `eventTimeZone` fills recurrenceTimeZone.
 */
export function normalizeRecurrence(input: unknown, eventTimeZone: string): Recurrence {
  if (typeof input !== 'object' || input === null) throw invalid('recurrence must be an object.');
  const { pattern, range } = input as { pattern?: Record<string, unknown>; range?: Record<string, unknown> };
  if (typeof pattern !== 'object' || pattern === null) throw invalid('recurrence.pattern is required.');
  if (typeof range !== 'object' || range === null) throw invalid('recurrence.range is required.');

  const type = lowerEnum(pattern.type, PATTERN_TYPES, 'recurrence.pattern.type');
  const uses = USES[type];
  const isDefault: Record<string, (v: unknown) => boolean> = {
    month: (v) => v === 0,
    dayOfMonth: (v) => v === 0,
    index: (v) => typeof v === 'string' && v.toLowerCase() === 'first',
    firstDayOfWeek: (v) => typeof v === 'string' && v.toLowerCase() === 'sunday',
    daysOfWeek: (v) => Array.isArray(v) && v.length === 0,
  };
  for (const [prop, test] of Object.entries(isDefault)) {
    const value = pattern[prop];
    if (value !== undefined && value !== null && !uses.has(prop) && !test(value)) {
      throw invalid(`The property '${prop}' is not valid for a recurrence pattern of type '${type}'.`);
    }
  }
  const interval = pattern.interval;
  if (typeof interval !== 'number' || !Number.isInteger(interval) || interval < 1 || interval > 99) {
    throw invalid('recurrence.pattern.interval must be an integer between 1 and 99.');
  }
  let daysOfWeek: DayName[] = [];
  if (uses.has('daysOfWeek')) {
    if (!Array.isArray(pattern.daysOfWeek) || pattern.daysOfWeek.length === 0) {
      throw invalid(`recurrence.pattern.daysOfWeek is required for type '${type}'.`);
    }
    daysOfWeek = [...new Set(pattern.daysOfWeek.map((d) => lowerEnum(d, DAYS, 'recurrence.pattern.daysOfWeek')))];
  }
  let firstDayOfWeek: DayName = 'sunday';
  if (type === 'weekly') {
    // The recurrencePattern reference lists firstDayOfWeek among the required properties of weekly.
    if (pattern.firstDayOfWeek === undefined || pattern.firstDayOfWeek === null) {
      throw invalid("recurrence.pattern.firstDayOfWeek is required for type 'weekly'.");
    }
    firstDayOfWeek = lowerEnum(pattern.firstDayOfWeek, DAYS, 'recurrence.pattern.firstDayOfWeek');
  }
  let dayOfMonth = 0;
  if (uses.has('dayOfMonth')) {
    const d = pattern.dayOfMonth;
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 1 || d > 31)
      throw invalid('recurrence.pattern.dayOfMonth must be 1-31.');
    dayOfMonth = d;
  }
  let month = 0;
  if (uses.has('month')) {
    const m = pattern.month;
    if (typeof m !== 'number' || !Number.isInteger(m) || m < 1 || m > 12) throw invalid('recurrence.pattern.month must be 1-12.');
    month = m;
  }
  const index: WeekIndex =
    uses.has('index') && pattern.index !== undefined ? lowerEnum(pattern.index, INDEXES, 'recurrence.pattern.index') : 'first';

  const rangeType = lowerEnum(range.type, RANGE_TYPES, 'recurrence.range.type');
  if (!isDate(range.startDate)) throw invalid('recurrence.range.startDate is required (yyyy-MM-dd).');
  let endDate = NO_DATE;
  let numberOfOccurrences = 0;
  if (rangeType === 'endDate') {
    if (!isDate(range.endDate)) throw invalid("recurrence.range.endDate is required for range type 'endDate'.");
    if (range.endDate < range.startDate) throw invalid('recurrence.range.endDate must not be before startDate.');
    endDate = range.endDate;
  } else if (rangeType === 'numbered') {
    const n = range.numberOfOccurrences;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
      throw invalid("recurrence.range.numberOfOccurrences must be a positive integer for range type 'numbered'.");
    }
    numberOfOccurrences = n;
  }
  const tz = typeof range.recurrenceTimeZone === 'string' && range.recurrenceTimeZone ? range.recurrenceTimeZone : eventTimeZone;
  resolveZone(tz);
  return {
    pattern: { type, interval, month, dayOfMonth, daysOfWeek, firstDayOfWeek, index },
    range: { type: rangeType, startDate: range.startDate, endDate, recurrenceTimeZone: tz, numberOfOccurrences },
  };
}

const weekdayNumber = (d: DayName) => (DAYS.indexOf(d) === 0 ? 7 : DAYS.indexOf(d)); // luxon: Mon=1 … Sun=7

/** Candidate dates of one period (day, week, month or year) in pattern order. */
function datesInPeriod(rec: Recurrence, periodStart: DateTime): DateTime[] {
  const p = rec.pattern;
  switch (p.type) {
    case 'daily':
      return [periodStart];
    case 'weekly': {
      const order = p.daysOfWeek.map((d) => (weekdayNumber(d) - weekdayNumber(p.firstDayOfWeek) + 7) % 7).sort((a, b) => a - b);
      return order.map((offset) => periodStart.plus({ days: offset }));
    }
    case 'absoluteMonthly':
    case 'absoluteYearly': {
      const month = p.type === 'absoluteYearly' ? periodStart.set({ month: p.month }) : periodStart;
      // Outlook moves the 29th-31st to the month's last day when the month is shorter.
      return [month.set({ day: Math.min(p.dayOfMonth, month.daysInMonth ?? 28) })];
    }
    case 'relativeMonthly':
    case 'relativeYearly': {
      const month = p.type === 'relativeYearly' ? periodStart.set({ month: p.month }) : periodStart;
      const matches: DateTime[] = [];
      for (let d = month.startOf('month'); d.month === month.month; d = d.plus({ days: 1 })) {
        if (p.daysOfWeek.some((w) => weekdayNumber(w) === d.weekday)) matches.push(d);
      }
      const pick = p.index === 'last' ? matches[matches.length - 1] : matches[INDEXES.indexOf(p.index)];
      return pick ? [pick] : [];
    }
  }
}

function firstPeriod(rec: Recurrence, start: DateTime): DateTime {
  switch (rec.pattern.type) {
    case 'daily':
      return start;
    case 'weekly': {
      const back = (start.weekday - weekdayNumber(rec.pattern.firstDayOfWeek) + 7) % 7;
      return start.minus({ days: back });
    }
    case 'absoluteMonthly':
    case 'relativeMonthly':
      return start.startOf('month');
    default:
      return start.startOf('year');
  }
}

function nextPeriod(rec: Recurrence, period: DateTime): DateTime {
  const n = rec.pattern.interval;
  switch (rec.pattern.type) {
    case 'daily':
      return period.plus({ days: n });
    case 'weekly':
      return period.plus({ weeks: n });
    case 'absoluteMonthly':
    case 'relativeMonthly':
      return period.plus({ months: n });
    default:
      return period.plus({ years: n });
  }
}

export interface SeriesShape {
  recurrence: Recurrence;
  /** The master's start; its wall-clock time in recurrenceTimeZone is every occurrence's time. */
  start: DateTime;
  durationMs: number;
}

/**
 * Original starts (UTC) of the occurrences that overlap [from, to), in order. Dates are generated
 * in recurrenceTimeZone and combined with the master's local time there, so 09:00 stays 09:00 on
 * both sides of a daylight-saving change. Numbered ranges count every generated occurrence.
 *
 * A series' starts are generated from its first one on, each in its zone through luxon (~10 µs a
 * start); a delta round or an instance look-up asks this of every series of the calendar, so the
 * starts generated for a series are kept (by its recurrence, start and duration) and a later
 * window within them is cut from what was kept.
 */
export function expandSeries(series: SeriesShape, from: DateTime, to: DateTime): DateTime[] {
  const key = `${JSON.stringify(series.recurrence)}|${series.start.toISO()}|${series.start.zoneName}|${series.durationMs}`;
  let kept = generated.get(key);
  if (!kept || (!kept.complete && to.toMillis() > kept.upTo)) {
    // ahead of the window asked, so the windows that follow (later weeks) are served from it too
    const upTo = Math.max(to.toMillis(), from.toMillis() + KEEP_AHEAD_MS);
    kept = { ...generateStarts(series, upTo), upTo };
    if (generated.size >= MAX_KEPT) generated.clear();
    generated.set(key, kept);
  }
  const [lo, hi] = [from.toMillis() - series.durationMs, to.toMillis()];
  return kept.starts.filter((s) => s.toMillis() > lo && s.toMillis() < hi);
}

/** Series whose starts are kept (the emulator holds a few thousand). */
const MAX_KEPT = 20_000;
/** How far past a window's start its series' starts are generated. */
const KEEP_AHEAD_MS = 400 * 86_400_000;
const generated = new Map<string, { starts: DateTime[]; complete: boolean; upTo: number }>();

/** Every start before `upTo` (ms); `complete` when the series ends before it. */
function generateStarts(series: SeriesShape, upTo: number): { starts: DateTime[]; complete: boolean } {
  const { recurrence: rec } = series;
  const zone = resolveZone(rec.range.recurrenceTimeZone);
  const local = series.start.setZone(zone);
  const time = { hour: local.hour, minute: local.minute, second: local.second, millisecond: 0 };
  const rangeStart = DateTime.fromISO(rec.range.startDate, { zone });
  const rangeEnd = rec.range.type === 'endDate' ? DateTime.fromISO(rec.range.endDate, { zone }).endOf('day') : undefined;
  const limit = rec.range.type === 'numbered' ? rec.range.numberOfOccurrences : Infinity;
  const starts: DateTime[] = [];
  // Bounded: stop after the window, the range, the count, or a sanity cap of periods.
  let period = firstPeriod(rec, rangeStart);
  for (let guard = 0; guard < 50_000; guard += 1, period = nextPeriod(rec, period)) {
    for (const date of datesInPeriod(rec, period)) {
      if (date < rangeStart.startOf('day')) continue;
      if (rangeEnd && date > rangeEnd) return { starts, complete: true };
      if (starts.length >= limit) return { starts, complete: true };
      const startUtc = date.set(time).toUTC();
      if (startUtc.toMillis() >= upTo) return { starts, complete: false };
      starts.push(startUtc);
    }
  }
  return { starts, complete: true };
}
