import { createHash } from 'node:crypto';
import { errors } from './errors.js';
import type { CalendarState } from './model.js';

/**
 * Sync and page tokens. Both are opaque to clients. A sync token names a point in the
 * calendar's change sequence; it dies when the calendar's epoch moves (`expireSyncTokens`) or
 * when it does not belong to this calendar or this emulator run, and then the answer is 410
 * `fullSyncRequired`, as Google gives for expired and invalid tokens alike.
 */

export function encodeSyncToken(calendar: CalendarState): string {
  return Buffer.from(`${calendar.nonce}.${calendar.epoch}.${calendar.seq}`).toString('base64');
}

export function decodeSyncToken(calendar: CalendarState, token: string): number {
  const [nonce, epoch, seq] = Buffer.from(token, 'base64').toString('utf8').split('.');
  const since = Number(seq);
  if (nonce !== calendar.nonce || Number(epoch) !== calendar.epoch || !Number.isInteger(since) || since > calendar.seq) {
    throw errors.fullSyncRequired();
  }
  return since;
}

/** Where the next page starts: after a (change number, id) key, or at an offset for ordered listings. */
export type PageCursor = { mode: 'keyset'; after: [number, string] } | { mode: 'offset'; offset: number };

interface PagePayload {
  n: string;
  q: string;
  s: number;
  c: PageCursor;
}

export interface PageState {
  cursor?: PageCursor;
  /** the calendar's change number when the first page was served */
  snapshot: number;
}

/** Hash of the parameters that define a listing, so a page token cannot wander to another query. */
export function queryHash(parts: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
}

export function encodePageToken(calendar: CalendarState, hash: string, snapshot: number, cursor: PageCursor): string {
  const payload: PagePayload = { n: calendar.nonce, q: hash, s: snapshot, c: cursor };
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

export function decodePageToken(calendar: CalendarState, hash: string, token: string | undefined): PageState {
  if (!token) return { snapshot: calendar.seq };
  let payload: PagePayload;
  try {
    payload = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as PagePayload;
  } catch {
    throw errors.invalid('Invalid page token value.', 'pageToken');
  }
  if (payload?.n !== calendar.nonce || payload.q !== hash || typeof payload.s !== 'number' || !payload.c) {
    // Google leaves mixing parameters between pages undefined; refusing makes adapter bugs visible
    throw errors.invalid('Invalid page token value (it belongs to a different query).', 'pageToken');
  }
  return { cursor: payload.c, snapshot: payload.s };
}
