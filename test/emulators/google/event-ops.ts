import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import { errors, GoogleApiError } from './errors.js';
import {
  asBody,
  checkRange,
  mergePatch,
  parseContent,
  parseEventInput,
  parseStatus,
  parseWhen,
  validateClientId,
  whenToInput,
  type Body,
  type EventInput,
} from './event-input.js';
import {
  CONTENT_KEYS,
  type Attendee,
  type CalendarState,
  type EventContent,
  type InstanceRef,
  type ResponseStatus,
  type StoredEvent,
  type StoredException,
  type Versioned,
  type When,
} from './model.js';
import { parseRecurrence, withCount, withUntil } from './recurrence.js';
import {
  currentWhen,
  isOccurrence,
  isRecurring,
  lookup,
  occurrenceStarts,
  originalWhen,
  refFor,
  seriesStart,
  type Lookup,
} from './series.js';
import { newVersioned, type CalendarStore } from './store.js';
import type { Instant } from './time.js';

/**
 * Every change to events, shared by the REST routes and the person-actions, so that cancelling
 * an instance from the "UI" leaves exactly the state, change numbers and notifications that
 * `events.delete` on the instance id would.
 */

export type Target = Lookup;

// fields whose change is "significant" in iCalendar terms and bumps `sequence`
const SIGNIFICANT: readonly (keyof EventContent)[] = ['summary', 'description', 'location'];

/** base32hex, like Google's generated ids */
export function newEventId(): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuv';
  return [...randomBytes(26)].map((b) => alphabet[b % 32]).join('');
}

export function find(calendar: CalendarState, id: string): Target {
  const found = lookup(calendar, id);
  if (!found) throw errors.notFound();
  return found;
}

function checkEtag(item: Versioned, etag: (v: Versioned) => string, ifMatch: string | undefined): void {
  if (ifMatch && ifMatch !== '*' && ifMatch !== etag(item)) throw errors.conditionNotMet();
}

export interface OpsContext {
  store: CalendarStore;
  calendar: CalendarState;
  etag: (v: Versioned) => string;
}

export function insertEvent(ctx: OpsContext, raw: unknown): StoredEvent {
  const body = asBody(raw);
  const { calendar, store } = ctx;
  const id = body.id === undefined ? newEventId() : validateClientId(body.id);
  // ids of deleted events stay taken
  if (calendar.events.has(id)) throw errors.duplicate();
  const input = parseEventInput(body);
  const now = store.now();
  const event: StoredEvent = {
    ...newVersioned(now),
    id,
    calendarId: calendar.id,
    iCalUID: typeof body.iCalUID === 'string' ? body.iCalUID : `${id}@google.com`,
    status: input.status ?? 'confirmed',
    start: input.start,
    end: input.end,
    recurrence: input.recurrence,
    content: withOrganizerAccepted(input.content, calendar.owner),
    organizer: calendar.owner,
    creator: calendar.owner,
    exceptions: new Map(),
  };
  store.mutate(calendar, (touch) => {
    calendar.events.set(id, event);
    touch(event);
  });
  return event;
}

/** The organizer listed among the attendees has, by definition, accepted. */
function withOrganizerAccepted(content: EventContent, organizer: string): EventContent {
  if (!content.attendees) return content;
  return {
    ...content,
    attendees: content.attendees.map((a) =>
      a.email === organizer && a.responseStatus === 'needsAction' ? { ...a, responseStatus: 'accepted' as const } : a,
    ),
  };
}

/** PATCH: merge onto the current representation and validate the result as a whole. */
export function patchTarget(ctx: OpsContext, target: Target, raw: unknown, ifMatch?: string): void {
  const patch = asBody(raw);
  if (target.kind === 'event') {
    checkEtag(target.event, ctx.etag, ifMatch);
    const merged = mergeWhen(currentEventBody(target.event), patch);
    applyToEvent(ctx, target.event, parseEventInput(merged));
  } else {
    checkEtag(target.ref.exception ?? target.ref.master, ctx.etag, ifMatch);
    if (patch.recurrence !== undefined) throw errors.invalid('Invalid recurrence rule.', 'recurrence');
    applyToInstance(ctx, target.ref, mergeWhen(currentInstanceBody(target.ref), patch));
  }
}

/** PUT: the body replaces the event (omitted fields are cleared). */
export function updateTarget(ctx: OpsContext, target: Target, raw: unknown, ifMatch?: string): void {
  const body = asBody(raw);
  if (target.kind === 'event') {
    checkEtag(target.event, ctx.etag, ifMatch);
    applyToEvent(ctx, target.event, parseEventInput(body));
  } else {
    checkEtag(target.ref.exception ?? target.ref.master, ctx.etag, ifMatch);
    if (body.recurrence !== undefined) throw errors.invalid('Invalid recurrence rule.', 'recurrence');
    applyToInstance(ctx, target.ref, body);
  }
}

