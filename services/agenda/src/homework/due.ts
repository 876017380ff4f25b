import type { OccurrenceView, SchedulingClient } from '@cadence/shared/clients/scheduling';
import { DateTime } from 'luxon';
import { nextHeldAfter } from '../occurrences/lookup.js';

const HOUR = 3_600_000;

/**
 * Homework is due one hour before the next meeting that is not cancelled; with no next meeting
 * (the series ends), at the end of the same weekday a week later, in the series' time zone.
 */
export async function defaultDue(client: SchedulingClient, assignedAt: OccurrenceView): Promise<Date> {
  const next = await nextHeldAfter(client, assignedAt.seriesId, new Date(assignedAt.originalStart));
  if (next) return new Date(Date.parse(next.start) - HOUR);
  return DateTime.fromISO(assignedAt.start, { zone: assignedAt.timeZone }).plus({ weeks: 1 }).endOf('day').toJSDate();
}
