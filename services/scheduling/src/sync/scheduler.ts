import { randomUUID } from 'node:crypto';
import type { Model } from 'mongoose';
// sent with other syncs' reads and writes of the same collection (a burst runs many at once)
import { findById, updateOne } from '@cadence/shared/db/gathered';
import type { Logger } from '@cadence/shared/logging';
import { withDeadline } from '@cadence/shared/process';
import type { ConnectionDoc } from '../connections/models.js';
import { CursorExpiredError, ReauthRequiredError } from './errors.js';
import type { SyncStateDoc } from './models.js';
import { SyncRequests } from './requests.js';

/** One provider's incremental sync of one connected calendar. */
export interface CalendarSyncer {
  /** Applies every change since `cursor` (null: a full sync) and returns the cursor to store. */
  sync(connection: ConnectionDoc, cursor: string | null): Promise<string>;
}

export interface SyncSchedulerOptions {
  pollMs: number;
  leaseMs: number;
  /** How long to wait after a request before syncing, so a burst of notifications is one sync. */
  debounceMs?: number;
  /** Calendars this replica syncs at once (each one still by one sync at a time, everywhere). */
  concurrency?: number;
  onReauthRequired: (connection: ConnectionDoc, reason: string) => Promise<void>;
}

/** As SYNC_CONCURRENCY's default (shared/src/config/providers.ts says why). */
const DEFAULT_CONCURRENCY = 16;
/** Calendars read at once, and reads per drain (a poll starts the next drain). */
const DUE_BATCH = 100;
const MAX_READS = 1000;

/** A sync that held its calendar for longer than its lease. */
class SyncDeadlineError extends Error {}

/**
 * A sync's result, or a SyncDeadlineError once it has run for the lease (real time, not the
 * injectable clock). Past its lease another replica may claim the calendar anyway; and a sync
 * that never ends — a database or provider call that never answers — would otherwise hold this
 * replica's whole sync loop (and its shutdown). The abandoned run is left to end on its own; its
 * writes name its claim, so they cannot undo a later one.
 */
const withinLease = <T>(sync: Promise<T>, leaseMs: number): Promise<T> =>
  withDeadline(sync, leaseMs, () => new SyncDeadlineError(`the sync did not finish within its lease (${leaseMs} ms)`));

/**
 * After a failed sync (its calls' own retries used up): 5 s, then twice as long each time, at most an
 * hour. A calendar waits that long for its changes whatever notifications say meanwhile; a first
 * wait of a minute left a transient failure's cancellations unnoticed for that minute.
 */
export const syncBackoffMs = (failures: number) => Math.min(5_000 * 2 ** Math.min(failures, 10), 3600_000);

/**
 * Turns "something changed in this calendar" into exactly one sync at a time per calendar across
 * all replicas: requests set a flag, a worker claims flagged calendars with a lease (a
 * compare-and-set of the state's generation), and the new cursor is stored only after every page was applied.
 */
export class SyncScheduler {
  private readonly owner = randomUUID();
  private timer: NodeJS.Timeout | undefined;
  private wakeTimer: NodeJS.Timeout | undefined;
  private kickTimer: NodeJS.Timeout | undefined;
  /** Set while a drain waits with a free slot: a request wakes it to read what is due. */
  private kick: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private readonly requests: SyncRequests;

  constructor(
    private readonly States: Model<SyncStateDoc>,
    private readonly Connections: Model<ConnectionDoc>,
    private readonly syncers: Map<string, CalendarSyncer>,
    private readonly logger: Logger,
    private readonly now: () => Date,
    private readonly opts: SyncSchedulerOptions,
  ) {
    this.requests = new SyncRequests(States, now);
  }

  /** Something changed (a notification, a reconcile, a new connection): sync this calendar soon. */
  async request(connection: Pick<ConnectionDoc, '_id' | 'organizationId' | 'provider'>): Promise<void> {
    await this.requests.add(connection);
    this.wake();
  }

