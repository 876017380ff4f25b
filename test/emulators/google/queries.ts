import { errors } from './errors.js';
import { renderEvent, renderInstance, type GoogleEvent, type RenderOptions } from './event-render.js';
import type { CalendarState, EventContent, InstanceRef, StoredEvent, When } from './model.js';
import type { QueryParams } from './query-params.js';
import { parseRecurrence, isInfinite } from './recurrence.js';
import { currentWhen, durationMs, isRecurring, occurrenceStarts, refFor } from './series.js';
import { formatTimestamp, type Instant } from './time.js';
import { decodePageToken, decodeSyncToken, encodePageToken, encodeSyncToken, queryHash, type PageCursor } from './tokens.js';

/**
 * `events.list` (full listings and incremental sync) and `events.instances`.
 *
 * Unordered listings page by (change number, id), so an item changed while a client pages
 * moves behind the cursor and is still delivered, and `nextSyncToken` (last page only) can be
 * the calendar's change number at that moment without losing anything.
 */

export interface QueryContext {
  calendar: CalendarState;
  now: Instant;
  /** how far never-ending series are expanded when no timeMax bounds them */
  horizonMs: number;
}

interface Row {
  seq: number;
  id: string;
  start: Instant;
  updated: Instant;
  render: (options: RenderOptions) => GoogleEvent;
}

// Google refuses these together with syncToken (events.list reference)
const FORBIDDEN_WITH_SYNC = [
  'iCalUID',
  'orderBy',
  'privateExtendedProperty',
  'q',
  'sharedExtendedProperty',
  'timeMin',
  'timeMax',
  'updatedMin',
];

export function listEvents(ctx: QueryContext, params: QueryParams): Record<string, unknown> {
  const { calendar } = ctx;
  const syncToken = params.string('syncToken');
  const showDeleted = params.bool('showDeleted');
  const singleEvents = params.bool('singleEvents') ?? false;
  const orderBy = params.string('orderBy');
  const maxResults = params.pageSize('maxResults', 250, 2500);
  const zone = params.zone('timeZone') ?? calendar.timeZone;

  if (syncToken !== undefined) {
    const clash = FORBIDDEN_WITH_SYNC.filter((name) => params.has(name));
    if (showDeleted === false) clash.push('showDeleted');
    if (clash.length) throw errors.invalid('Sync token cannot be used with other request restrictions.', clash[0]);
  }
  if (orderBy !== undefined && orderBy !== 'startTime' && orderBy !== 'updated')
    throw errors.invalid(`Invalid value for: orderBy`, 'orderBy');
  if (orderBy === 'startTime' && !singleEvents) {
    throw errors.badRequest('The requested ordering is not available for the particular query.', 'badRequest', 'orderBy');
  }
  const filters: Filters = {
    timeMin: params.time('timeMin'),
    timeMax: params.time('timeMax'),
    updatedMin: params.time('updatedMin'),
    iCalUID: params.string('iCalUID'),
    privateProps: params.list('privateExtendedProperty').map(splitProperty),
    sharedProps: params.list('sharedExtendedProperty').map(splitProperty),
    q: params.string('q')?.toLowerCase(),
  };
  if (filters.timeMin !== undefined && filters.timeMax !== undefined && filters.timeMin >= filters.timeMax) {
    throw errors.timeRangeEmpty('timeMax');
  }

  const hash = queryHash({ syncToken, showDeleted, singleEvents, orderBy, filters, list: true });
  const page = decodePageToken(calendar, hash, params.string('pageToken'));
  const rows =
    syncToken !== undefined
      ? changedRows(ctx, decodeSyncToken(calendar, syncToken), singleEvents)
      : fullRows(ctx, filters, showDeleted ?? false, singleEvents);

  const { items, next } = paginate(rows, orderBy, page.cursor, maxResults);
  // cancelled items carry only their guaranteed fields, so clients cannot lean on more
  const options: RenderOptions = { zone, minimalCancelled: true };
  const result = envelope(ctx, zone);
  if (next) result.nextPageToken = encodePageToken(calendar, hash, page.snapshot, next);
  // unordered paging is change-ordered, so the live counter is safe; ordered paging falls back to
  // the snapshot taken on the first page, which at worst replays a change
  else result.nextSyncToken = orderBy ? encodeSyncToken({ ...calendar, seq: page.snapshot }) : encodeSyncToken(calendar);
  result.items = items.map((row) => row.render(options));
  return result;
}