export function deleteTarget(ctx: OpsContext, target: Target, ifMatch?: string): void {
  const { store, calendar } = ctx;
  if (target.kind === 'event') {
    const event = target.event;
    checkEtag(event, ctx.etag, ifMatch);
    if (event.status === 'cancelled') throw errors.deleted();
    store.mutate(calendar, (touch) => {
      event.status = 'cancelled';
      touch(event, true);
    });
    return;
  }
  const { ref } = target;
  checkEtag(ref.exception ?? ref.master, ctx.etag, ifMatch);
  if (ref.master.status === 'cancelled' || ref.exception?.status === 'cancelled') throw errors.deleted();
  store.mutate(calendar, (touch) => {
    const exception = ensureException(ctx, ref);
    exception.status = 'cancelled';
    touch(exception, true);
  });
}

function currentEventBody(event: StoredEvent): Body {
  return {
    ...structuredClone(event.content),
    start: whenToInput(event.start),
    end: whenToInput(event.end),
    ...(event.recurrence ? { recurrence: [...event.recurrence] } : {}),
    status: event.status,
  };
}

function currentInstanceBody(ref: InstanceRef): Body {
  const when = currentWhen(ref);
  return {
    ...structuredClone({ ...ref.master.content, ...ref.exception?.overrides }),
    start: whenToInput(when.start),
    end: whenToInput(when.end),
    status: ref.exception?.status ?? ref.master.status,
  };
}

/** Merges a patch, treating `start`/`end` as one value: a new `date` drops the old `dateTime`. */
function mergeWhen(current: Body, patch: Body): Body {
  const merged = mergePatch(current, patch) as Body;
  for (const key of ['start', 'end'] as const) {
    const p = patch[key] as Body | undefined;
    const m = merged[key] as Body | undefined;
    if (!p || !m) continue;
    if (p.date !== undefined) {
      delete m.dateTime;
      delete m.timeZone;
    } else if (p.dateTime !== undefined) delete m.date;
  }
  return merged;
}

function applyToEvent(ctx: OpsContext, event: StoredEvent, input: EventInput): void {
  const { store, calendar } = ctx;
  const timingChanged =
    !sameWhen(event.start, input.start) ||
    !sameWhen(event.end, input.end) ||
    JSON.stringify(event.recurrence ?? []) !== JSON.stringify(input.recurrence ?? []);
  const content = withOrganizerAccepted(input.content, event.organizer);
  const contentChanged = JSON.stringify(event.content) !== JSON.stringify(content);
  const status = input.status ?? event.status;
  const significant = timingChanged || status !== event.status || SIGNIFICANT.some((k) => event.content[k] !== content[k]);
  if (!timingChanged && !contentChanged && status === event.status) return;
  store.mutate(calendar, (touch) => {
    const startMoved = !sameWhen(event.start, input.start);
    event.start = input.start;
    event.end = input.end;
    event.recurrence = input.recurrence;
    event.content = content;
    event.status = status;
    touch(event, significant);
    for (const exception of event.exceptions.values()) {
      if (exception.status === 'cancelled') continue;
      // an exception whose slot the new rule no longer produces is gone; moving the whole
      // series resets its exceptions, as Google's "all events" edit does
      if (startMoved || (timingChanged && !isOccurrence(event, exception.originalStart))) {
        exception.status = 'cancelled';
        touch(exception, true);
      } else if (contentChanged) {
        // inherited fields changed under the exception: it is a changed item too
        touch(exception);
      }
    }
  });
}

function applyToInstance(ctx: OpsContext, ref: InstanceRef, body: Body): void {
  const { store, calendar } = ctx;
  const master = ref.master;
  if (master.status === 'cancelled') throw errors.deleted();
  const original = originalWhen(ref);
  const start = parseWhen(body.start ?? whenToInput(original.start), 'start', false);
  const end = parseWhen(body.end ?? whenToInput(original.end), 'end', false);
  checkRange(start, end);
  const content = parseContent(body);
  const status = parseStatus(body.status) ?? ref.exception?.status ?? master.status;
  const before = currentWhen(ref);
  const previousContent = { ...master.content, ...ref.exception?.overrides };
  const overrides: EventContent = {};
  for (const key of CONTENT_KEYS) {
    if (JSON.stringify(content[key]) !== JSON.stringify(master.content[key])) {
      (overrides as Record<string, unknown>)[key] = content[key];
    }
  }
  const previousStatus = ref.exception?.status ?? master.status;
  const timingChanged = !sameWhen(before.start, start) || !sameWhen(before.end, end);
  const significant = timingChanged || status !== previousStatus || SIGNIFICANT.some((k) => previousContent[k] !== content[k]);
  store.mutate(calendar, (touch) => {
    const exception = ensureException(ctx, ref);
    exception.start = sameWhen(start, original.start) ? undefined : start;
    exception.end = sameWhen(end, original.end) ? undefined : end;
    exception.overrides = overrides;
    exception.status = status;
    touch(exception, significant);
  });
}

