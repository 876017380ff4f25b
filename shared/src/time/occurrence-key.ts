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
  const at = new Date(0);
  // setUTCFullYear, not Date.UTC: the latter reads years 0–99 as 1900–1999
  at.setUTCFullYear(+m[1]!, +m[2]! - 1, +m[3]!);
  at.setUTCHours(+m[4]!, +m[5]!, +m[6]!, 0);
  // out-of-range fields (month 13, 24:00, 31 April) roll over: the round trip refuses them
  return occurrenceKey(at) === key ? at : undefined;
}

export const occurrenceKeySchema = z.string().refine((k) => parseOccurrenceKey(k) !== undefined, {
  message: 'must be an occurrence key: the original start in UTC as YYYYMMDDTHHMMSSZ',
});