export function listInstances(ctx: QueryContext, event: StoredEvent, params: QueryParams): Record<string, unknown> {
  const { calendar } = ctx;
  const showDeleted = params.bool('showDeleted') ?? false;
  const maxResults = params.pageSize('maxResults', 250, 2500);
  const zone = params.zone('timeZone') ?? calendar.timeZone;
  const timeMin = params.time('timeMin');
  const timeMax = params.time('timeMax');
  const originalStart = params.time('originalStart');
  if (event.status === 'cancelled') throw errors.deleted();

  const hash = queryHash({ instances: event.id, showDeleted, timeMin, timeMax, originalStart });
  const page = decodePageToken(calendar, hash, params.string('pageToken'));
  let rows: Row[];
  if (!isRecurring(event)) {
    // a single event is its own only instance
    rows = overlaps(event.start, event.end, timeMin, timeMax, true) ? [eventRow(calendar, event)] : [];
  } else {
    rows = instanceRows(ctx, event, timeMin, timeMax, true)
      .filter(({ ref }) => {
        if (originalStart !== undefined && ref.originalStart !== originalStart) return false;
        return showDeleted || (ref.exception?.status ?? event.status) !== 'cancelled';
      })
      .sort((a, b) => a.originalStart - b.originalStart);
  }
  const { items, next } = paginate(rows, 'originalStart', page.cursor, maxResults);
  const result = envelope(ctx, zone);
  if (next) result.nextPageToken = encodePageToken(calendar, hash, page.snapshot, next);
  result.items = items.map((row) => row.render({ zone, minimalCancelled: true }));
  return result;
}

function envelope(ctx: QueryContext, zone: string): Record<string, unknown> {
  return {
    kind: 'calendar#events',
    etag: `"p${ctx.calendar.seq}${String(ctx.calendar.epoch).padStart(3, '0')}"`,
    summary: ctx.calendar.id,
    updated: formatTimestamp(ctx.now),
    timeZone: zone,
    accessRole: 'owner',
    defaultReminders: [{ method: 'popup', minutes: 10 }],
  };
}

interface Filters {
  timeMin?: Instant;
  timeMax?: Instant;
  updatedMin?: Instant;
  iCalUID?: string;
  privateProps: [string, string][];
  sharedProps: [string, string][];
  q?: string;
}

function splitProperty(value: string): [string, string] {
  const eq = value.indexOf('=');
  if (eq < 1) throw errors.invalid(`Invalid extended property constraint: ${value}`, 'privateExtendedProperty');
  return [value.slice(0, eq), value.slice(eq + 1)];
}

function matchesContent(filters: Filters, content: EventContent, iCalUID: string): boolean {
  if (filters.iCalUID !== undefined && filters.iCalUID !== iCalUID) return false;
  const priv = content.extendedProperties?.private ?? {};
  const shared = content.extendedProperties?.shared ?? {};
  if (!filters.privateProps.every(([k, v]) => priv[k] === v)) return false;
  if (!filters.sharedProps.every(([k, v]) => shared[k] === v)) return false;
  if (filters.q) {
    const haystack = [
      content.summary,
      content.description,
      content.location,
      ...(content.attendees ?? []).flatMap((a) => [a.email, a.displayName]),
    ]
      .filter(Boolean)
      .join('\n')
      .toLowerCase();
    if (!haystack.includes(filters.q)) return false;
  }
  return true;
}

