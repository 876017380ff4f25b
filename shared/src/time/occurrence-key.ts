import { z } from 'zod';

/**
 * An occurrence is named everywhere (APIs, links, webhooks, the agenda service) by its original
 * start instant in UTC, `YYYYMMDDTHHMMSSZ` — the form Google uses in instance ids, so it survives
 * moves and time-zone changes.
 */
const KEY = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

const two = (n: number) => (n < 10 ? `0${n}` : String(n));

/**
 * Written from the UTC fields, not by luxon: a year's report names ~80,000 occurrences, and
 * luxon's formatter was a tenth of the CPU of producing one.
 */
export function occurrenceKey(start: Date): string {
  const year = start.getUTCFullYear();
  if (Number.isNaN(year)) return 'Invalid DateTime'; // as luxon wrote it; matches no key
  const y = year < 0 ? `-${String(-year).padStart(4, '0')}` : String(year).padStart(4, '0');
  return `${y}${two(start.getUTCMonth() + 1)}${two(start.getUTCDate())}T${two(start.getUTCHours())}${two(start.getUTCMinutes())}${two(start.getUTCSeconds())}Z`;
}

export function parseOccurrenceKey(key: string): Date | undefined {
  const m = KEY.exec(key);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const at = new Date(0);
  // setUTCFullYear, not Date.UTC: the latter reads years 0–99 as 1900–1999
  at.setUTCFullYear(year, month - 1, day);
  if (at.getUTCDate() !== day) return undefined; // 31 April rolled over into May
  at.setUTCHours(hour, minute, second, 0);
  return at;
}

export type OccurrenceStart = { readonly at: number; readonly iso: string };
const starts = new Map<string, OccurrenceStart>();
const MAX_STARTS = 100_000;

/**
 * A key's start in ms and as an ISO string, remembered: a report reads ~80,000 keys, and the
 * meetings of an organization share their weekly slots, so most are asked again. Shared: do not change it.
 */
export function occurrenceStart(key: string): OccurrenceStart | undefined {
  let start = starts.get(key);
  if (!start) {
    const at = parseOccurrenceKey(key);
    if (!at) return undefined;
    if (starts.size >= MAX_STARTS) starts.clear();
    starts.set(key, (start = { at: at.getTime(), iso: at.toISOString() }));
  }
  return start;
}

export const occurrenceKeySchema = z.string().refine((k) => parseOccurrenceKey(k) !== undefined, {
  message: 'must be an occurrence key: the original start in UTC as YYYYMMDDTHHMMSSZ',
});
