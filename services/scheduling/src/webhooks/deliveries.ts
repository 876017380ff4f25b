import { createHash } from 'node:crypto';
import type { Model } from 'mongoose';
import { isDuplicateKeyError } from '@cadence/shared/http';
import type { OutboxEventDoc } from '../outbox/models.js';
import type { AttemptRecord, QueueItemDoc, WebhookModels } from './models.js';

type OutboxEvent = OutboxEventDoc & { _id: string };

/**
 * A delivery's id names its (event, subscription) pair, so making it twice makes it once; it
 * starts with the event's sequence in base 36, so ids sort in event order.
 */
export function deliveryId(eventId: string, subscriptionId: string, sequence: number): string {
  const hash = createHash('sha256').update(`${eventId}|${subscriptionId}`).digest();
  let tail = '';
  for (const b of hash.subarray(0, 12)) tail += (b % 36).toString(36);
  // 11 base-36 digits hold any safe integer (sequences are microseconds since the epoch)
  return `dlv_${sequence.toString(36).padStart(11, '0')}${tail}`;
}

/** The Standard Webhooks payload: `{type, timestamp, data}`, the same bytes on every attempt. */
export const payloadOf = (event: { type: string; occurredAt: Date; data: unknown }) =>
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
 * Queues deliveries of events to subscriptions, in event order. Queueing one twice queues it once
 * (the id is derived). `careful` — after a crash, when the same events may be fanned out again —
 * also skips deliveries that already ended (they are in the log), so those are not sent twice.
 */
export async function createDeliveries(
  models: WebhookModels,
  pairs: { event: OutboxEvent; subscriptionId: string }[],
  now: Date,
  careful = false,
): Promise<string[]> {
  const sorted = [...pairs].sort((a, b) => a.event.sequence - b.event.sequence);
  let items = sorted.map(({ event, subscriptionId }) => queueItem({ subscriptionId }, event, now));
  if (careful && items.length) {
    const ended = await models.Deliveries.find({ _id: { $in: items.map((i) => i._id) } }, { _id: 1 }).lean();
    const done = new Set(ended.map((d) => d._id));
    items = items.filter((i) => !done.has(i._id));
  }
  const existed = await insertInOrder(models.Queue, items);
  return items.filter((i) => !existed.has(i._id)).map((i) => i._id);
}

/** A new queue item; a replay carries the attempts the delivery already had. */
export function queueItem(
  delivery: { subscriptionId: string; attempts?: AttemptRecord[]; attemptCount?: number; replayedAt?: Date | null },
  event: Pick<OutboxEvent, '_id' | 'organizationId' | 'type' | 'seriesId' | 'sequence' | 'occurredAt' | 'data'>,
  now: Date,
): QueueItemDoc {
  return {
    _id: deliveryId(event._id, delivery.subscriptionId, event.sequence),
    organizationId: event.organizationId,
    subscriptionId: delivery.subscriptionId,
    eventId: event._id,
    eventType: event.type,
    seriesId: event.seriesId ?? null,
    sequence: event.sequence,
    body: payloadOf(event),
    round: 0,
    nextAttemptAt: now,
    attempts: delivery.attempts ?? [],
    attemptCount: delivery.attemptCount ?? 0,
    replayedAt: delivery.replayedAt ?? null,
    createdAt: now,
  };
}