/** timeMin bounds the end (exclusive in list, inclusive in instances), timeMax bounds the start (exclusive). */
function overlaps(
  start: When,
  end: When,
  timeMin: Instant | undefined,
  timeMax: Instant | undefined,
  inclusiveMin: boolean,
): boolean {
  if (timeMax !== undefined && start.ms >= timeMax) return false;
  if (timeMin !== undefined && (inclusiveMin ? end.ms < timeMin : end.ms <= timeMin)) return false;
  return true;
}

function eventRow(calendar: CalendarState, event: StoredEvent): Row {
  return {
    seq: event.changeSeq,
    id: event.id,
    start: event.start.ms,
    updated: event.updated,
    render: (options) => renderEvent(calendar, event, options),
  };
}

function refRow(calendar: CalendarState, ref: InstanceRef): Row & { ref: InstanceRef; originalStart: Instant } {
  const versioned = ref.exception ?? ref.master;
  return {
    ref,
    originalStart: ref.originalStart,
    seq: Math.max(ref.master.changeSeq, ref.exception?.changeSeq ?? 0),
    id: `${ref.master.id}_${ref.key}`,
    start: currentWhen(ref).start.ms,
    updated: versioned.updated,
    render: (options) => renderInstance(calendar, ref, options),
  };
}

function horizonEnd(ctx: QueryContext, event: StoredEvent, timeMax: Instant | undefined): Instant {
  return timeMax ?? Math.max(ctx.now, event.start.ms) + ctx.horizonMs;
}

/**
 * Occurrences of a series overlapping the window, with their exceptions, plus exceptions moved
 * into the window from slots outside it.
 */
function instanceRows(
  ctx: QueryContext,
  event: StoredEvent,
  timeMin: Instant | undefined,
  timeMax: Instant | undefined,
  inclusiveMin: boolean,
) {
  const rows: ReturnType<typeof refRow>[] = [];
  const seen = new Set<string>();
  for (const start of occurrenceStarts(event, horizonEnd(ctx, event, timeMax))) {
    const ref = refFor(event, start);
    const when = currentWhen(ref);
    seen.add(ref.key);
    if (overlaps(when.start, when.end, timeMin, timeMax, inclusiveMin)) rows.push(refRow(ctx.calendar, ref));
  }
  for (const [key, exception] of event.exceptions) {
    if (seen.has(key)) continue;
    const ref = refFor(event, exception.originalStart);
    const when = currentWhen(ref);
    if (overlaps(when.start, when.end, timeMin, timeMax, inclusiveMin)) rows.push(refRow(ctx.calendar, ref));
  }
  return rows;
}

/** The span a series covers, for time-filtering masters in unexpanded listings. */
function seriesSpan(ctx: QueryContext, event: StoredEvent): { start: When; end: When } {
  if (!isRecurring(event) || isInfinite(parseRecurrence(event.recurrence ?? []))) {
    return { start: event.start, end: isRecurring(event) ? { kind: 'dateTime', ms: Number.MAX_SAFE_INTEGER } : event.end };
  }
  const starts = occurrenceStarts(event, Number.MAX_SAFE_INTEGER);
  const last = starts[starts.length - 1] ?? event.start.ms;
  return { start: event.start, end: { kind: 'dateTime', ms: last + durationMs(event) } };
}

