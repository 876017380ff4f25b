import { DateTime } from 'luxon';
import { localInstant, type Instant } from './time.js';

/**
 * RFC 5545 recurrence as Google stores it in `recurrence[]` (no DTSTART line: the event's start
 * is DTSTART). Expansion happens on the wall clock of the event's time zone, so 09:00 stays
 * 09:00 across daylight-saving changes. Supported: FREQ=DAILY|WEEKLY with INTERVAL, BYDAY, WKST,
 * COUNT, UNTIL, plus EXDATE and RDATE lines — what a weekly one-on-one needs. Other parts are
 * refused at insert time rather than silently mis-expanded.
 */

export class RecurrenceError extends Error {}

const WEEKDAYS: Record<string, number> = { MO: 1, TU: 2, WE: 3, TH: 4, FR: 5, SA: 6, SU: 7 };

type UntilValue =
  { kind: 'utc'; ms: Instant } | { kind: 'date'; y: number; m: number; d: number } | { kind: 'local'; iso: string };

export interface RecurrenceRule {
  freq: 'DAILY' | 'WEEKLY';
  interval: number;
  byDay?: number[];
  wkst: number;
  count?: number;
  until?: UntilValue;
}

export interface Recurrence {
  rule?: RecurrenceRule;
  /** EXDATE/RDATE values as written; resolved against the event's zone at expansion time. */
  exdates: DateValue[];
  rdates: DateValue[];
}

type DateValue = { kind: 'utc'; ms: Instant } | { kind: 'local'; iso: string; tzid?: string } | { kind: 'date'; iso: string };

/** Where and how the series starts: DTSTART on the wall clock of `zone`. */
export interface SeriesStart {
  ms: Instant;
  zone: string;
  allDay: boolean;
}

export function parseRecurrence(lines: readonly string[]): Recurrence {
  const result: Recurrence = { exdates: [], rdates: [] };
  for (const raw of lines) {
    const line = raw.trim();
    const colon = line.indexOf(':');
    if (colon < 0) throw new RecurrenceError(`Invalid recurrence rule: ${line}`);
    const value = line.slice(colon + 1);
    const [rawName = '', ...params] = line.slice(0, colon).split(';');
    const name = rawName.toUpperCase();
    if (name === 'RRULE') {
      if (result.rule) throw new RecurrenceError('Only one RRULE is supported');
      result.rule = parseRule(value);
    } else if (name === 'EXDATE' || name === 'RDATE') {
      const values = parseDateList(value, params);
      (name === 'EXDATE' ? result.exdates : result.rdates).push(...values);
    } else {
      // DTSTART/DTEND are not allowed in `recurrence`; EXRULE is deprecated and unsupported here
      throw new RecurrenceError(`Invalid recurrence rule: ${line}`);
    }
  }
  return result;
}

function parseRule(value: string): RecurrenceRule {
  const parts = new Map<string, string>();
  for (const part of value.split(';')) {
    const [k, v] = part.split('=');
    if (!k || v === undefined) throw new RecurrenceError(`Invalid recurrence rule part: ${part}`);
    parts.set(k.toUpperCase(), v.toUpperCase());
  }
  const freq = parts.get('FREQ');
  if (freq !== 'DAILY' && freq !== 'WEEKLY') {
    throw new RecurrenceError(`FREQ=${freq ?? '(missing)'} is not supported by the emulator (DAILY and WEEKLY are)`);
  }
  const rule: RecurrenceRule = { freq, interval: 1, wkst: WEEKDAYS.MO! };
  for (const [k, v] of parts) {
    switch (k) {
      case 'FREQ':
        break;
      case 'INTERVAL':
        rule.interval = positiveInt(v, 'INTERVAL');
        break;
      case 'COUNT':
        rule.count = positiveInt(v, 'COUNT');
        break;
      case 'UNTIL':
        rule.until = parseUntil(v);
        break;
      case 'WKST':
        rule.wkst = weekday(v);
        break;
      case 'BYDAY':
        rule.byDay = [...new Set(v.split(',').map(weekday))];
        break;
      default:
        throw new RecurrenceError(`${k} is not supported by the emulator`);
    }
  }
  if (rule.count !== undefined && rule.until !== undefined) throw new RecurrenceError('COUNT and UNTIL cannot both be set');
  return rule;
}

function positiveInt(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new RecurrenceError(`Invalid ${name}: ${v}`);
  return n;
}

