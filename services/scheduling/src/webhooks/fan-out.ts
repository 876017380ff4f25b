import type { Logger } from '@cadence/shared/logging';
import type { SchedulingModels } from '../context.js';
import { createDeliveries } from './deliveries.js';
import { matchesAny, TEST_EVENT_TYPE } from './event-types.js';
import type { LeaseLock } from './lease-lock.js';
import type { WebhookModels } from './models.js';

/** Events per pass (on FerretDB each pass scans the outbox twice, whatever its size). */
const BATCH = 200;

/**
 * Turns outbox events into deliveries, one per enabled subscription whose filters match, then
 * marks them fanned out. One replica at a time (it holds a lease lock while it lives) and in
 * sequence order, so a series' deliveries are queued in the order its events happened. A crash
 * before the mark means the same events are fanned out again, which creates nothing new
 * (delivery ids are derived from event and subscription).
 */
export class FanOut {
  /** Whether a pass may repeat one that stopped half-way (this worker's, or a dead holder's). */
  private careful = true;

  constructor(
    private readonly outbox: Pick<SchedulingModels, 'Outbox'>,
    private readonly models: WebhookModels,
    private readonly lock: LeaseLock,
    private readonly logger: Logger,
    private readonly clock: () => Date,
    /** Called when deliveries were queued (wakes the local sender). */
    private readonly onQueued: () => void = () => undefined,
  ) {}

  async tick(): Promise<number> {
    let queued = 0;
    for (;;) {
      const lock = await this.lock.acquire();
      if (!lock) break;
      // the holder before may have died between queueing and marking: skip what already ended
      if (lock === 'taken') this.careful = true;
      const events = await this.outbox.Outbox.find({ fannedOut: false }).sort({ sequence: 1 }).limit(BATCH).lean();
      if (!events.length) break;
      const organizations = [...new Set(events.map((e) => e.organizationId))];
      const subscriptions = await this.models.Subscriptions.find(
        { status: 'enabled', organizationId: { $in: organizations } },
        { _id: 1, organizationId: 1, eventTypes: 1 },
      ).lean();
      const pairs = events.flatMap((event) =>
        event.type === TEST_EVENT_TYPE
          ? []
          : subscriptions
              .filter((s) => s.organizationId === event.organizationId && matchesAny(s.eventTypes, event.type))
              .map((s) => ({ event, subscriptionId: s._id })),
      );
      const careful = this.careful;
      this.careful = true; // should this pass fail half-way, the next one is careful
      const created = pairs.length ? await createDeliveries(this.models, pairs, this.clock(), careful) : [];
      // one command for the pass, one update by id per event: FerretDB (SQLite) finds a document by
      // index only for an `_id`-only filter; `{fannedOut, _id: {$in}}` read the whole outbox, under
      // load for seconds (measured: 17 such updates, 6 s each, in a burst of 200 cancellations)
      await this.outbox.Outbox.bulkWrite(
        events.map((e) => ({ updateOne: { filter: { _id: e._id }, update: { $set: { fannedOut: true } } } })),
        { ordered: false },
      );
      this.careful = false;
      queued += created.length;
      if (created.length) this.onQueued();
      this.logger.debug({ events: events.length, deliveries: created.length }, 'webhook fan-out');
      if (events.length < BATCH) break;
    }
    return queued;
  }

  /** Lets another replica take over at once (on shutdown). */
  release(): Promise<void> {
    return this.lock.release();
  }
}