function fullRows(ctx: QueryContext, filters: Filters, showDeleted: boolean, singleEvents: boolean): Row[] {
  const { calendar } = ctx;
  const rows: Row[] = [];
  // updatedMin always includes items deleted since then, whatever showDeleted says
  const deletedVisible = (updated: Instant) => showDeleted || (filters.updatedMin !== undefined && updated >= filters.updatedMin);
  const freshEnough = (updated: Instant) => filters.updatedMin === undefined || updated >= filters.updatedMin;
  for (const event of calendar.events.values()) {
    const cancelled = event.status === 'cancelled';
    if (!isRecurring(event)) {
      if (cancelled && !deletedVisible(event.updated)) continue;
      if (!freshEnough(event.updated) || !matchesContent(filters, event.content, event.iCalUID)) continue;
      if (overlaps(event.start, event.end, filters.timeMin, filters.timeMax, false)) rows.push(eventRow(calendar, event));
      continue;
    }
    if (cancelled && !deletedVisible(event.updated)) continue;
    if (!singleEvents) {
      const span = seriesSpan(ctx, event);
      if (
        freshEnough(event.updated) &&
        matchesContent(filters, event.content, event.iCalUID) &&
        overlaps(span.start, span.end, filters.timeMin, filters.timeMax, false)
      ) {
        rows.push(eventRow(calendar, event));
      }
      if (cancelled) continue;
      // exceptions are items of their own; cancelled ones are listed even without showDeleted
      for (const exception of event.exceptions.values()) {
        const ref = refFor(event, exception.originalStart);
        const when = currentWhen(ref);
        if (!freshEnough(exception.updated)) continue;
        if (
          exception.status !== 'cancelled' &&
          !matchesContent(filters, { ...event.content, ...exception.overrides }, event.iCalUID)
        )
          continue;
        if (overlaps(when.start, when.end, filters.timeMin, filters.timeMax, false)) rows.push(refRow(calendar, ref));
      }
      continue;
    }
    for (const row of instanceRows(ctx, event, filters.timeMin, filters.timeMax, false)) {
      const status = cancelled ? 'cancelled' : (row.ref.exception?.status ?? event.status);
      if (status === 'cancelled' ? !deletedVisible(row.updated) : !freshEnough(row.updated)) continue;
      if (
        status !== 'cancelled' &&
        !matchesContent(filters, { ...event.content, ...row.ref.exception?.overrides }, event.iCalUID)
      )
        continue;
      rows.push(row);
    }
  }
  return rows;
}

/** Everything that changed after `since`, deletions included; the original filters do not apply. */
function changedRows(ctx: QueryContext, since: number, singleEvents: boolean): Row[] {
  const { calendar } = ctx;
  const rows: Row[] = [];
  for (const event of calendar.events.values()) {
    if (isRecurring(event) && singleEvents) {
      // expanded sync: a changed (or deleted) series means all its instances changed
      for (const row of instanceRows(ctx, event, undefined, undefined, false)) if (row.seq > since) rows.push(row);
      continue;
    }
    if (event.changeSeq > since) rows.push(eventRow(calendar, event));
    if (!isRecurring(event) || event.status === 'cancelled') continue;
    for (const exception of event.exceptions.values()) {
      if (exception.changeSeq > since) rows.push(refRow(calendar, refFor(event, exception.originalStart)));
    }
  }
  return rows;
}

function paginate(
  rows: Row[],
  orderBy: string | undefined,
  cursor: PageCursor | undefined,
  size: number,
): { items: Row[]; next?: PageCursor } {
  if (orderBy) {
    const sorted = [...rows];
    if (orderBy === 'updated') sorted.sort((a, b) => a.updated - b.updated || byId(a, b));
    else if (orderBy === 'startTime') sorted.sort((a, b) => a.start - b.start || byId(a, b));
    const offset = cursor?.mode === 'offset' ? cursor.offset : 0;
    const items = sorted.slice(offset, offset + size);
    const more = offset + size < sorted.length;
    return more ? { items, next: { mode: 'offset', offset: offset + size } } : { items };
  }
  const sorted = [...rows].sort((a, b) => a.seq - b.seq || byId(a, b));
  const after = cursor?.mode === 'keyset' ? cursor.after : undefined;
  const remaining = after ? sorted.filter((r) => r.seq > after[0] || (r.seq === after[0] && r.id > after[1])) : sorted;
  const items = remaining.slice(0, size);
  const last = items[items.length - 1];
  return remaining.length > size && last ? { items, next: { mode: 'keyset', after: [last.seq, last.id] } } : { items };
}

function byId(a: Row, b: Row): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
