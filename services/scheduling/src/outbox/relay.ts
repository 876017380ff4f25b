import type { FilterQuery, Model } from 'mongoose';
import { isDuplicateKeyError } from '@cadence/shared/http';
import type { OutboxEventDoc } from './models.js';
import type { PendingEvent } from './pending.js';

/** A document that carries pending events (a series or an occurrence). */
export interface WithPending {
  _id: string;
  version: number;
  pendingEvents: PendingEvent[];
}

/**
 * Copies a document's pending events into the outbox (an event already there is skipped: ids are
 * deterministic) and clears them if the document has not changed since it was read; a newer
 * version keeps its events for the next relay.
 */
export async function relayPending<T extends { _id: string }>(
  Outbox: Model<OutboxEventDoc>,
  owner: Model<T>,
  doc: WithPending,
): Promise<number> {
  let inserted = 0;
  for (const e of doc.pendingEvents) {
    try {
      await Outbox.create({
        _id: e.id,
        organizationId: e.organizationId,
        type: e.type,
        seriesId: e.seriesId,
        occurrenceKey: e.occurrenceKey,
        occurredAt: e.occurredAt,
        data: e.data,
        createdAt: new Date(),
        sequence: e.sequence,
        fannedOut: false,
      });
      inserted++;
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
  }
  await owner.updateOne({ _id: doc._id, version: doc.version } as FilterQuery<T>, {
    $set: { pendingEvents: [], hasPendingEvents: false },
  });
  return inserted;
}
