import type { DateTime } from 'luxon';
import type { Recurrence } from './recurrence.js';

/** A mailbox the emulator knows: the signed-in person of delegated tokens. */
export interface Account {
  userId: string;
  email: string;
  displayName: string;
}

export interface EmailAddress {
  name: string;
  address: string;
}

export interface ResponseStatus {
  response: 'none' | 'organizer' | 'tentativelyAccepted' | 'accepted' | 'declined' | 'notResponded';
  time: string;
}

export interface Attendee {
  type: 'required' | 'optional' | 'resource';
  emailAddress: EmailAddress;
  status: ResponseStatus;
}

export interface ExtendedProperty {
  id: string;
  value: string;
}

export interface Location {
  displayName: string;
  [key: string]: unknown;
}

/** The properties an event, an occurrence and an exception all carry. */
export interface EventFields {
  subject: string;
  body: { contentType: 'html' | 'text'; content: string };
  start: DateTime;
  end: DateTime;
  startTimeZone: string;
  endTimeZone: string;
  location: Location;
  attendees: Attendee[];
  isReminderOn: boolean;
  reminderMinutesBeforeStart: number;
  allowNewTimeProposals: boolean;
  importance: string;
  sensitivity: string;
  showAs: string;
  categories: string[];
  isAllDay: boolean;
  responseRequested: boolean;
  isOnlineMeeting: boolean;
}

/** What happened to one occurrence of a series after it was generated. */
export interface OccurrenceOverride {
  /** Organizer edits (a move, a new subject …): these make the occurrence an exception. */
  fields: Partial<EventFields>;
  /** Attendee responses to this occurrence only, keyed by lower-cased address. */
  responses: Map<string, ResponseStatus>;
  changeKey: string;
  modifiedAt: Date;
}

/** A single event or a series master as stored in one mailbox's calendar. */
export interface StoredEvent {
  id: string;
  userId: string;
  type: 'singleInstance' | 'seriesMaster';
  createdAt: Date;
  modifiedAt: Date;
  changeKey: string;
  iCalUId: string;
  transactionId: string | null;
  organizer: { emailAddress: EmailAddress };
  fields: EventFields;
  recurrence: Recurrence | null;
  extendedProperties: ExtendedProperty[];
  /** Replaced when something every occurrence shows changes; occurrence versions derive from it. */
  seriesChangeKey: string;
  overrides: Map<number, OccurrenceOverride>;
  /** Original starts (epoch ms) of occurrences cancelled or deleted. */
  removed: Set<number>;
}

/** One occurrence or exception of a series, computed from its master. */
export interface Instance {
  kind: 'instance';
  id: string;
  master: StoredEvent;
  originalStart: DateTime;
  type: 'occurrence' | 'exception';
  fields: EventFields;
  changeKey: string;
  modifiedAt: Date;
  /** Changes whenever anything this instance shows changes; delta compares it. */
  version: string;
}

/** Anything a calendar view lists: a single event or an instance of a series. */
export type ViewItem = { kind: 'event'; event: StoredEvent } | Instance;

export type ChangeType = 'created' | 'updated' | 'deleted';

export interface EventChange {
  userId: string;
  eventId: string;
  changeType: ChangeType;
}
