import { badRequest } from './errors.js';
import type { Attendee, EventFields, ExtendedProperty, Location } from './model.js';
import { parseDateTimeTimeZone } from './time.js';

/** What a create or update body asks for, already validated. */
export interface EventInput {
  fields: Partial<EventFields>;
  recurrence?: unknown;
  transactionId?: string;
  extendedProperties?: ExtendedProperty[];
}

const WRITABLE = new Set([
  'subject',
  'body',
  'start',
  'end',
  'location',
  'locations',
  'attendees',
  'recurrence',
  'isReminderOn',
  'reminderMinutesBeforeStart',
  'allowNewTimeProposals',
  'transactionId',
  'singleValueExtendedProperties',
  'importance',
  'sensitivity',
  'showAs',
  'categories',
  'isAllDay',
  'responseRequested',
  'isOnlineMeeting',
  'onlineMeetingProvider',
  'hideAttendees',
]);

/** Properties a client may echo back from a GET; Graph ignores them on write. */
const READ_ONLY = new Set([
  'id',
  'createdDateTime',
  'lastModifiedDateTime',
  'changeKey',
  'originalStartTimeZone',
  'originalEndTimeZone',
  'iCalUId',
  'hasAttachments',
  'bodyPreview',
  'isCancelled',
  'isOrganizer',
  'seriesMasterId',
  'type',
  'webLink',
  'onlineMeetingUrl',
  'onlineMeeting',
  'responseStatus',
  'organizer',
  'originalStart',
  'isDraft',
]);

const EXTENDED_ID =
  /^(String|Integer|Boolean|Double|SystemTime|Binary|Long|Short|Float|Currency|ApplicationTime|CLSID)\s+\{[0-9a-f-]{36}\}\s+(Name\s+\S.*|Id\s+0x[0-9a-f]+)$/i;

function str(value: unknown, field: string): string {
  if (typeof value !== 'string')
    throw badRequest('RequestBodyRead', `Cannot convert a value to type 'Edm.String' for property '${field}'.`);
  return value;
}

function bool(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean')
    throw badRequest('RequestBodyRead', `Cannot convert a value to type 'Edm.Boolean' for property '${field}'.`);
  return value;
}

function parseAttendees(value: unknown): Attendee[] {
  if (!Array.isArray(value)) throw badRequest('RequestBodyRead', "The property 'attendees' must be a collection.");
  return value.map((a: unknown, i) => {
    const att = (a ?? {}) as { type?: unknown; emailAddress?: { address?: unknown; name?: unknown } };
    const address = att.emailAddress?.address;
    if (typeof address !== 'string' || !address.includes('@')) {
      throw badRequest('ErrorInvalidRecipients', `attendees[${i}].emailAddress.address must be an SMTP address.`);
    }
    const type = (typeof att.type === 'string' ? att.type : 'required').toLowerCase();
    if (type !== 'required' && type !== 'optional' && type !== 'resource') {
      throw badRequest('RequestBodyRead', `The value '${String(att.type)}' is not valid for attendees[${i}].type.`);
    }
    const name = typeof att.emailAddress?.name === 'string' ? att.emailAddress.name : address;
    return { type, emailAddress: { name, address }, status: { response: 'none', time: '0001-01-01T00:00:00Z' } };
  });
}

function parseLocation(value: unknown): Location {
  if (typeof value !== 'object' || value === null)
    throw badRequest('RequestBodyRead', "The property 'location' must be an object.");
  const loc = value as Record<string, unknown>;
  return { ...loc, displayName: typeof loc.displayName === 'string' ? loc.displayName : '' };
}

function parseExtended(value: unknown): ExtendedProperty[] {
  if (!Array.isArray(value))
    throw badRequest('RequestBodyRead', "The property 'singleValueExtendedProperties' must be a collection.");
  return value.map((p: unknown) => {
    const { id, value: v } = (p ?? {}) as { id?: unknown; value?: unknown };
    if (typeof id !== 'string' || !EXTENDED_ID.test(id.trim())) {
      throw badRequest('ErrorInvalidExtendedPropertyValue', `The extended property id '${String(id)}' is not valid.`);
    }
    if (typeof v !== 'string')
      throw badRequest('ErrorInvalidExtendedPropertyValue', 'An extended property value must be a string.');
    return { id: id.trim(), value: v };
  });
}

