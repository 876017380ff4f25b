import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';
import { ReadCache } from '@cadence/shared/cache/read-cache';
import { findById } from '@cadence/shared/db/gathered';
import { contextLogger, type Logger } from '@cadence/shared/logging';
import type { ConnectionDoc } from '../../connections/models.js';
import { nextSequence } from '../../outbox/sequence.js';
import type { MicrosoftAccounts } from './accounts.js';
import { graphStatus } from './errors.js';

/** A change-notification subscription on a connected mailbox's events. */
const subscriptionSchema = new Schema(
  {
    /** Graph's subscription id. */
    _id: { type: String, required: true },
    organizationId: { type: String, required: true },
    connectionId: { type: String, required: true },
    /** SHA-256 of the secret clientState Graph echoes in every notification. */
    clientStateHash: { type: String, required: true },
    expiration: { type: Date, required: true },
    /** active | removed (by Graph) | stopped (by Cadence) */
    status: { type: String, required: true },
    createdAt: { type: Date, required: true },
    /** Opening order (strictly increasing), so "the newest subscription" is never ambiguous. */
    order: { type: Number, required: true },
  },
  { versionKey: false },
);
subscriptionSchema.index({ connectionId: 1, status: 1 });

/** Renewal claims: inserting `<connection>@<newest subscription>@<its expiry>` is the lock two replicas race for. */
const claimSchema = new Schema(
  { _id: { type: String, required: true }, at: { type: Date, required: true } },
  { versionKey: false },
);

export type SubscriptionDoc = InferSchemaType<typeof subscriptionSchema>;

type ClaimDoc = InferSchemaType<typeof claimSchema>;

export const subscriptionModels = (conn: Connection) => ({
  Subscriptions: (conn.models['MicrosoftSubscription'] ??
    conn.model<SubscriptionDoc>(
      'MicrosoftSubscription',
      subscriptionSchema,
      'microsoft_subscriptions',
    )) as Model<SubscriptionDoc>,
  Claims: (conn.models['MicrosoftSubscriptionClaim'] ??
    conn.model<ClaimDoc>('MicrosoftSubscriptionClaim', claimSchema, 'microsoft_subscription_claims')) as Model<ClaimDoc>,
});
type SubscriptionModels = ReturnType<typeof subscriptionModels>;

/** Graph refused to create the subscription (most often: the notification URL failed the validation handshake). */
export class SubscriptionRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SubscriptionRefusedError';
  }
}

const STALE_CLAIM_MS = 5 * 60_000;
const ACTIVE_SUBSCRIPTION_TTL_MS = 60_000;
const hash = (secret: string) => createHash('sha256').update(secret).digest();

/**
 * Creates, renews and removes subscriptions: one per connected calendar, renewed in place (PATCH)
 * well before Outlook's short lifetime ends, and made anew when Graph removed it.
 */
export class MicrosoftSubscriptions {
  /** Active subscriptions by id (Graph's ids name one organization's subscription: nothing crosses organizations). */
  private readonly active = new ReadCache(ACTIVE_SUBSCRIPTION_TTL_MS);

  constructor(
    private readonly models: SubscriptionModels,
    private readonly Connections: Model<ConnectionDoc>,
    private readonly accounts: MicrosoftAccounts,
    private readonly logger: Logger,
    private readonly now: () => Date,
  ) {}

  /**
   * The active subscription behind a notification, if its id and clientState match. Active ones are
   * remembered for ACTIVE_SUBSCRIPTION_TTL_MS (a burst of changes is a burst of notifications on
   * one subscription); one ended by another replica may pass that long, and its notifications then
   * only ask for a sync the calendar does not need.
   */
  async verify(subscriptionId: unknown, clientState: unknown): Promise<SubscriptionDoc | undefined> {
    if (typeof subscriptionId !== 'string' || typeof clientState !== 'string' || subscriptionId.length > 200) return undefined;
    // by id alone (FerretDB looks a document up by index only for an `_id` filter), with other
    // notifications' look-ups in one read (a burst's notifications come at once)
    const sub = await this.active.get(
      subscriptionId,
      () => findById(this.models.Subscriptions, subscriptionId),
      (found) => found?.status === 'active',
    );
    if (sub?.status !== 'active') return undefined;
    return timingSafeEqual(hash(clientState), Buffer.from(sub.clientStateHash, 'hex')) ? sub : undefined;
  }

