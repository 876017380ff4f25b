import type { Logger } from '@cadence/shared/logging';
import type { SchedulingModels } from '../context.js';
import type { OutboxEventDoc } from '../outbox/models.js';
import { addMissingMarkers, ORPHAN_MARKER_MS } from '../outbox/unfanned.js';
import { createDeliveries } from './deliveries.js';
import { matchesAny, TEST_EVENT_TYPE } from './event-types.js';
import type { LeaseLock } from './lease-lock.js';
import type { WebhookModels } from './models.js';

/** Events per pass. */
const BATCH = 200;

type OutboxEvent = OutboxEventDoc & { _id: string };

/**
 * Turns outbox events into deliveries, one per enabled subscription whose filters match, then
 * marks them fanned out. One replica at a time (it holds a lease lock while it lives) and in
 * sequence order, so a series' deliveries are queued in the order its events happened. A crash
 * before the mark means the same events are fanned out again, which creates nothing new
 * (delivery ids are derived from event and subscription).
 *
 * It finds work through the markers of events not fanned out (outbox/unfanned.ts), not the outbox:
 * on FerretDB `{fannedOut: false}` read the whole outbox, which is never cleaned (200-cancellation
 * benchmark: find outbox_events 113 x 442 ms, update outbox_events 107 x 239 ms).
 */
export class FanOut {
  /** Whether a pass may repeat one that stopped half-way (this worker's, or a dead holder's). */
  private careful = true;
  /** Whether this process has written the markers of events from before markers (once per start). */
  private backfilled = false;

  constructor(
    private readonly outbox: Pick<SchedulingModels, 'Outbox' | 'OutboxUnfanned'>,
    private readonly models: WebhookModels,
    private readonly lock: LeaseLock,
    private readonly logger: Logger,
    private readonly clock: () => Date,
    /** Called when deliveries were queued (wakes the local sender). */
    private readonly onQueued: () => void = () => undefined,
  ) {}

  async tick(): Promise<number> {
    const { Outbox, OutboxUnfanned } = this.outbox;
    if (!this.backfilled) {
      // events written before markers existed: one outbox scan per process start, lock or not
      const added = await addMissingMarkers(Outbox);
      if (added) this.logger.info({ events: added }, 'webhook fan-out: marked events written before markers');
      this.backfilled = true;
    }
    let queued = 0;
    for (;;) {
      const lock = await this.lock.acquire();
      if (!lock) break;
      // the holder before may have died between queueing and marking: skip what already ended
      if (lock === 'taken') this.careful = true;
      // whole answers (batchSize): beyond the driver's first 101 documents a getMore meets a cursor
      // left open, which FerretDB serves slowly under load (100-140 ms each in a burst)
      const markers = await OutboxUnfanned.find({})
        .sort({ sequence: 1 })
        .limit(BATCH)
        .batchSize(BATCH + 1)
        .lean();
      if (!markers.length) break;
      // one read for the batch: an `_id` list is indexed on MongoDB and on the patched FerretDB
      const byId = new Map(
        (
          await Outbox.find({ _id: { $in: markers.map((m) => m._id) } })
            .batchSize(markers.length + 1)
            .lean<OutboxEvent[]>()
        ).map((e) => [e._id, e]),
      );
      const found = markers.map((m) => byId.get(m._id) ?? null);
      const events = found.filter((e): e is OutboxEvent => e !== null && !e.fannedOut);
      const orphanedBefore = Date.now() - ORPHAN_MARKER_MS;
      // a marker whose event is missing: being written (wait), or its writer died (drop, unless refreshed meanwhile)
      const orphans = markers.filter((m, i) => found[i] === null && m.at.getTime() < orphanedBefore);
      const stale = found.filter((e): e is OutboxEvent => e !== null && e.fannedOut);
      const organizations = [...new Set(events.map((e) => e.organizationId))];
      const subscriptions = organizations.length
        ? await this.models.Subscriptions.find(
            { status: 'enabled', organizationId: { $in: organizations } },
            { _id: 1, organizationId: 1, eventTypes: 1 },
          ).lean()
        : [];
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
      if (events.length) {
        await Outbox.bulkWrite(
          events.map((e) => ({ updateOne: { filter: { _id: e._id }, update: { $set: { fannedOut: true } } } })),
          { ordered: false },
        );
      }
      this.careful = false;
      // markers last: a crash before this leaves markers of fanned-out events, dropped next pass
      const done = [
        ...[...events, ...stale].map((e) => ({ deleteOne: { filter: { _id: e._id } } })),
        ...orphans.map((m) => ({ deleteOne: { filter: { _id: m._id, at: m.at } } })),
      ];
      if (done.length) await OutboxUnfanned.bulkWrite(done, { ordered: false });
      queued += created.length;
      if (created.length) this.onQueued();
      this.logger.debug(
        { events: events.length, deliveries: created.length, orphans: orphans.length, waiting: markers.length - done.length },
        'webhook fan-out',
      );
      // a full batch of markers still waiting for their events: nothing to gain by reading it again now
      if (markers.length < BATCH || !done.length) break;
    }
    return queued;
  }

  /** Lets another replica take over at once (on shutdown). */
  release(): Promise<void> {
    return this.lock.release();
  }
}