function ensureException(ctx: OpsContext, ref: InstanceRef): StoredException {
  if (ref.exception) return ref.exception;
  const exception: StoredException = {
    ...newVersioned(ctx.store.now(), ref.master.sequence),
    originalStart: ref.originalStart,
    status: ref.master.status,
    overrides: {},
  };
  ref.master.exceptions.set(ref.key, exception);
  ref.exception = exception;
  return exception;
}

function sameWhen(a: When, b: When): boolean {
  return a.kind === b.kind && a.ms === b.ms && (a.kind === 'date' || b.kind === 'date' || a.timeZone === b.timeZone);
}

// ---- person-actions that have no single REST equivalent ----

/**
 * An attendee answers: on one occurrence (an exception whose attendee list differs) or on the
 * whole series (the master's list, and every exception that carries its own copy).
 */
export function respond(ctx: OpsContext, target: Target, email: string, status: ResponseStatus): void {
  const who = email.toLowerCase();
  const answer = (list: Attendee[] | undefined): Attendee[] => {
    if (!list?.some((a) => a.email === who))
      throw new GoogleApiError(400, 'invalid', `${email} is not an attendee of this event`);
    return list.map((a) => (a.email === who ? { ...a, responseStatus: status } : a));
  };
  if (target.kind === 'instance') {
    const { ref } = target;
    const attendees = answer(ref.exception?.overrides.attendees ?? ref.master.content.attendees);
    applyToInstance(ctx, ref, { ...currentInstanceBody(ref), attendees });
    return;
  }
  const event = target.event;
  const attendees = answer(event.content.attendees);
  ctx.store.mutate(ctx.calendar, (touch) => {
    event.content = { ...event.content, attendees };
    touch(event);
    for (const exception of event.exceptions.values()) {
      const own = exception.overrides.attendees;
      if (own?.some((a) => a.email === who)) {
        exception.overrides.attendees = own.map((a) => (a.email === who ? { ...a, responseStatus: status } : a));
      }
      if (exception.status !== 'cancelled') touch(exception);
    }
  });
}

/**
 * Google's "this and following": the original series gains an UNTIL (end of the day before the
 * split, in the event's zone) and a new recurring event, `<id>_R<start>`, carries the rest.
 * Exceptions from the split on are cancelled in the old series. Returns the new event.
 */
export function splitSeries(ctx: OpsContext, master: StoredEvent, from: Instant): StoredEvent {
  const { store, calendar } = ctx;
  if (!isRecurring(master) || master.status === 'cancelled') throw errors.badRequest('Not an active recurring event.');
  const starts = occurrenceStarts(master, from + 1);
  if (!starts.includes(from)) throw errors.notFound('No occurrence starts at that time.');
  if (starts[0] === from)
    throw errors.badRequest('Cannot split a series at its first occurrence; delete or edit the series instead.');
  const zone = seriesStart(master).zone;
  const until = DateTime.fromMillis(from, { zone }).minus({ days: 1 }).endOf('day').startOf('second').toMillis();
  const lines = master.recurrence ?? [];
  const count = parseRecurrence(lines).rule?.count;
  const before = starts.length - 1;
  const tail = DateTime.fromMillis(from, { zone: 'utc' }).toFormat("yyyyMMdd'T'HHmmss");
  const id = `${master.id}_R${tail}`;
  if (calendar.events.has(id)) throw errors.duplicate();
  const original = originalWhen(refFor(master, from));
  const now = store.now();
  const next: StoredEvent = {
    ...newVersioned(now),
    id,
    calendarId: calendar.id,
    iCalUID: `${id}@google.com`,
    status: 'confirmed',
    start: original.start,
    end: original.end,
    recurrence: withCount(lines, count === undefined ? undefined : count - before),
    content: structuredClone(master.content),
    organizer: master.organizer,
    creator: master.creator,
    exceptions: new Map(),
  };
  store.mutate(calendar, (touch) => {
    master.recurrence = withUntil(lines, until);
    touch(master, true);
    for (const exception of master.exceptions.values()) {
      if (exception.originalStart >= from && exception.status !== 'cancelled') {
        exception.status = 'cancelled';
        touch(exception, true);
      }
    }
    calendar.events.set(id, next);
    touch(next);
  });
  return next;
}