function weekday(v: string): number {
  const day = WEEKDAYS[v];
  // numeric prefixes (1MO, -1FR) only make sense for monthly/yearly rules
  if (!day) throw new RecurrenceError(`Invalid weekday: ${v}`);
  return day;
}

function parseUntil(v: string): UntilValue {
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?$/.exec(v);
  if (!m) throw new RecurrenceError(`Invalid UNTIL: ${v}`);
  const [, y, mo, d, h, mi, s, z] = m;
  if (h === undefined) return { kind: 'date', y: Number(y), m: Number(mo), d: Number(d) };
  if (z) return { kind: 'utc', ms: Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) };
  return { kind: 'local', iso: `${y}-${mo}-${d}T${h}:${mi}:${s}` };
}

function parseDateList(value: string, params: string[]): DateValue[] {
  const tzid = params.find((p) => /^TZID=/i.test(p))?.slice(5);
  const isDate = params.some((p) => /^VALUE=DATE$/i.test(p));
  return value.split(',').map((v) => {
    const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?$/.exec(v.trim());
    if (!m) throw new RecurrenceError(`Invalid date in recurrence: ${v}`);
    const [, y, mo, d, h, mi, s, z] = m;
    if (h === undefined || isDate) return { kind: 'date', iso: `${y}-${mo}-${d}` } as const;
    if (z) return { kind: 'utc', ms: Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) } as const;
    return { kind: 'local', iso: `${y}-${mo}-${d}T${h}:${mi}:${s}`, tzid } as const;
  });
}

function resolveDateValue(value: DateValue, start: SeriesStart): Instant {
  if (value.kind === 'utc') return value.ms;
  if (value.kind === 'date') {
    const day = DateTime.fromISO(value.iso, { zone: start.allDay ? 'utc' : start.zone });
    // an all-day EXDATE against a timed series removes that day's occurrence
    const at = DateTime.fromMillis(start.ms, { zone: start.allDay ? 'utc' : start.zone });
    return day.set({ hour: at.hour, minute: at.minute, second: at.second }).toMillis();
  }
  return DateTime.fromISO(value.iso, { zone: value.tzid ?? start.zone }).toMillis();
}

function untilMs(until: UntilValue, start: SeriesStart): Instant {
  const zone = start.allDay ? 'utc' : start.zone;
  if (until.kind === 'utc') return until.ms;
  if (until.kind === 'date')
    return DateTime.fromObject({ year: until.y, month: until.m, day: until.d }, { zone }).endOf('day').toMillis();
  return DateTime.fromISO(until.iso, { zone }).toMillis();
}

const MAX_ITERATIONS = 200_000;

/**
 * Occurrence start instants with `start < toExclusive`, ascending. COUNT is honoured from the
 * first occurrence, so a window that starts late still counts the earlier ones. Per RFC 5545
 * DTSTART is always the first occurrence, even when it does not match BYDAY.
 */
export function expand(recurrence: Recurrence, start: SeriesStart, toExclusive: Instant): Instant[] {
  const found = new Set<Instant>(recurrence.rule ? ruleStarts(recurrence.rule, start, toExclusive) : [start.ms]);
  for (const rdate of recurrence.rdates) {
    const ms = resolveDateValue(rdate, start);
    if (ms < toExclusive) found.add(ms);
  }
  for (const exdate of recurrence.exdates) found.delete(resolveDateValue(exdate, start));
  return [...found].sort((a, b) => a - b);
}

/** Series whose rule's starts are kept (the emulator holds a few thousand). */
const MAX_KEPT = 20_000;
/** How far past the asked end a rule's starts are generated. */
const KEEP_AHEAD_MS = 400 * 86_400_000;
const generated = new Map<string, { starts: Instant[]; complete: boolean; upTo: Instant }>();

/**
 * The rule's starts before `toExclusive`, ascending. Each is found on the wall clock through luxon
 * (~10 µs a start) from the series' first one on, and every instance look-up and listing asks this
 * again: a burst of 200 cancellations spent most of the emulator's CPU here. So a rule's starts are
 * kept (by rule, DTSTART and zone), generated a while past the end asked, and later asks within
 * them are cut from what was kept.
 */
