import { DateTime } from 'luxon';

/** The parts of a Graph `event` (or a delta entry) Cadence reads. */
export interface GraphEvent {
  id: string;
  type?: 'singleInstance' | 'occurrence' | 'exception' | 'seriesMaster';
  seriesMasterId?: string | null;
  /** UTC, e.g. `2026-10-27T13:00:00Z`: the slot an occurrence or exception was generated for. */
  originalStart?: string | null;
  start?: { dateTime: string; timeZone: string };
  end?: { dateTime: string; timeZone: string };
  location?: { displayName?: string } | null;
  attendees?: { emailAddress?: { address?: string }; status?: { response?: string } }[];
  isCancelled?: boolean;
  lastModifiedDateTime?: string;
  recurrence?: { range?: { type?: string; endDate?: string; recurrenceTimeZone?: string } } | null;
  singleValueExtendedProperties?: { id: string; value: string }[];
  '@removed'?: { reason?: string };
}

/** A dateTimeTimeZone as an instant: Graph writes UTC unless asked otherwise, with seven fractional digits. */
export function graphInstant(t: GraphEvent['start']): Date | undefined {
  if (!t?.dateTime) return undefined;
  const wall = t.dateTime.replace(/(\.\d{3})\d*$/, '$1');
  const zone = !t.timeZone || /^(utc|etc\/utc|gmt)$/i.test(t.timeZone) ? 'UTC' : t.timeZone;
  const dt = DateTime.fromISO(wall, { zone });
  return dt.isValid ? dt.toJSDate() : undefined;
}

/** Everyone who declined, as Graph shows attendee responses on the organizer's copy. */
export const declinedBy = (e: GraphEvent) =>
  (e.attendees ?? [])
    .filter((a) => a.status?.response === 'declined' && a.emailAddress?.address)
    .map((a) => a.emailAddress!.address!);
