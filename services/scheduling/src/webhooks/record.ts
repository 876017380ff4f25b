import { isDuplicateKeyError } from '@cadence/shared/http';
import type { AttemptRecord, DeliveryDoc, QueueItemDoc, SubscriptionDoc, WebhookModels } from './models.js';
import type { Decision } from './retry.js';

type Subscription = Pick<SubscriptionDoc, '_id' | 'failingSince'>;

/** Ended deliveries are written together, at most this long after the first of them… */
const FLUSH_AFTER_MS = 20;
/** …or as soon as this many have ended. */
const FLUSH_AT = 25;

/**
 * Writes what an attempt came to. A retry updates the queue item; an ended delivery is written to
 * the log, then leaves the queue (batched with others that ended at the same time) — a crash in
 * between sends it once more, never loses it. Then the subscription's health: the failure
 * clock, 410 Gone.
 */
export class DeliveryRecorder {
  private ending: { record: DeliveryDoc; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly models: WebhookModels,
    private readonly disableAfterMs: number,
  ) {}

  /** The caller holds the delivery's claim: nobody else writes it meanwhile. */
  async record(item: QueueItemDoc, subscription: Subscription, attempt: AttemptRecord, decision: Decision): Promise<void> {
    const now = attempt.at;
    switch (decision.kind) {
      case 'succeeded':
        // before the delivery shows as ended, so whoever sees the success sees the clock cleared too;
        // the copy read this tick: a failure recorded since is cleared by the next success
        if (subscription.failingSince) {
          await this.models.Subscriptions.updateOne({ _id: subscription._id }, { $set: { failingSince: null } });
        }
        await this.end(item, attempt, { status: 'succeeded', succeededAt: now, failedAt: null, failureReason: null }, now);
        return;
      case 'retry':
        await this.models.Queue.updateOne(
          { _id: item._id },
          {
            $set: { round: item.round + 1, nextAttemptAt: decision.at },
            $push: { attempts: attempt },
            $inc: { attemptCount: 1 },
          },
        );
        return this.noteFailure(subscription, now);
      case 'exhausted':
      case 'gone': {
        const failureReason =
          decision.kind === 'gone'
            ? 'the receiver answered 410 Gone; the subscription was disabled'
            : `no attempt succeeded (${item.round + 1} attempts)`;
        await this.end(item, attempt, { status: 'failed', succeededAt: null, failedAt: now, failureReason }, now);
        return decision.kind === 'gone' ? this.disable(subscription._id, 'gone', now) : this.noteFailure(subscription, now);
      }
    }
  }

  private end(
    item: QueueItemDoc,
    attempt: AttemptRecord,
    outcome: Pick<DeliveryDoc, 'status' | 'succeededAt' | 'failedAt' | 'failureReason'>,
    now: Date,
  ): Promise<void> {
    const record: DeliveryDoc = {
      _id: item._id,
      organizationId: item.organizationId,
      subscriptionId: item.subscriptionId,
      eventId: item.eventId,
      eventType: item.eventType,
      sequence: item.sequence,
      seriesId: item.seriesId,
      ...outcome,
      attempts: [...item.attempts, attempt],
      attemptCount: item.attemptCount + 1,
      nextAttemptAt: null,
      replayedAt: item.replayedAt,
      createdAt: item.createdAt,
      updatedAt: now,
    };
    return new Promise((resolve, reject) => {
      this.ending.push({ record, resolve, reject });
      if (this.ending.length >= FLUSH_AT) void this.flush();
      else this.timer ??= setTimeout(() => void this.flush(), FLUSH_AFTER_MS);
    });
  }

  /**
   * Writes the deliveries that ended lately together: one insert into the log, one delete from the
   * queue. On FerretDB (SQLite, one writer) the number of writes is what limits throughput.
   */
  private async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.ending.splice(0);
    if (!batch.length) return;
    try {
      const records = batch.map((b) => b.record);
      try {
        await this.models.Deliveries.insertMany(records, { ordered: false });
      } catch (err) {
        const errors = (err as { writeErrors?: { index: number }[] }).writeErrors;
        if (!isDuplicateKeyError(err) || !errors) throw err;
        // ended before: a replay, or a send repeated after a crash
        for (const { index } of errors) {
          const { _id, createdAt: _first, ...rest } = records[index]!;
          await this.models.Deliveries.updateOne({ _id }, { $set: rest });
        }
      }
      await this.models.Queue.deleteMany({ _id: { $in: records.map((r) => r._id) } });
      for (const b of batch) b.resolve();
    } catch (err) {
      for (const b of batch) b.reject(err);
    }
  }

  /**
   * Starts the failure clock, or disables a subscription whose attempts have all failed for the
   * window. Both are conditions on the stored document, not on the copy read before the send: a
   * success recorded meanwhile by another send must win.
   */
  private async noteFailure(subscription: Subscription, now: Date): Promise<void> {
    const { Subscriptions } = this.models;
    await Subscriptions.updateOne({ _id: subscription._id, failingSince: null }, { $set: { failingSince: now } });
    await Subscriptions.updateOne(
      { _id: subscription._id, status: 'enabled', failingSince: { $lte: new Date(now.getTime() - this.disableAfterMs) } },
      { $set: { status: 'disabled', disabledReason: 'failing', disabledAt: now, updatedAt: now } },
    );
  }

  async disable(subscriptionId: string, reason: 'manual' | 'gone' | 'failing', now: Date): Promise<void> {
    await this.models.Subscriptions.updateOne(
      { _id: subscriptionId, status: 'enabled' },
      { $set: { status: 'disabled', disabledReason: reason, disabledAt: now, updatedAt: now } },
    );
  }
}
