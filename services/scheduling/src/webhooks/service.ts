import { badRequest, conflict, isDuplicateKeyError, notFound } from '@cadence/shared/http';
import type { SchedulingContext } from '../context.js';
import { newId } from '@cadence/shared/ids';
import { decodeCursor, pageOf } from '@cadence/shared/http';
import { nextSequence } from '../outbox/sequence.js';
import { createDeliveries, queueItem } from './deliveries.js';
import { TEST_EVENT_TYPE } from './event-types.js';
import type { DeliveryDoc, QueueItemDoc, SubscriptionDoc, WebhookModels } from './models.js';
import type { DeliveryRecorder } from './record.js';
import type { DeliveryView, UpdateWebhookInput, WebhookView } from './schemas.js';
import { newSigningSecret, previousSecretExpiresAt, type SigningSecrets } from './secrets.js';
import { TargetRefused, type TargetGuard } from './target-guard.js';

type Subscription = SubscriptionDoc & { _id: string };
type Delivery = DeliveryDoc;
type QueueItem = QueueItemDoc;

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function webhookView(s: Subscription, now: Date): WebhookView {
  return {
    id: s._id,
    url: s.url,
    description: s.description ?? null,
    eventTypes: s.eventTypes,
    status: s.status,
    disabledReason: (s.disabledReason ?? null) as WebhookView['disabledReason'],
    disabledAt: iso(s.disabledAt),
    failingSince: iso(s.failingSince),
    previousSecretExpiresAt: iso(previousSecretExpiresAt(s.secrets, now)),
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

/** A delivery as the API shows it: from the log once ended, from its queue item while pending. */
export function deliveryView(d: Delivery | QueueItem): DeliveryView {
  const ended = 'status' in d;
  return {
    id: d._id,
    webhookId: d.subscriptionId,
    eventId: d.eventId,
    eventType: d.eventType,
    status: ended ? d.status : 'pending',
    attemptCount: d.attemptCount,
    attempts: d.attempts.map((a) => ({
      at: a.at.toISOString(),
      durationMs: a.durationMs,
      responseStatus: a.responseStatus ?? null,
      error: a.error ?? null,
      responseBody: a.responseBody ?? null,
    })),
    nextAttemptAt: ended ? null : d.nextAttemptAt.toISOString(),
    failureReason: ended ? (d.failureReason ?? null) : null,
    succeededAt: ended ? iso(d.succeededAt) : null,
    failedAt: ended ? iso(d.failedAt) : null,
    replayedAt: iso(d.replayedAt),
    createdAt: d.createdAt.toISOString(),
  };
}

/** Subscriptions (`/v1/webhooks`) and their delivery logs, always scoped to one organization. */
export class WebhookService {
  constructor(
    private readonly ctx: SchedulingContext,
    private readonly models: WebhookModels,
    private readonly secrets: SigningSecrets,
    private readonly guard: TargetGuard,
    private readonly recorder: DeliveryRecorder,
    /** Webhook times are wall-clock: receivers check signatures' timestamps against theirs. */
    private readonly clock: () => Date,
    /** Wakes the local sender after queueing something. */
    private readonly wake: () => void,
  ) {}

  async create(organizationId: string, input: { url: string; eventTypes: string[]; description?: string | undefined }) {
    await this.checkTarget(input.url);
    const now = this.clock();
    const id = newId('whk');
    const secret = newSigningSecret();
    const doc = await this.models.Subscriptions.create({
      _id: id,
      organizationId,
      url: input.url,
      description: input.description ?? null,
      eventTypes: input.eventTypes,
      status: 'enabled',
      disabledReason: null,
      disabledAt: null,
      failingSince: null,
      secrets: [this.secrets.seal(id, secret, now)],
      version: 1,
      createdAt: now,
      updatedAt: now,
    });
    return { ...webhookView(doc.toObject() as Subscription, now), secret };
  }

  async list(organizationId: string, query: { status?: string | undefined; limit: number; cursor?: string | undefined }) {
    const after = decodeCursor(query.cursor);
    const rows = await this.models.Subscriptions.find({
      organizationId,
      ...(query.status ? { status: query.status } : {}),
      ...(after ? { _id: { $gt: after } } : {}),
    })
      .sort({ _id: 1 })
      .limit(query.limit + 1)
      .lean();
    const now = this.clock();
    return pageOf(
      rows.map((r) => webhookView(r as Subscription, now)),
      query.limit,
    );
  }

  async get(organizationId: string, id: string): Promise<Subscription> {
    const found = await this.models.Subscriptions.findOne({ _id: id, organizationId }).lean();
    if (!found) throw notFound(`No webhook ${id}.`);
    return found as Subscription;
  }

  async view(organizationId: string, id: string): Promise<WebhookView> {
    return webhookView(await this.get(organizationId, id), this.clock());
  }

  async update(organizationId: string, id: string, input: UpdateWebhookInput): Promise<WebhookView> {
    await this.get(organizationId, id);
    if (input.url !== undefined) await this.checkTarget(input.url);
    const set: Record<string, unknown> = { updatedAt: this.clock() };
    if (input.url !== undefined) set.url = input.url;
    if (input.eventTypes !== undefined) set.eventTypes = input.eventTypes;
    if (input.description !== undefined) set.description = input.description;
    await this.models.Subscriptions.updateOne({ _id: id, organizationId }, { $set: set });
    return this.view(organizationId, id);
  }

  /** Disabled: nothing is sent and new events are not queued for it; enabled: queued deliveries resume. */
  async setEnabled(organizationId: string, id: string, enabled: boolean): Promise<WebhookView> {
    const current = await this.get(organizationId, id);
    const now = this.clock();
    if (enabled && current.status === 'disabled') {
      await this.models.Subscriptions.updateOne(
        { _id: id, organizationId },
        { $set: { status: 'enabled', disabledReason: null, disabledAt: null, failingSince: null, updatedAt: now } },
      );
      this.wake();
    } else if (!enabled) {
      await this.recorder.disable(id, 'manual', now);
    }
    return this.view(organizationId, id);
  }

  async remove(organizationId: string, id: string): Promise<void> {
    await this.get(organizationId, id);
    const { Subscriptions, Queue, Deliveries } = this.models;
    await Subscriptions.deleteOne({ _id: id, organizationId });
    await Queue.deleteMany({ subscriptionId: id });
    await Deliveries.deleteMany({ subscriptionId: id });
  }

  /** A new secret; the old one keeps signing (alongside) for the overlap, so receivers can switch without a gap. */
  async rotateSecret(organizationId: string, id: string) {
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.get(organizationId, id);
      const now = this.clock();
      const secret = newSigningSecret();
      const secrets = this.secrets.rotate(id, current.secrets, secret, now);
      const res = await this.models.Subscriptions.updateOne(
        { _id: id, organizationId, version: current.version },
        { $set: { secrets, updatedAt: now }, $inc: { version: 1 } },
      );
      if (res.matchedCount === 1) {
        return { secret, previousSecretExpiresAt: previousSecretExpiresAt(secrets, now)!.toISOString() };
      }
    }
    throw conflict('The webhook changed concurrently; try again.');
  }

  /** Pending deliveries (the queue) and ended ones (the log), merged, newest event first. */
  async deliveries(
    organizationId: string,
    id: string,
    query: { status?: string | undefined; limit: number; cursor?: string | undefined },
  ) {
    await this.get(organizationId, id);
    const before = decodeCursor(query.cursor);
    const filter = { subscriptionId: id, organizationId, ...(before ? { _id: { $lt: before } } : {}) };
    const [queued, ended] = await Promise.all([
      query.status && query.status !== 'pending'
        ? []
        : this.models.Queue.find(filter)
            .sort({ _id: -1 })
            .limit(query.limit + 1)
            .lean(),
      query.status === 'pending'
        ? []
        : this.models.Deliveries.find({ ...filter, ...(query.status ? { status: query.status } : {}) })
            .sort({ _id: -1 })
            .limit(query.limit + 1)
            .lean(),
    ]);
    // a replayed delivery is in both: the queue says what is happening now
    const pending = new Set(queued.map((q) => q._id));
    const rows = [...queued, ...ended.filter((e) => !pending.has(e._id))].sort((a, b) => (a._id < b._id ? 1 : -1));
    return pageOf(rows.map(deliveryView), query.limit);
  }

  async delivery(organizationId: string, id: string, deliveryId: string): Promise<Delivery | QueueItem> {
    const scope = { _id: deliveryId, subscriptionId: id, organizationId };
    const found = (await this.models.Queue.findOne(scope).lean()) ?? (await this.models.Deliveries.findOne(scope).lean());
    if (!found) throw notFound(`Webhook ${id} has no delivery ${deliveryId}.`);
    return found;
  }

  /** Sends an ended delivery again, from the first step of the schedule, with the same `webhook-id`. */
  async replay(organizationId: string, id: string, deliveryId: string): Promise<DeliveryView> {
    const subscription = await this.get(organizationId, id);
    const delivery = await this.delivery(organizationId, id, deliveryId);
    if (subscription.status !== 'enabled') throw conflict('The webhook is disabled; enable it before replaying.');
    if (!('status' in delivery)) throw conflict('The delivery is still pending; it will be sent.');
    const event = await this.ctx.models.Outbox.findById(delivery.eventId).lean();
    if (!event) throw conflict('The event of this delivery is no longer stored.');
    const now = this.clock();
    // the claims of its last round, if any are left, must not hold the new one back
    await this.models.Claims.deleteMany({ key: delivery._id });
    try {
      await this.models.Queue.create(
        queueItem(
          { subscriptionId: id, attempts: delivery.attempts, attemptCount: delivery.attemptCount, replayedAt: now },
          event,
          now,
        ),
      );
    } catch (err) {
      if (isDuplicateKeyError(err)) throw conflict('The delivery is already being replayed.');
      throw err;
    }
    this.wake();
    return deliveryView(await this.delivery(organizationId, id, deliveryId));
  }

  /** Queues a `webhook.test` event for this subscription only (written to the outbox like any event). */
  async sendTest(organizationId: string, id: string): Promise<DeliveryView> {
    const subscription = await this.get(organizationId, id);
    if (subscription.status !== 'enabled') throw conflict('The webhook is disabled; enable it to send a test event.');
    const now = this.clock();
    const sequence = nextSequence();
    const event = {
      _id: newId('evt'),
      organizationId,
      type: TEST_EVENT_TYPE,
      seriesId: null,
      occurrenceKey: null,
      occurredAt: now,
      data: {
        organizationId,
        webhookId: id,
        message: 'A test event from Cadence: your endpoint receives and verifies webhooks.',
      },
      createdAt: now,
      sequence,
      // delivered to this subscription only, never fanned out
      fannedOut: true,
    };
    await this.ctx.models.Outbox.create(event);
    const [queued] = await createDeliveries(this.models, [{ event, subscriptionId: id }], now);
    this.wake();
    return deliveryView(await this.delivery(organizationId, id, queued!));
  }

  private async checkTarget(url: string): Promise<void> {
    try {
      await this.guard.resolve(url);
    } catch (err) {
      if (!(err instanceof TargetRefused)) throw err;
      throw badRequest(`Invalid body: url ${err.message}.`, [{ location: 'body', field: 'url', message: err.message }]);
    }
  }
}
