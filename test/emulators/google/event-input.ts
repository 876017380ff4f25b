import { z } from 'zod';
import { errors } from './errors.js';
import type { EventContent, EventStatus, When } from './model.js';
import { parseRecurrence, RecurrenceError } from './recurrence.js';
import { formatDate, formatRfc3339, hasOffset, isValidZone, parseDate, parseLocal, parseRfc3339 } from './time.js';

/**
 * Reads request bodies the way Google validates them: same reasons and messages for the cases
 * Cadence can hit (missing time zone on a recurring event, empty time range, bad ids), and
 * read-only fields (kind, etag, created, organizer, ...) silently ignored.
 */

export type Body = Record<string, unknown>;

export interface EventInput {
  start: When;
  end: When;
  recurrence?: string[];
  content: EventContent;
  status?: EventStatus;
}

const attendeeSchema = z.object({
  email: z.string().optional(),
  displayName: z.string().optional(),
  optional: z.boolean().optional(),
  resource: z.boolean().optional(),
  comment: z.string().optional(),
  additionalGuests: z.number().int().min(0).optional(),
  responseStatus: z.enum(['needsAction', 'declined', 'tentative', 'accepted']).optional(),
});

const propertyMap = z.record(z.string().max(44), z.string().max(1024));

const contentSchema = z.object({
  summary: z.string().optional(),
  description: z.string().optional(),
  location: z.string().optional(),
  colorId: z.string().optional(),
  visibility: z.enum(['default', 'public', 'private', 'confidential']).optional(),
  transparency: z.enum(['opaque', 'transparent']).optional(),
  attendees: z.array(attendeeSchema).optional(),
  extendedProperties: z.object({ private: propertyMap.optional(), shared: propertyMap.optional() }).optional(),
  guestsCanModify: z.boolean().optional(),
  guestsCanInviteOthers: z.boolean().optional(),
  guestsCanSeeOtherGuests: z.boolean().optional(),
  anyoneCanAddSelf: z.boolean().optional(),
  reminders: z
    .object({
      useDefault: z.boolean(),
      overrides: z
        .array(z.object({ method: z.enum(['email', 'popup']), minutes: z.number().int().min(0).max(40320) }))
        .max(5)
        .optional(),
    })
    .optional(),
  source: z.object({ title: z.string().optional(), url: z.url({ protocol: /^https?$/ }).optional() }).optional(),
});

const statusSchema = z.enum(['confirmed', 'tentative', 'cancelled']);

export function asBody(value: unknown): Body {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw errors.parseError();
  return value as Body;
}

/** Google's rule for client-chosen ids: base32hex characters, 5 to 1024 of them. */
export function validateClientId(id: unknown): string {
  if (typeof id !== 'string' || !/^[a-v0-9]{5,1024}$/.test(id)) throw errors.invalid('Invalid resource id value.', 'id');
  return id;
}

export function parseContent(body: Body): EventContent {
  const picked = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== null && v !== undefined));
  const parsed = contentSchema.safeParse(picked);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.join('.') ?? '';
    throw errors.invalid(`Invalid value for: ${path}`, path);
  }
  const content = dropUndefined(parsed.data) as EventContent;
  if (content.attendees) {
    content.attendees = content.attendees.map((a) => {
      if (!a.email) throw errors.required('Missing attendee email.', 'attendees.email');
      return dropUndefined({ ...a, email: a.email.toLowerCase(), responseStatus: a.responseStatus ?? 'needsAction' });
    });
  }
  if (content.reminders?.useDefault && (content.reminders.overrides?.length ?? 0) > 0) {
    throw errors.badRequest(
      'Cannot specify both default reminders and overrides at the same time.',
      'cannotUseDefaultRemindersAndSpecifyOverride',
    );
  }
  return content;
}

export function parseStatus(value: unknown): EventStatus | undefined {
  if (value === undefined || value === null) return undefined;
  const parsed = statusSchema.safeParse(value);
  if (!parsed.success) throw errors.invalid('Invalid value for: status', 'status');
  return parsed.data;
}

/** Start/end per Google: timed values need an offset or a zone; recurring ones need the zone. */
export function parseWhen(value: unknown, which: 'start' | 'end', recurring: boolean): When {
  if (value === undefined || value === null) throw errors.required(`Missing ${which} time.`, which);
  if (typeof value !== 'object') throw errors.invalid(`Invalid ${which} time.`, which);
  const { date, dateTime, timeZone } = value as { date?: unknown; dateTime?: unknown; timeZone?: unknown };
  if (timeZone !== undefined && timeZone !== null && (typeof timeZone !== 'string' || !isValidZone(timeZone))) {
    throw errors.invalid(`Invalid time zone definition for ${which} time.`, `${which}.timeZone`);
  }
  const zone = typeof timeZone === 'string' ? timeZone : undefined;
  if (typeof dateTime === 'string') {
    if (recurring && !zone) throw errors.required(`Missing time zone definition for ${which} time.`, `${which}.timeZone`);
    const ms = hasOffset(dateTime) ? parseRfc3339(dateTime) : zone ? parseLocal(dateTime, zone) : undefined;
    if (ms === undefined) {
      if (!hasOffset(dateTime) && !zone)
        throw errors.required(`Missing time zone definition for ${which} time.`, `${which}.timeZone`);
      throw errors.invalid(`Invalid ${which} time.`, `${which}.dateTime`);
    }
    return zone ? { kind: 'dateTime', ms, timeZone: zone } : { kind: 'dateTime', ms };
  }
  if (typeof date === 'string') {
    const ms = parseDate(date);
    if (ms === undefined) throw errors.invalid(`Invalid ${which} time.`, `${which}.date`);
    return { kind: 'date', ms };
  }
  throw errors.required(`Missing ${which} time.`, which);
}

export function parseRecurrenceLines(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((l) => typeof l !== 'string'))
    throw errors.invalid('Invalid recurrence rule.', 'recurrence');
  const lines = value as string[];
  if (lines.length === 0) return undefined;
  try {
    parseRecurrence(lines);
  } catch (e) {
    if (e instanceof RecurrenceError) throw errors.invalid(`Invalid recurrence rule. ${e.message}`, 'recurrence');
    throw e;
  }
  return lines;
}

/** A whole event body (insert, or PUT which replaces everything). */
export function parseEventInput(body: Body): EventInput {
  const recurrence = parseRecurrenceLines(body.recurrence);
  const start = parseWhen(body.start, 'start', !!recurrence);
  const end = parseWhen(body.end, 'end', !!recurrence);
  checkRange(start, end);
  const status = parseStatus(body.status);
  return { start, end, recurrence, content: parseContent(body), ...(status ? { status } : {}) };
}

export function checkRange(start: When, end: When): void {
  if (start.kind !== end.kind) {
    throw errors.badRequest('Start and end times must either both be date or both be dateTime.', 'invalid', 'end');
  }
  if (end.ms < start.ms || (start.kind === 'date' && end.ms === start.ms)) throw errors.timeRangeEmpty('end');
}

/** The JSON form of a stored start/end, so a PATCH can be merged onto it and parsed again. */
export function whenToInput(when: When): Body {
  if (when.kind === 'date') return { date: formatDate(when.ms) };
  const zone = when.timeZone ?? 'UTC';
  return when.timeZone ? { dateTime: formatRfc3339(when.ms, zone), timeZone: zone } : { dateTime: formatRfc3339(when.ms, zone) };
}

/** PATCH semantics: objects merge recursively, arrays and scalars replace, `null` clears. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const base: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete base[key];
    else base[key] = isPlainObject(value) ? mergePatch(base[key], value) : value;
  }
  return base;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
