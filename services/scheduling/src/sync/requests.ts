import type { Model } from 'mongoose';
import type { ConnectionDoc } from '../connections/models.js';
import type { SyncStateDoc } from './models.js';

type Requested = Pick<ConnectionDoc, '_id' | 'organizationId' | 'provider'>;

/** Flags per write: a bound on one command's size. */
const MAX_BATCH = 200;

/**
 * Writes "sync this calendar" flags. A request is written at once when no write is under way;
 * those that come while one is join the next write, one command for all of them. A burst of
 * notifications (200 cancellations: 200 notifications in a second) was one update each, and the
 * round trips, not the flags, were the cost. Each request resolves once its own flag is stored
 * (a notification is answered 200 only then) and fails with its write.
 */
export class SyncRequests {
  private readonly queued = new Map<
    string,
    { connection: Requested; waiters: { done: () => void; fail: (err: unknown) => void }[] }
  >();
  private writing = false;

  constructor(
    private readonly States: Model<SyncStateDoc>,
    private readonly now: () => Date,
  ) {}

  add(connection: Requested): Promise<void> {
    return new Promise((done, fail) => {
      const entry = this.queued.get(connection._id) ?? { connection, waiters: [] };
      entry.waiters.push({ done, fail });
      this.queued.set(connection._id, entry);
      if (!this.writing) void this.writeQueued();
    });
  }

  private async writeQueued(): Promise<void> {
    this.writing = true;
    try {
      while (this.queued.size) {
        const batch = [...this.queued.values()].slice(0, MAX_BATCH);
        for (const { connection } of batch) this.queued.delete(connection._id);
        const requestedAt = this.now();
        try {
          await this.States.bulkWrite(
            batch.map(({ connection }) => ({
              updateOne: {
                filter: { _id: connection._id },
                update: {
                  $set: { pending: true, requestedAt },
                  $setOnInsert: { organizationId: connection.organizationId, provider: connection.provider },
                },
                upsert: true,
              },
            })),
            { ordered: false },
          );
          for (const w of batch.flatMap((e) => e.waiters)) w.done();
        } catch (err) {
          for (const w of batch.flatMap((e) => e.waiters)) w.fail(err);
        }
      }
    } finally {
      this.writing = false;
    }
  }
}
