import type { AttemptRecord, SubscriptionDoc, WebhookModels } from './models.js';
import type { Decision } from './retry.js';

type Subscription = Pick<SubscriptionDoc, '_id'>;

/** Writes what an attempt came to: the log first (it is the record), then the queue, then the subscription's health. */
export class DeliveryRecorder {
  constructor(
    private readonly models: WebhookModels,
    private readonly disableAfterMs: number,
  ) {}

  async record(
    delivery: { _id: string; round: number },
    subscription: Subscription,
    attempt: AttemptRecord,
    decision: Decision,
  ): Promise<void> {
    const { Deliveries, Queue, Subscriptions } = this.models;
    const now = attempt.at;
    const logged = { $push: { attempts: attempt }, $inc: { attemptCount: 1 } };
    // the caller holds the delivery's claim: nobody else writes it meanwhile
    const mine = { _id: delivery._id };
    switch (decision.kind) {
      case 'succeeded':
        await Deliveries.updateOne(
          { _id: delivery._id },
          { $set: { status: 'succeeded', succeededAt: now, nextAttemptAt: null, updatedAt: now }, ...logged },
        );
        await Queue.deleteOne(mine);
        // unconditionally: the copy of the subscription read before the send may predate a failure
        await Subscriptions.updateOne({ _id: subscription._id, failingSince: { $ne: null } }, { $set: { failingSince: null } });
        return;
      case 'retry':
        await Deliveries.updateOne({ _id: delivery._id }, { $set: { nextAttemptAt: decision.at, updatedAt: now }, ...logged });
        await Queue.updateOne(mine, {
          $set: { round: delivery.round + 1, nextAttemptAt: decision.at },
        });
        return this.noteFailure(subscription, now);
      case 'exhausted':
      case 'gone': {
        const reason =
          decision.kind === 'gone'
            ? 'the receiver answered 410 Gone; the subscription was disabled'
            : `no attempt succeeded (${delivery.round + 1} attempts)`;
        await Deliveries.updateOne(
          { _id: delivery._id },
          { $set: { status: 'failed', failedAt: now, failureReason: reason, nextAttemptAt: null, updatedAt: now }, ...logged },
        );
        await Queue.deleteOne(mine);
        return decision.kind === 'gone' ? this.disable(subscription._id, 'gone', now) : this.noteFailure(subscription, now);
      }
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
