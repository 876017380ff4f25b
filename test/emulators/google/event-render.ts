import type { Attendee, CalendarState, EventContent, InstanceRef, StoredEvent, Versioned, When } from './model.js';
import { currentWhen, instanceId, originalWhen } from './series.js';
import { formatDate, formatRfc3339, formatTimestamp } from './time.js';

/**
 * Turns stored events into Google's `calendar#event` JSON. Date-times are written with the
 * offset of the response time zone (the `timeZone` query parameter, else the calendar's zone),
 * while `start.timeZone` keeps the event's own zone: clients must read instants, not wall times.
 * Default-valued flags are omitted, as Google does (`guestsCanModify` only appears when true).
 */

export type GoogleEvent = Record<string, unknown>;

export interface RenderOptions {
  /** zone used for `dateTime` offsets */
  zone: string;
  /** list/sync/instances output: cancelled items carry only the guaranteed fields */
  minimalCancelled: boolean;
}

export function etagOf(item: Versioned): string {
  return `"${item.updated}${String(item.version % 1000).padStart(3, '0')}"`;
}

export function renderWhen(when: When, zone: string): Record<string, string> {
  if (when.kind === 'date') return { date: formatDate(when.ms) };
  const out: Record<string, string> = { dateTime: formatRfc3339(when.ms, zone) };
  if (when.timeZone) out.timeZone = when.timeZone;
  return out;
}

export function htmlLink(calendar: CalendarState, id: string): string {
  const eid = Buffer.from(`${id} ${calendar.id}`).toString('base64url');
  return `https://www.google.com/calendar/event?eid=${eid}`;
}

export function renderEvent(calendar: CalendarState, event: StoredEvent, options: RenderOptions): GoogleEvent {
  if (event.status === 'cancelled' && options.minimalCancelled) {
    return { kind: 'calendar#event', etag: etagOf(event), id: event.id, status: 'cancelled' };
  }
  return body(calendar, {
    id: event.id,
    etag: etagOf(event),
    status: event.status,
    created: event.created,
    updated: event.updated,
    sequence: event.sequence,
    start: event.start,
    end: event.end,
    recurrence: event.recurrence,
    content: event.content,
    master: event,
    zone: options.zone,
  });
}

export function renderInstance(calendar: CalendarState, ref: InstanceRef, options: RenderOptions): GoogleEvent {
  const { master, exception } = ref;
  const id = instanceId(master, ref.originalStart);
  // a deleted series takes all its instances with it
  const status = master.status === 'cancelled' ? 'cancelled' : (exception?.status ?? master.status);
  const originalStartTime = renderWhen(originalWhen(ref).start, options.zone);
  const versioned = exception ?? master;
  if (status === 'cancelled' && options.minimalCancelled) {
    return { kind: 'calendar#event', etag: etagOf(versioned), id, status, recurringEventId: master.id, originalStartTime };
  }
  const when = currentWhen(ref);
  return body(calendar, {
    id,
    etag: etagOf(versioned),
    status,
    created: exception?.created ?? master.created,
    updated: versioned.updated,
    sequence: versioned.sequence,
    start: when.start,
    end: when.end,
    content: { ...master.content, ...exception?.overrides },
    master,
    zone: options.zone,
    recurringEventId: master.id,
    originalStartTime,
  });
}

interface BodyParts {
  id: string;
  etag: string;
  status: string;
  created: number;
  updated: number;
  sequence: number;
  start: When;
  end: When;
  recurrence?: string[];
  content: EventContent;
  master: StoredEvent;
  zone: string;
  recurringEventId?: string;
  originalStartTime?: Record<string, string>;
}

function body(calendar: CalendarState, p: BodyParts): GoogleEvent {
  const c = p.content;
  const out: GoogleEvent = {
    kind: 'calendar#event',
    etag: p.etag,
    id: p.id,
    status: p.status,
    htmlLink: htmlLink(calendar, p.id),
    created: formatTimestamp(p.created),
    updated: formatTimestamp(p.updated),
  };
  assign(out, 'summary', c.summary);
  assign(out, 'description', c.description);
  assign(out, 'location', c.location);
  assign(out, 'colorId', c.colorId);
  out.creator = person(calendar, p.master.creator);
  out.organizer = person(calendar, p.master.organizer);
  out.start = renderWhen(p.start, p.zone);
  out.end = renderWhen(p.end, p.zone);
  if (p.recurrence) out.recurrence = [...p.recurrence];
  assign(out, 'recurringEventId', p.recurringEventId);
  assign(out, 'originalStartTime', p.originalStartTime);
  if (c.transparency && c.transparency !== 'opaque') out.transparency = c.transparency;
  if (c.visibility && c.visibility !== 'default') out.visibility = c.visibility;
  out.iCalUID = p.master.iCalUID;
  out.sequence = p.sequence;
  if (c.attendees?.length) out.attendees = c.attendees.map((a) => attendee(calendar, p.master, a));
  if (c.guestsCanInviteOthers === false) out.guestsCanInviteOthers = false;
  if (c.guestsCanModify === true) out.guestsCanModify = true;
  if (c.guestsCanSeeOtherGuests === false) out.guestsCanSeeOtherGuests = false;
  if (c.anyoneCanAddSelf === true) out.anyoneCanAddSelf = true;
  if (c.extendedProperties) out.extendedProperties = structuredClone(c.extendedProperties);
  out.reminders = c.reminders ? structuredClone(c.reminders) : { useDefault: true };
  if (c.source) out.source = { ...c.source };
  out.eventType = 'default';
  return out;
}

function assign(out: GoogleEvent, key: string, value: unknown): void {
  if (value !== undefined) out[key] = value;
}

function person(calendar: CalendarState, email: string): Record<string, unknown> {
  return email === calendar.owner ? { email, self: true } : { email };
}

function attendee(calendar: CalendarState, master: StoredEvent, a: Attendee): Record<string, unknown> {
  const out: Record<string, unknown> = { email: a.email };
  if (a.displayName) out.displayName = a.displayName;
  if (a.email === master.organizer) out.organizer = true;
  if (a.email === calendar.owner) out.self = true;
  if (a.optional) out.optional = true;
  if (a.resource) out.resource = true;
  out.responseStatus = a.responseStatus;
  if (a.comment) out.comment = a.comment;
  if (a.additionalGuests) out.additionalGuests = a.additionalGuests;
  return out;
}
