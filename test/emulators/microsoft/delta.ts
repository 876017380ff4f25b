import type { DateTime } from 'luxon';
import type { Calendar } from './calendar.js';
import { idOf, versionOf } from './calendar.js';
import { badRequest, GraphError } from './errors.js';
import { newToken } from './ids.js';
import { renderEvent } from './representation.js';

/*
 * calendarView delta with server-side state tokens. A round starts from a snapshot (id → version
 * of every item that was in the window when the previous round ended; empty for an initial sync),
 * diffs it against the window now, and serves the result in pages. Tokens stay valid until
 * invalidated or evicted, so replaying a nextLink or deltaLink returns the same answer again.
 */

export interface DeltaRequest {
  userId: string;
  /** The path the client called, e.g. /v1.0/me/calendarView/delta; links repeat it. */
  path: string;
  skipToken?: string | undefined;
  deltaToken?: string | undefined;
  startDateTime?: DateTime | undefined;
  endDateTime?: DateTime | undefined;
  timeZone?: string | undefined;
  maxPageSize?: number | undefined;
}

export interface DeltaPage {
  value: Record<string, unknown>[];
  nextLink?: string;
  deltaLink?: string;
}

interface Window {
  from: DateTime;
  to: DateTime;
}

interface Round {
  userId: string;
  path: string;
  window: Window;
  items: Record<string, unknown>[];
  nextSnapshot: Map<string, string>;
  timeZone: string | undefined;
}

interface DeltaState {
  userId: string;
  path: string;
  window: Window;
  snapshot: Map<string, string>;
  timeZone: string | undefined;
  issuedAt: number;
}

type Tombstone = Pick<DeltaState, 'userId' | 'path' | 'window'>;

export class DeltaTracker {
  private readonly deltaStates = new Map<string, DeltaState>();
  private readonly skipStates = new Map<string, { round: Round; offset: number }>();
  private readonly tombstones = new Map<string, Tombstone>();
  private issued = 0;

  constructor(
    private readonly calendar: Calendar,
    private readonly baseUrl: () => string,
    private readonly options: { defaultPageSize: number; maxTokensPerUser: number },
  ) {}

  page(req: DeltaRequest): DeltaPage {
    const pageSize = req.maxPageSize ?? this.options.defaultPageSize;
    if (req.skipToken !== undefined) {
      const state = this.skipStates.get(req.skipToken);
      if (!state || state.round.userId !== req.userId) throw this.lost(req.skipToken, req.userId);
      return this.serve(state.round, state.offset, pageSize);
    }
    if (req.deltaToken) {
      const state = this.deltaStates.get(req.deltaToken);
      if (!state || state.userId !== req.userId) throw this.lost(req.deltaToken, req.userId);
      return this.serve(this.startRound(state.userId, state.path, state.window, state.snapshot, state.timeZone), 0, pageSize);
    }
    if (!req.startDateTime || !req.endDateTime) {
      throw badRequest(
        'ErrorInvalidParameter',
        'This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.',
      );
    }
    const window = { from: req.startDateTime, to: req.endDateTime };
    return this.serve(this.startRound(req.userId, req.path, window, new Map(), req.timeZone), 0, pageSize);
  }

  /** Every token of the user (or everyone) stops working; the next use answers 410 Gone. */
  invalidate(userId?: string): number {
    let count = 0;
    for (const [token, state] of this.deltaStates) {
      if (userId !== undefined && state.userId !== userId) continue;
      this.tombstones.set(token, state);
      this.deltaStates.delete(token);
      count += 1;
    }
    for (const [token, { round }] of this.skipStates) {
      if (userId !== undefined && round.userId !== userId) continue;
      this.tombstones.set(token, round);
      this.skipStates.delete(token);
      count += 1;
    }
    return count;
  }

  private startRound(
    userId: string,
    path: string,
    window: Window,
    snapshot: Map<string, string>,
    timeZone: string | undefined,
  ): Round {
    const current = this.calendar.viewItems(userId, window.from, window.to);
    const nextSnapshot = new Map(current.map((item) => [idOf(item), versionOf(item)]));
    const removed = [...snapshot.keys()]
      .filter((id) => !nextSnapshot.has(id))
      .map((id) => ({ '@odata.type': '#microsoft.graph.event', id, '@removed': { reason: 'deleted' } }));
    const changed = current
      .filter((item) => snapshot.get(idOf(item)) !== versionOf(item))
      .map((item) => ({ '@odata.type': '#microsoft.graph.event', ...renderEvent(item, { timeZone }) }));
    return { userId, path, window, items: [...removed, ...changed], nextSnapshot, timeZone };
  }

  private serve(round: Round, offset: number, pageSize: number): DeltaPage {
    const value = round.items.slice(offset, offset + pageSize);
    const next = offset + pageSize;
    const link = (param: string, token: string) => `${this.baseUrl()}${round.path}?${param}=${token}`;
    if (next < round.items.length) {
      const token = newToken();
      this.skipStates.set(token, { round, offset: next });
      return { value, nextLink: link('$skiptoken', token) };
    }
    const token = newToken();
    this.deltaStates.set(token, {
      userId: round.userId,
      path: round.path,
      window: round.window,
      snapshot: round.nextSnapshot,
      timeZone: round.timeZone,
      issuedAt: (this.issued += 1),
    });
    this.evict(round.userId);
    return { value, deltaLink: link('$deltatoken', token) };
  }

  /** Outlook keeps a bounded cache of delta tokens per mailbox; the oldest fall out first. */
  private evict(userId: string): void {
    const mine = [...this.deltaStates.entries()]
      .filter(([, s]) => s.userId === userId)
      .sort((a, b) => a[1].issuedAt - b[1].issuedAt);
    for (const [token, state] of mine.slice(0, Math.max(0, mine.length - this.options.maxTokensPerUser))) {
      this.tombstones.set(token, state);
      this.deltaStates.delete(token);
    }
  }

  /**
   * A token we issued but no longer hold: 410 Gone with a Location that restarts the round (the
   * initial query with an empty $deltatoken), as the delta-query overview documents. A token we
   * never issued: 400 syncStateNotFound.
   */
  private lost(token: string, userId: string): GraphError {
    const dead = this.tombstones.get(token);
    if (!dead || dead.userId !== userId) {
      return badRequest(
        'syncStateNotFound',
        'The sync state generation is not found. The delta token is expired and data must be synchronized again.',
      );
    }
    const params = new URLSearchParams({
      startDateTime: dead.window.from.toISO() ?? '',
      endDateTime: dead.window.to.toISO() ?? '',
    });
    const location = `${this.baseUrl()}${dead.path}?${params.toString()}&$deltatoken=`;
    return new GraphError(410, 'resyncRequired', 'The delta token is no longer valid, and the app must reset the sync state.', {
      Location: location,
    });
  }
}
