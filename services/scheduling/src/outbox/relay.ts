import type { FilterQuery, Model, UpdateQuery } from 'mongoose';
import { updateOne } from '@cadence/shared/db/gathered';
import type { OutboxEventDoc } from './models.js';
import type { PendingEvent } from './pending.js';
import { insertOutboxEvent } from './unfanned.js';

/** A document that carries pending events (a series or an occurrence). */
export interface WithPending {
  _id: string;
  version: number;
  pendingEvents: PendingEvent[];
}

/**
 * Copies a document's pending events into the outbox (an event already there is skipped: ids are
 * deterministic) and clears them if the document has not changed since it was read; a newer
 * version keeps its events for the next relay. Cleared only after all are copied: a crash midway
 * leaves them for the relay worker, which copies them again.
 */
export async function relayPending<T extends { _id: string }>(
  Outbox: Model<OutboxEventDoc>,
  owner: Model<T>,
  doc: WithPending,
): Promise<number> {
  let inserted = 0;
  for (const e of doc.pendingEvents) {
    const written = await insertOutboxEvent(Outbox, {
      _id: e.id,
      organizationId: e.organizationId,
      type: e.type,
      seriesId: e.seriesId ?? null,
      occurrenceKey: e.occurrenceKey ?? null,
      occurredAt: e.occurredAt,
      data: e.data,
      createdAt: new Date(),
      sequence: e.sequence,
    });
    if (written) inserted++;
  }
  // sent with other relays' (gathered.ts); a newer version does not match and keeps its events
  await updateOne(
    owner,
    { _id: doc._id, version: doc.version } as FilterQuery<T>,
    {
      $set: { pendingEvents: [], hasPendingEvents: false },
    } as UpdateQuery<T>,
  );
  return inserted;
}