/**
 * Reads an event body. Unknown properties are a 400 as in Graph ("does not exist on type"),
 * read-only ones a client echoes back are ignored, `@odata.*` annotations are allowed.
 */
export function parseEventInput(body: unknown): EventInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('BadRequest', 'Empty Payload. JSON content expected.');
  }
  const input = body as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (key.startsWith('@odata.') || WRITABLE.has(key) || READ_ONLY.has(key)) continue;
    throw badRequest(
      'RequestBodyRead',
      `The property '${key}' does not exist on type 'microsoft.graph.event'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
    );
  }
  const fields: Partial<EventFields> = {};
  const out: EventInput = { fields };
  if (input.subject !== undefined) fields.subject = input.subject === null ? '' : str(input.subject, 'subject');
  if (input.body !== undefined && input.body !== null) {
    const b = input.body as { contentType?: unknown; content?: unknown };
    const contentType = (typeof b.contentType === 'string' ? b.contentType : 'text').toLowerCase();
    if (contentType !== 'html' && contentType !== 'text')
      throw badRequest('RequestBodyRead', `Invalid body.contentType '${String(b.contentType)}'.`);
    fields.body = { contentType, content: typeof b.content === 'string' ? b.content : '' };
  }
  if (input.start !== undefined) {
    const s = parseDateTimeTimeZone(input.start, 'start');
    fields.start = s.instant;
    fields.startTimeZone = s.timeZone;
  }
  if (input.end !== undefined) {
    const e = parseDateTimeTimeZone(input.end, 'end');
    fields.end = e.instant;
    fields.endTimeZone = e.timeZone;
  }
  if (input.location !== undefined && input.location !== null) fields.location = parseLocation(input.location);
  if (input.attendees !== undefined && input.attendees !== null) fields.attendees = parseAttendees(input.attendees);
  if (input.isReminderOn !== undefined) fields.isReminderOn = bool(input.isReminderOn, 'isReminderOn');
  if (input.allowNewTimeProposals !== undefined)
    fields.allowNewTimeProposals = bool(input.allowNewTimeProposals, 'allowNewTimeProposals');
  if (input.isAllDay !== undefined) fields.isAllDay = bool(input.isAllDay, 'isAllDay');
  if (input.responseRequested !== undefined) fields.responseRequested = bool(input.responseRequested, 'responseRequested');
  if (input.isOnlineMeeting !== undefined) fields.isOnlineMeeting = bool(input.isOnlineMeeting, 'isOnlineMeeting');
  if (input.reminderMinutesBeforeStart !== undefined) {
    const m = input.reminderMinutesBeforeStart;
    if (typeof m !== 'number' || !Number.isInteger(m) || m < 0)
      throw badRequest('RequestBodyRead', 'reminderMinutesBeforeStart must be a non-negative integer.');
    fields.reminderMinutesBeforeStart = m;
  }
  for (const key of ['importance', 'sensitivity', 'showAs'] as const) {
    if (input[key] !== undefined) fields[key] = str(input[key], key).toLowerCase();
  }
  if (input.categories !== undefined) {
    if (!Array.isArray(input.categories) || !input.categories.every((c) => typeof c === 'string')) {
      throw badRequest('RequestBodyRead', "The property 'categories' must be a collection of strings.");
    }
    fields.categories = input.categories as string[];
  }
  if (input.recurrence !== undefined) out.recurrence = input.recurrence;
  if (input.transactionId !== undefined && input.transactionId !== null)
    out.transactionId = str(input.transactionId, 'transactionId');
  if (input.singleValueExtendedProperties !== undefined)
    out.extendedProperties = parseExtended(input.singleValueExtendedProperties);
  return out;
}

/** Graph stores HTML bodies as a full document; clients comparing content must expect this. */
export function wrapHtml(content: string): string {
  if (/^\s*<html[\s>]/i.test(content)) return content;
  return `<html>\r\n<head>\r\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\r\n</head>\r\n<body>\r\n${content}\r\n</body>\r\n</html>\r\n`;
}
