import { STREAK_CONTEXT_WEEKS } from '@cadence/shared/cadence/streaks';
import type { Logger } from '@cadence/shared/logging';
import { every } from '@cadence/shared/process';
import type { Model } from 'mongoose';
import type { SchedulingModels } from '../context.js';
import type { WebhookModels } from '../webhooks/models.js';

const WEEK_MS = 7 * 24 * 3_600_000;

/**
 * Event types whose id names a week rather than a document version (changes/cadence.ts): a change
 * to any week within STREAK_CONTEXT_WEEKS of theirs raises them again, and only the outbox row
 * with that id keeps the second one from being sent. They are kept a year at least.
 */
export const WEEK_SCOPED_EVENT_TYPES = ['streak.broken', 'cadence.at_risk'];
export const WEEK_SCOPED_KEEP_MS = (2 * STREAK_CONTEXT_WEEKS + 1) * WEEK_MS;

/** Documents per delete, and deletes per collection per pass: a pass stays short however far behind. */
const BATCH = 1_000;
const MAX_BATCHES = 20;

export interface Swept {
  events: number;
  deliveries: number;
}

/**
 * Forgets webhook history older than `retentionMs`: ended deliveries (their log, `GET
 * …/deliveries`) and fanned-out outbox events (what a replay sends again). A delivery still queued
 * (being replayed) stays, and so does an event not yet fanned out; sending never needs the event,
 * its queue item carries the body. Deleted by `_id` lists in bounded batches; idempotent, so any
 * replica may run it.
 */
export async function sweepWebhookHistory(
  outbox: Pick<SchedulingModels, 'Outbox'>,
  webhooks: Pick<WebhookModels, 'Deliveries' | 'Queue'>,
  retentionMs: number,
  now: Date,
): Promise<Swept> {
  const cutoff = new Date(now.getTime() - retentionMs);
  const weekScopedCutoff = new Date(now.getTime() - Math.max(retentionMs, WEEK_SCOPED_KEEP_MS));
  const queued = new Set((await webhooks.Queue.find({}, { _id: 1 }).lean()).map((q) => q._id));
  const deliveries = await deleteInBatches(webhooks.Deliveries, { updatedAt: { $lt: cutoff } }, (id) => !queued.has(id));
  const events =
    (await deleteInBatches(outbox.Outbox, {
      createdAt: { $lt: cutoff },
      fannedOut: true,
      type: { $nin: WEEK_SCOPED_EVENT_TYPES },
    })) +
    (await deleteInBatches(outbox.Outbox, {
      createdAt: { $lt: weekScopedCutoff },
      fannedOut: true,
      type: { $in: WEEK_SCOPED_EVENT_TYPES },
    }));
  return { events, deliveries };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- two models of different documents
async function deleteInBatches(model: Model<any>, filter: object, keep: (id: string) => boolean = () => true) {
  let deleted = 0;
  for (let i = 0; i < MAX_BATCHES; i++) {
    const found = (await model.find(filter, { _id: 1 }).limit(BATCH).lean()) as { _id: string }[];
    const ids = found.map((d) => d._id).filter(keep);
    if (ids.length) deleted += (await model.deleteMany({ _id: { $in: ids } })).deletedCount;
    if (found.length < BATCH || !ids.length) break;
  }
  return deleted;
}

/** Sweeps once an hour. */
export function startWebhookRetention(
  outbox: Pick<SchedulingModels, 'Outbox'>,
  webhooks: Pick<WebhookModels, 'Deliveries' | 'Queue'>,
  retentionMs: number,
  logger: Logger,
) {
  return every(
    'webhook-retention',
    3_600_000,
    async () => {
      const swept = await sweepWebhookHistory(outbox, webhooks, retentionMs, new Date());
      if (swept.events || swept.deliveries) logger.info(swept, 'webhook history past its retention deleted');
    },
    logger,
  );
}