function ruleStarts(rule: RecurrenceRule, start: SeriesStart, toExclusive: Instant): Instant[] {
  const key = `${JSON.stringify(rule)}|${start.ms}|${start.zone}|${start.allDay}`;
  let kept = generated.get(key);
  if (!kept || (!kept.complete && toExclusive > kept.upTo)) {
    const upTo = toExclusive + KEEP_AHEAD_MS;
    kept = { ...generateRuleStarts(rule, start, upTo), upTo };
    if (generated.size >= MAX_KEPT) generated.clear();
    generated.set(key, kept);
  }
  const starts = kept.starts;
  let end = starts.length;
  while (end > 0 && starts[end - 1]! >= toExclusive) end--;
  return starts.slice(0, end);
}

/** Every start of the rule before `upTo`; `complete` when the rule ends (COUNT, UNTIL) before it. */
function generateRuleStarts(rule: RecurrenceRule, start: SeriesStart, upTo: Instant): { starts: Instant[]; complete: boolean } {
  const zone = start.allDay ? 'utc' : start.zone;
  const until = rule.until ? untilMs(rule.until, start) : Infinity;
  const starts: Instant[] = [];
  // false once the rule is done: by COUNT or UNTIL (complete), or past `upTo` (not)
  let complete = false;
  const emit = (ms: Instant): boolean => {
    if ((rule.count !== undefined && starts.length >= rule.count) || ms > until) {
      complete = true;
      return false;
    }
    if (ms >= upTo) return false;
    starts.push(ms);
    return true;
  };
  const first = DateTime.fromMillis(start.ms, { zone });
  if (!matches(rule, first) && !emit(start.ms)) return { starts, complete };
  let guard = 0;
  for (const day of candidateDays(rule, first)) {
    if (++guard > MAX_ITERATIONS) return { starts, complete: true };
    const at = localInstant(
      { year: day.year, month: day.month, day: day.day, hour: first.hour, minute: first.minute, second: first.second },
      zone,
    );
    if (at < start.ms) continue;
    if (!emit(at)) break;
  }
  return { starts, complete };
}

function matches(rule: RecurrenceRule, at: DateTime): boolean {
  return !rule.byDay || rule.byDay.includes(at.weekday);
}

/** Candidate days on the wall clock, in order, from the period containing DTSTART. */
function* candidateDays(rule: RecurrenceRule, first: DateTime): Generator<DateTime> {
  const firstDay = first.startOf('day');
  if (rule.freq === 'DAILY') {
    for (let n = 0; ; n += rule.interval) {
      const day = firstDay.plus({ days: n });
      if (matches(rule, day)) yield day;
    }
  } else {
    yield* weeklyDays(rule, first, firstDay);
  }
}

function* weeklyDays(rule: RecurrenceRule, first: DateTime, firstDay: DateTime): Generator<DateTime> {
  const weekStart = firstDay.minus({ days: (first.weekday - rule.wkst + 7) % 7 });
  const offsets = (rule.byDay ?? [first.weekday]).map((d) => (d - rule.wkst + 7) % 7).sort((a, b) => a - b);
  for (let w = 0; ; w += rule.interval) {
    for (const offset of offsets) yield weekStart.plus({ weeks: w, days: offset });
  }
}

/** True when the series never ends (no COUNT, no UNTIL). */
export function isInfinite(recurrence: Recurrence): boolean {
  return !!recurrence.rule && recurrence.rule.count === undefined && recurrence.rule.until === undefined;
}

/**
 * Rewrites the RRULE line so the series ends at `untilUtc` (inclusive), dropping COUNT: what
 * Google's "this and following" does to the original series.
 */
export function withUntil(lines: readonly string[], untilUtc: Instant): string[] {
  const until = DateTime.fromMillis(untilUtc, { zone: 'utc' }).toFormat("yyyyMMdd'T'HHmmss'Z'");
  return lines.map((line) => (isRrule(line) ? rewriteRule(line, { UNTIL: until }) : line));
}

/** Same rule with COUNT replaced (or dropped with `undefined`); for the new half of a split series. */
export function withCount(lines: readonly string[], count: number | undefined): string[] {
  return lines.map((line) => (isRrule(line) ? rewriteRule(line, count === undefined ? {} : { COUNT: String(count) }) : line));
}

function isRrule(line: string): boolean {
  return /^RRULE:/i.test(line.trim());
}

function rewriteRule(line: string, set: Record<string, string>): string {
  const parts = line
    .trim()
    .slice('RRULE:'.length)
    .split(';')
    .filter((p) => !/^(UNTIL|COUNT)=/i.test(p));
  for (const [k, v] of Object.entries(set)) parts.push(`${k}=${v}`);
  return `RRULE:${parts.join(';')}`;
}
