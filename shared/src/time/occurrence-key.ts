import { DateTime } from 'luxon';
import { z } from 'zod';

/**
 * An occurrence is named everywhere (APIs, links, webhooks, the agenda service) by its original
 * start instant in UTC, `YYYYMMDDTHHMMSSZ` — the form Google uses in instance ids, so it survives
 * moves and time-zone changes.
 */
const KEY = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

export function occurrenceKey(start: Date): string {
  return DateTime.fromJSDate(start, { zone: 'utc' }).toFormat("yyyyMMdd'T'HHmmss'Z'");
}

export function parseOccurrenceKey(key: string): Date | undefined {
  const m = KEY.exec(key);
  if (!m) return undefined;
  const dt = DateTime.fromObject(
    { year: +m[1]!, month: +m[2]!, day: +m[3]!, hour: +m[4]!, minute: +m[5]!, second: +m[6]! },
    { zone: 'utc' },
  );
  return dt.isValid && occurrenceKey(dt.toJSDate()) === key ? dt.toJSDate() : undefined;
}

export const occurrenceKeySchema = z.string().refine((k) => parseOccurrenceKey(k) !== undefined, {
  message: 'must be an occurrence key: the original start in UTC as YYYYMMDDTHHMMSSZ',
});