  /**
   * Makes sure the connection has a subscription living longer than the renewal margin; at most one
   * replica acts per state of the newest subscription (the claim names it).
   */
  async ensure(connection: ConnectionDoc): Promise<void> {
    const now = this.now();
    const { MICROSOFT_SUBSCRIPTION_RENEW_BEFORE_MS: renewBefore } = this.accounts.settings;
    const newest = await this.models.Subscriptions.findOne({ connectionId: connection._id }).sort({ order: -1 }).lean();
    const alive = newest?.status === 'active' && newest.expiration > now;
    if (alive && newest.expiration > new Date(now.getTime() + renewBefore)) return;
    const claim = `${connection._id}@${newest ? `${newest._id}@${newest.status}@${newest.expiration.getTime()}` : 'none'}`;
    try {
      await this.models.Claims.create({ _id: claim, at: now });
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
      await this.models.Claims.deleteOne({ _id: claim, at: { $lt: new Date(now.getTime() - STALE_CLAIM_MS) } });
      return;
    }
    try {
      if (alive && (await this.renew(connection, newest))) return;
      await this.create(connection);
      await this.stopOthers(connection);
    } catch (err) {
      // nothing changed, so the same claim is due again next round
      await this.models.Claims.deleteOne({ _id: claim });
      throw err;
    }
  }

  /** PATCH a new expiry (which also reauthorizes); false when Graph no longer has the subscription. */
  async renew(connection: ConnectionDoc, sub: Pick<SubscriptionDoc, '_id'>): Promise<boolean> {
    const expirationDateTime = this.expiry();
    try {
      await this.accounts.call(connection, (c) => c.api(`/subscriptions/${sub._id}`).patch({ expirationDateTime }));
    } catch (err) {
      if (graphStatus(err) !== 404) throw err;
      await this.end(sub._id, 'removed');
      return false;
    }
    await this.models.Subscriptions.updateOne({ _id: sub._id }, { $set: { expiration: new Date(expirationDateTime) } });
    return true;
  }

  /** Graph told us it removed the subscription: forget it, then subscribe again. */
  async removed(connection: ConnectionDoc, subscriptionId: string): Promise<void> {
    await this.end(subscriptionId, 'removed');
    await this.ensure(connection);
  }

  /** A subscription no longer active: in the database, and at once in this replica's memory. */
  private async end(subscriptionId: string, status: 'removed' | 'stopped'): Promise<void> {
    await this.models.Subscriptions.updateOne({ _id: subscriptionId }, { $set: { status } });
    this.active.forget(subscriptionId);
  }

  private expiry(): string {
    return new Date(this.now().getTime() + this.accounts.settings.MICROSOFT_SUBSCRIPTION_MINUTES * 60_000).toISOString();
  }

  private async create(connection: ConnectionDoc): Promise<void> {
    const url = this.accounts.settings.MICROSOFT_NOTIFICATION_URL;
    if (!url) throw new SubscriptionRefusedError('MICROSOFT_NOTIFICATION_URL is not set; Graph cannot send notifications');
    const clientState = randomBytes(32).toString('base64url');
    let created: { id: string; expirationDateTime: string };
    try {
      created = await this.accounts.call(connection, (c) =>
        c.api('/subscriptions').post({
          changeType: 'created,updated,deleted',
          notificationUrl: url,
          lifecycleNotificationUrl: url,
          resource: '/me/events',
          expirationDateTime: this.expiry(),
          clientState,
        }),
      );
    } catch (err) {
      if (graphStatus(err) !== 400) throw err;
      const reason = `Microsoft refused the change-notification subscription for ${url}: ${(err as Error).message}`;
      await this.Connections.updateOne({ _id: connection._id }, { $set: { lastError: reason, updatedAt: this.now() } });
      throw new SubscriptionRefusedError(reason);
    }
    await this.models.Subscriptions.create({
      _id: created.id,
      organizationId: connection.organizationId,
      connectionId: connection._id,
      clientStateHash: hash(clientState).toString('hex'),
      expiration: new Date(created.expirationDateTime),
      status: 'active',
      createdAt: this.now(),
      order: nextSequence(),
    });
    if (connection.lastError?.startsWith('Microsoft refused the change-notification subscription'))
      await this.Connections.updateOne({ _id: connection._id }, { $set: { lastError: null, updatedAt: this.now() } });
  }

  /** Deletes every active subscription of the connection but the newest. */
  private async stopOthers(connection: ConnectionDoc): Promise<void> {
    const active = await this.models.Subscriptions.find({ connectionId: connection._id, status: 'active' })
      .sort({ order: -1 })
      .lean();
    for (const old of active.slice(1)) await this.stop(connection, old, true);
  }

  /** Stops all subscriptions of a connection (disconnect, re-authorization needed). */
  async stopAll(connection: ConnectionDoc, { remote }: { remote: boolean }): Promise<void> {
    const active = await this.models.Subscriptions.find({ connectionId: connection._id, status: 'active' }).lean();
    for (const sub of active) await this.stop(connection, sub, remote);
  }

  private async stop(connection: ConnectionDoc, sub: SubscriptionDoc, remote: boolean): Promise<void> {
    await this.end(sub._id, 'stopped');
    if (!remote) return;
    try {
      await this.accounts.call(connection, (c) => c.api(`/subscriptions/${sub._id}`).delete());
    } catch (err) {
      // an expired or removed subscription sends nothing anyway
      if (graphStatus(err) !== 404)
        contextLogger(this.logger).warn({ err, subscriptionId: sub._id }, 'could not delete a Graph subscription');
    }
  }
}
