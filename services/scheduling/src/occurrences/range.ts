import { localMidnight } from '@cadence/shared/time';

/** A range bound: an instant, or a local date taken at midnight in the series' zone. */
export function bound(value: string, zone: string): Date {
  return new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? localMidnight(value, zone) : value);
}
