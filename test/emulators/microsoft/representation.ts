import type { DateTime } from 'luxon';
import type { EventFields, ViewItem } from './model.js';
import { pickExtended } from './odata.js';
import { graphLocalDateTime, graphOriginalStart, graphTimestamp } from './time.js';

export interface RenderOptions {
  /** From `Prefer: outlook.timezone`; responses are in UTC without it. */
  timeZone?: string | undefined;
  /** Extended property ids requested with $expand; none are returned otherwise. */
  extendedIds?: string[] | undefined;
  select?: string[] | undefined;
}

function dateTimeTimeZone(instant: DateTime, timeZone: string | undefined) {
  const tz = timeZone ?? 'UTC';
  return { dateTime: graphLocalDateTime(instant, tz), timeZone: tz };
}

function bodyPreview(body: EventFields['body']): string {
  const text =
    body.contentType === 'html' ? body.content.replace(/<head>[\s\S]*?<\/head>/i, '').replace(/<[^>]+>/g, ' ') : body.content;
  return text.replace(/\s+/g, ' ').trim().slice(0, 255);
}

function location(loc: EventFields['location']) {
  if (!loc.displayName)
    return { displayName: '', locationType: 'default', uniqueIdType: 'unknown', address: {}, coordinates: {} };
  return { locationType: 'default', uniqueId: loc.displayName, uniqueIdType: 'private', ...loc };
}

/** An event, occurrence or exception as Graph writes it, property order included. */
export function renderEvent(item: ViewItem, opts: RenderOptions = {}): Record<string, unknown> {
  const master = item.kind === 'event' ? item.event : item.master;
  const f = item.kind === 'event' ? item.event.fields : item.fields;
  const id = item.kind === 'event' ? item.event.id : item.id;
  const changeKey = item.kind === 'event' ? item.event.changeKey : item.changeKey;
  const type = item.kind === 'event' ? item.event.type : item.type;
  const loc = location(f.location);
  const out: Record<string, unknown> = {
    '@odata.etag': `W/"${changeKey}"`,
    id,
    createdDateTime: graphTimestamp(master.createdAt),
    lastModifiedDateTime: graphTimestamp(item.kind === 'event' ? item.event.modifiedAt : item.modifiedAt),
    changeKey,
    categories: f.categories,
    transactionId: item.kind === 'event' ? item.event.transactionId : null,
    originalStartTimeZone: f.startTimeZone,
    originalEndTimeZone: f.endTimeZone,
    iCalUId: master.iCalUId,
    reminderMinutesBeforeStart: f.reminderMinutesBeforeStart,
    isReminderOn: f.isReminderOn,
    hasAttachments: false,
    subject: f.subject,
    bodyPreview: bodyPreview(f.body),
    importance: f.importance,
    sensitivity: f.sensitivity,
    isAllDay: f.isAllDay,
    isCancelled: false,
    isOrganizer: true,
    responseRequested: f.responseRequested,
    seriesMasterId: item.kind === 'event' ? null : master.id,
    showAs: f.showAs,
    type,
    webLink: `https://outlook.office365.com/owa/?itemid=${encodeURIComponent(id)}&exvsurl=1&path=/calendar/item`,
    onlineMeetingUrl: null,
    isOnlineMeeting: f.isOnlineMeeting,
    onlineMeetingProvider: 'unknown',
    allowNewTimeProposals: f.allowNewTimeProposals,
    isDraft: false,
    hideAttendees: false,
    responseStatus: { response: 'organizer', time: '0001-01-01T00:00:00Z' },
    body: f.body,
    start: dateTimeTimeZone(f.start, opts.timeZone),
    end: dateTimeTimeZone(f.end, opts.timeZone),
    location: loc,
    locations: f.location.displayName
      ? [{ displayName: f.location.displayName, locationType: 'default', uniqueIdType: 'unknown' }]
      : [],
    recurrence: item.kind === 'event' ? master.recurrence : null,
    attendees: f.attendees,
    organizer: master.organizer,
    onlineMeeting: null,
  };
  if (item.kind === 'instance') out.originalStart = graphOriginalStart(item.originalStart);
  if (opts.extendedIds && item.kind === 'event') {
    const props = pickExtended(item.event.extendedProperties, opts.extendedIds);
    if (props.length > 0) out.singleValueExtendedProperties = props;
  }
  if (opts.select) {
    const keep = new Set(['@odata.etag', 'id', 'singleValueExtendedProperties', ...opts.select]);
    for (const key of Object.keys(out)) if (!keep.has(key)) delete out[key];
  }
  return out;
}
