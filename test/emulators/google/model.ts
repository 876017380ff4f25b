import type { Instant } from './time.js';

/** A start or end: timed (an instant plus the zone it was written in) or all-day (UTC midnight). */
export type When = { kind: 'dateTime'; ms: Instant; timeZone?: string } | { kind: 'date'; ms: Instant };

export type ResponseStatus = 'needsAction' | 'declined' | 'tentative' | 'accepted';

export interface Attendee {
  email: string;
  displayName?: string;
  optional?: boolean;
  resource?: boolean;
  comment?: string;
  additionalGuests?: number;
  responseStatus: ResponseStatus;
}

export interface ExtendedProperties {
  private?: Record<string, string>;
  shared?: Record<string, string>;
}

export interface Reminders {
  useDefault: boolean;
  overrides?: { method: string; minutes: number }[];
}

/** The writable content of an event (what an exception may override). */
export interface EventContent {
  summary?: string;
  description?: string;
  location?: string;
  colorId?: string;
  visibility?: string;
  transparency?: string;
  attendees?: Attendee[];
  extendedProperties?: ExtendedProperties;
  guestsCanModify?: boolean;
  guestsCanInviteOthers?: boolean;
  guestsCanSeeOtherGuests?: boolean;
  anyoneCanAddSelf?: boolean;
  reminders?: Reminders;
  source?: { title?: string; url?: string };
}

export const CONTENT_KEYS = [
  'summary',
  'description',
  'location',
  'colorId',
  'visibility',
  'transparency',
  'attendees',
  'extendedProperties',
  'guestsCanModify',
  'guestsCanInviteOthers',
  'guestsCanSeeOtherGuests',
  'anyoneCanAddSelf',
  'reminders',
  'source',
] as const satisfies readonly (keyof EventContent)[];

export type EventStatus = 'confirmed' | 'tentative' | 'cancelled';

/** Bookkeeping shared by everything that shows up as an item in a listing or a sync. */
export interface Versioned {
  created: Instant;
  updated: Instant;
  sequence: number;
  /** bumped on every change; part of the etag */
  version: number;
  /** the calendar's change counter at the last change; sync tokens compare against it */
  changeSeq: number;
}

/** One modified or cancelled occurrence of a recurring event (Google's "exception"). */
export interface StoredException extends Versioned {
  /** original start of the slot, the instance's identity */
  originalStart: Instant;
  status: EventStatus;
  start?: When;
  end?: When;
  /** content fields that differ from the series */
  overrides: EventContent;
}

/** A single event or the master of a recurring series. */
export interface StoredEvent extends Versioned {
  id: string;
  calendarId: string;
  iCalUID: string;
  status: EventStatus;
  start: When;
  end: When;
  recurrence?: string[];
  content: EventContent;
  organizer: string;
  creator: string;
  /** keyed by instance key (`YYYYMMDDTHHMMSSZ`) */
  exceptions: Map<string, StoredException>;
}

export interface CalendarState {
  id: string;
  owner: string;
  timeZone: string;
  /** random per calendar, so tokens from another emulator run never validate */
  nonce: string;
  /** bumped by `expireSyncTokens`; tokens from an older epoch answer 410 */
  epoch: number;
  /** monotonic change counter */
  seq: number;
  events: Map<string, StoredEvent>;
}

/** A reference to an occurrence of a series, whether or not it has an exception. */
export interface InstanceRef {
  master: StoredEvent;
  key: string;
  originalStart: Instant;
  exception?: StoredException;
}
