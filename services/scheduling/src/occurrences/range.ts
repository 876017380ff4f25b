import { DateTime } from 'luxon';

/** A range bound: an instant, or a local date taken at midnight in the series' zone. */
export function bound(value: string, zone: string): Date {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? DateTime.fromISO(value, { zone }).toJSDate() : new Date(value);
}
