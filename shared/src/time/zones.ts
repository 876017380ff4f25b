import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';

/** An IANA time zone name that luxon (and so the ICU data of this Node.js) knows. */
export const timeZoneSchema = z.string().refine((tz) => IANAZone.isValidZone(tz) && !/^[+-]|^UTC[+-]/i.test(tz), {
  message: 'must be an IANA time zone such as Europe/Berlin',
});

export const localTimeSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a 24-hour time HH:mm');

export const localDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((d) => DateTime.fromISO(d).isValid, { message: 'must be a real calendar date' });

/** An instant with an explicit offset or Z, as RFC 3339 demands. */
export const instantSchema = z.iso.datetime({
  offset: true,
  message: 'must be an RFC 3339 date-time with offset, e.g. 2026-11-03T14:00:00Z',
});

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export const weekdaySchema = z.enum(WEEKDAYS, { message: `must be one of ${WEEKDAYS.join(', ')}` });
/** luxon numbers weekdays 1 (Monday) … 7 (Sunday). */
export const weekdayNumber = (day: Weekday) => WEEKDAYS.indexOf(day) + 1;
