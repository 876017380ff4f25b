import { createHash } from 'node:crypto';
import type { Model } from 'mongoose';
import { isDuplicateKeyError } from '@cadence/shared/http';
import type { OutboxEventDoc } from '../outbox/models.js';
import type { DeliveryDoc, QueueItemDoc, WebhookModels } from './models.js';

type OutboxEvent = OutboxEventDoc & { _id: string };

/**
 * A delivery's id names its (event, subscription) pair, so making it twice makes it once; it
 * starts with the event's sequence in base 36, so ids sort in event order.
 */
export function deliveryId(eventId: string, subscriptionId: string, sequence: number): string {
  const hash = createHash('sha256').update(`${eventId}|${subscriptionId}`).digest();
  let tail = '';
  for (const b of hash.subarray(0, 12)) tail += (b % 36).toString(36);
  return `dlv_${sequence.toString(36).padStart(9, '0')}${tail}`;
}

/** The Standard Webhooks payload: `{type, timestamp, data}`, the same bytes on every attempt. */
export const payloadOf = (event: Pick<OutboxEvent, 'type' | 'occurredAt' | 'data'>) =>
  JSON.stringify({ type: event.type, timestamp: new Date(event.occurredAt).toISOString(), data: event.data });

/**
 * Inserts documents one after another in their order (a later one is never visible before an
 * earlier one: the worker relies on that for per-series order), skipping those that exist.
 * Returns the ids of the skipped ones.
 */
async function insertInOrder<T extends { _id: string }>(model: Model<T>, docs: T[]): Promise<Set<string>> {
  const existing = new Set<string>();
  let rest = docs;
  while (rest.length) {
    try {
      await model.insertMany(rest, { ordered: true });
      break;
    } catch (err) {
      const index = (err as { writeErrors?: { index: number }[] }).writeErrors?.[0]?.index;
      if (!isDuplicateKeyError(err) || index === undefined) throw err;
      existing.add(rest[index]!._id);
      rest = rest.slice(index + 1);
    }
  }
  return existing;
}

/**
 * Records deliveries of events to subscriptions, then queues them: the log entry first (the
 * record that it exists), then the queue item (the work). Running it again after a crash finds
 * the log entries and queues those still pending, so nothing is lost and nothing doubled.
 */
export async function createDeliveries(
  models: WebhookModels,
  pairs: { event: OutboxEvent; subscriptionId: string }[],
  now: Date,
): Promise<string[]> {
  const { Deliveries, Queue } = models;
  const sorted = [...pairs].sort((a, b) => a.event.sequence - b.event.sequence);
  const log = sorted.map(({ event, subscriptionId }): DeliveryDoc & { _id: string } => ({
    _id: deliveryId(event._id, subscriptionId, event.sequence),
    organizationId: event.organizationId,
    subscriptionId,
    eventId: event._id,
    eventType: event.type,
    sequence: event.sequence,
    seriesId: event.seriesId ?? null,
    status: 'pending',
    attempts: [],
    attemptCount: 0,
    nextAttemptAt: now,
    failureReason: null,
    succeededAt: null,
    failedAt: null,
    replayedAt: null,
    createdAt: now,
    updatedAt: now,
  }));
  const existed = await insertInOrder(Deliveries, log);
  // after a crash between the two inserts: queue again only what has not ended since
  const unfinished = existed.size
    ? new Set((await Deliveries.find({ _id: { $in: [...existed] }, status: 'pending' }, { _id: 1 }).lean()).map((d) => d._id))
    : new Set<string>();
  const items = sorted
    .map(({ event }, i) => queueItem(log[i]!, event, now))
    .filter((item) => !existed.has(item._id) || unfinished.has(item._id));
  await insertInOrder(Queue, items);
  return items.map((i) => i._id);
}

export function queueItem(
  delivery: Pick<DeliveryDoc, 'organizationId' | 'subscriptionId'> & { _id: string },
  event: OutboxEvent,
  now: Date,
) {
  return {
    _id: delivery._id,
    organizationId: delivery.organizationId,
    subscriptionId: delivery.subscriptionId,
    eventId: event._id,
    seriesId: event.seriesId ?? null,
    sequence: event.sequence,
    body: payloadOf(event),
    round: 0,
    nextAttemptAt: now,
    createdAt: now,
  } satisfies QueueItemDoc & { _id: string };
}