  /** Forget the cursor so the next sync is a full one. */
  async resetCursor(connectionId: string): Promise<void> {
    await this.States.updateOne({ _id: connectionId }, { $set: { cursor: null } });
  }

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.wake(0), this.opts.pollMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.wakeTimer);
    this.kick?.();
    await this.running;
  }

  wake(delay = this.opts.debounceMs ?? 25): void {
    if (this.stopped) return;
    if (this.running) {
      // the running drain reads what is due again, after the debounce (a burst of requests is one read)
      this.again = true;
      this.kickTimer ??= setTimeout(() => {
        this.kickTimer = undefined;
        this.kick?.();
      }, delay);
      return;
    }
    if (this.wakeTimer) return;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      void this.drain();
    }, delay);
  }

  /** Runs due syncs until none is left; exposed for tests and benchmarks. */
  drain(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.pump()
      .catch((err: unknown) => this.logger.error({ err }, 'sync loop failed'))
      .finally(() => {
        this.running = undefined;
        clearTimeout(this.kickTimer);
        this.kickTimer = undefined;
      });
    return this.running;
  }

  /**
   * Keeps up to `concurrency` syncs running: a slot that frees takes the next due calendar, and a
   * request that comes meanwhile is read as soon as a slot is free. Syncs went in rounds (one read
   * of what was due, then all of it), and the next read waited for the round's slowest sync: one
   * sync held to its lease (a call nobody answers) held every other calendar of this replica, and
   * in a burst the calendars flagged just after a read waited for the whole round.
   */
  private async pump(): Promise<void> {
    const limit = this.opts.concurrency ?? DEFAULT_CONCURRENCY;
    const syncing = new Map<string, Promise<void>>();
    let queue: SyncStateDoc[] = [];
    // a read that came back full may have left due calendars behind
    let more = true;
    for (let reads = 0; !this.stopped;) {
      if (!queue.length && (more || this.again) && reads < MAX_READS) {
        this.again = false;
        reads++;
        const due = await this.due();
        more = due.length === DUE_BATCH;
        queue = due.filter((state) => !syncing.has(state._id));
      }
      while (queue.length && syncing.size < limit && !this.stopped) {
        const state = queue.shift()!;
        // the connection read while the claim is written: a sync's first two round trips side by side
        const connection = findById(this.Connections, state._id);
        connection.catch(() => undefined); // unclaimed: nobody awaits it
        const task = this.claim(state)
          .then(async (claimed) => {
            if (claimed) await this.run(claimed, await connection);
          })
          .catch((err: unknown) => this.logger.error({ err, connectionId: state._id }, 'sync failed'))
          .finally(() => syncing.delete(state._id));
        syncing.set(state._id, task);
      }
      const waitForMore = this.again || (more && !queue.length);
      if (!syncing.size && !queue.length && (!waitForMore || reads >= MAX_READS)) break;
      // until a slot frees, or a request comes (kick) while a slot is free
      await new Promise<void>((resolve) => {
        this.kick = syncing.size < limit ? resolve : undefined;
        if (syncing.size) void Promise.race(syncing.values()).then(() => resolve());
        else resolve();
      });
      this.kick = undefined;
    }
    await Promise.all(syncing.values());
  }

  /** Calendars due a sync, oldest request first. */
  private due(): Promise<SyncStateDoc[]> {
    const now = this.now();
    return this.States.find({
      pending: true,
      $and: [
        { $or: [{ leaseUntil: null }, { leaseUntil: { $lt: now } }] },
        { $or: [{ retryAt: null }, { retryAt: { $lte: now } }] },
      ],
    })
      .sort({ requestedAt: 1 })
      .limit(DUE_BATCH)
      .lean();
  }

  /**
   * The state, claimed by this replica; null when another got it first. One compare-and-set of the
   * generation: MongoDB applies a single-document update atomically, and so does the embedded
   * FerretDB (its build runs one update of a collection at a time: see "Where the database comes
   * from"). It went through a journal entry before that (two round trips while the slot waited).
   */
  private async claim(state: SyncStateDoc): Promise<SyncStateDoc | null> {
    const now = this.now();
    const generation = state.generation ?? 0;
    const set = {
      pending: false,
      leaseUntil: new Date(now.getTime() + this.opts.leaseMs),
      leaseOwner: this.owner,
      startedAt: now,
      generation: generation + 1,
    };
    const { modifiedCount } = await this.States.updateOne({ _id: state._id, generation }, { $set: set });
    return modifiedCount === 1 ? ({ ...state, ...set } as SyncStateDoc) : null;
  }

  private async run(state: SyncStateDoc, connection: ConnectionDoc | null): Promise<void> {
    // this claim's: an abandoned run (below) that ends after a later claim must not write over it
    const mine = { _id: state._id, leaseOwner: this.owner, generation: state.generation };
    const syncer = connection && this.syncers.get(connection.provider);
    if (!connection || connection.status !== 'active' || !syncer) {
      await updateOne(this.States, mine, { $set: { leaseUntil: null, leaseOwner: null } });
      return;
    }
    try {
      const cursor = await withinLease(syncer.sync(connection, state.cursor ?? null), this.opts.leaseMs);
      await updateOne(this.States, mine, {
        $set: { cursor, finishedAt: this.now(), leaseUntil: null, leaseOwner: null, failures: 0, lastError: null, retryAt: null },
      });
    } catch (err) {
      if (err instanceof CursorExpiredError) {
        this.logger.info({ connectionId: state._id }, 'sync cursor expired; running a full sync');
        await updateOne(this.States, mine, { $set: { cursor: null, pending: true, leaseUntil: null, leaseOwner: null } });
        this.again = true; // due again at once: this drain reads it
        return;
      }
      if (err instanceof ReauthRequiredError) {
        await updateOne(this.States, mine, { $set: { leaseUntil: null, leaseOwner: null, lastError: err.message } });
        await this.opts.onReauthRequired(connection, err.message);
        return;
      }
      const failures = (state.failures ?? 0) + 1;
      this.logger.warn({ err, connectionId: state._id, failures }, 'sync failed; will retry');
      // abandoned at its deadline: at once the first time (a stalled call is gone on the next try)
      const retryAt =
        err instanceof SyncDeadlineError && failures === 1 ? null : new Date(this.now().getTime() + syncBackoffMs(failures - 1));
      await updateOne(this.States, mine, {
        $set: {
          pending: true,
          leaseUntil: null,
          leaseOwner: null,
          failures,
          lastError: (err as Error).message,
          retryAt,
        },
      });
      if (!retryAt) this.again = true;
    }
  }
}
