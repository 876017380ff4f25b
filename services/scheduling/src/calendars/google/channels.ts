import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';
import { ReadCache } from '@cadence/shared/cache/read-cache';
import { findById } from '@cadence/shared/db/gathered';
import { contextLogger, type Logger } from '@cadence/shared/logging';
import type { ConnectionDoc } from '../../connections/models.js';
import { nextSequence } from '../../outbox/sequence.js';
import type { GoogleAccounts } from './accounts.js';
import { withGoogleRetry } from './errors.js';

/** A push-notification channel (`events.watch`) on a connected calendar. */
const channelSchema = new Schema(
  {
    _id: { type: String, required: true },
    organizationId: { type: String, required: true },
    connectionId: { type: String, required: true },
    resourceId: { type: String, required: true },
    /** SHA-256 of the channel token Google echoes in X-Goog-Channel-Token. */
    tokenHash: { type: String, required: true },
    expiration: { type: Date, required: true },
    status: { type: String, required: true },
    createdAt: { type: Date, required: true },
    /** Opening order (strictly increasing), so "the newest channel" is never ambiguous. */
    order: { type: Number, required: true },
  },
  { versionKey: false },
);
channelSchema.index({ connectionId: 1, status: 1 });
channelSchema.index({ status: 1, expiration: 1 });

/** Per-connection renewal lock, so two replicas never open two channels for one calendar. */
const renewalSchema = new Schema(
  { _id: { type: String, required: true }, leaseUntil: { type: Date, default: null } },
  { versionKey: false },
);

export type ChannelDoc = InferSchemaType<typeof channelSchema>;

export const channelModels = (conn: Connection) => ({
  Channels: conn.model<ChannelDoc>('GoogleChannel', channelSchema, 'google_channels') as Model<ChannelDoc>,
  Renewals: conn.model('GoogleChannelRenewal', renewalSchema, 'google_channel_renewals'),
});
type ChannelModels = ReturnType<typeof channelModels>;

const STALE_CLAIM_MS = 5 * 60_000;
const ACTIVE_CHANNEL_TTL_MS = 60_000;

const hash = (token: string) => createHash('sha256').update(token).digest();

/**
 * Opens, renews and stops watch channels. Google never renews a channel: a new one (new id) is
 * opened before the old expires, then the old is stopped.
 */
export class GoogleChannels {
  /** Active channels by id (a channel id names one organization's channel: nothing crosses organizations). */
  private readonly active = new ReadCache(ACTIVE_CHANNEL_TTL_MS);

  constructor(
    private readonly models: ChannelModels,
    private readonly accounts: GoogleAccounts,
    private readonly logger: Logger,
    private readonly now: () => Date,
  ) {}

  /**
   * The active channel behind a notification, if its id, token and resource all match. Active
   * channels are remembered for ACTIVE_CHANNEL_TTL_MS: a burst of changes in one calendar is a
   * burst of notifications on one channel, each otherwise a database read. A channel stopped by
   * another replica may be taken for active that long; its notifications then only ask for a sync
   * of a calendar that has none to do, which is harmless (and Google stops sending on it anyway).
   */
  async verify(channelId: string, token: string | undefined, resourceId: string | undefined): Promise<ChannelDoc | undefined> {
    // by id alone (FerretDB looks a document up by index only for an `_id` filter), with other
    // notifications' look-ups in one read (a burst's notifications come at once)
    const channel = await this.active.get(
      channelId,
      () => findById(this.models.Channels, channelId),
      (c) => c?.status === 'active',
    );
    if (channel?.status !== 'active' || !token || resourceId !== channel.resourceId) return undefined;
    return timingSafeEqual(hash(token), Buffer.from(channel.tokenHash, 'hex')) ? channel : undefined;
  }

  /** Makes sure the connection has a channel that lives longer than `renewBeforeMs`; at most one replica does it. */
  async ensure(connection: ConnectionDoc): Promise<void> {
    const now = this.now();
    const renewBefore = this.accounts.settings.GOOGLE_CHANNEL_RENEW_BEFORE_MS;
    // one read decides both "still fresh?" and what the claim is named, so a replica that reads after
    // another's renewal sees the new channel as fresh instead of renewing it again
    const newest = await this.models.Channels.findOne({ connectionId: connection._id }).sort({ order: -1 }).lean();
    if (newest?.status === 'active' && newest.expiration > new Date(now.getTime() + renewBefore)) return;
    const claim = `${connection._id}@${newest?._id ?? 'none'}`;
    try {
      await this.models.Renewals.create({ _id: claim, at: now });
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
      // another replica renews it; a claim left by a replica that died mid-renewal is freed for the next round
      await this.models.Renewals.deleteOne({ _id: claim, at: { $lt: new Date(now.getTime() - STALE_CLAIM_MS) } });
      return;
    }
    await this.open(connection);
    await this.stopOld(connection);
  }

  private async open(connection: ConnectionDoc): Promise<void> {
    const settings = this.accounts.settings;
    if (!settings.GOOGLE_WEBHOOK_URL) throw new Error('GOOGLE_WEBHOOK_URL is not set; Google cannot push notifications');
    const id = randomUUID();
    const token = randomBytes(32).toString('base64url');
    const calendar = this.accounts.client(connection);
    const res = await withGoogleRetry(() =>
      calendar.events.watch({
        calendarId: connection.calendarId,
        requestBody: {
          id,
          type: 'web_hook',
          address: settings.GOOGLE_WEBHOOK_URL!,
          token,
          params: { ttl: String(settings.GOOGLE_CHANNEL_TTL_SECONDS) },
        },
      }),
    );
    await this.models.Channels.create({
      _id: id,
      organizationId: connection.organizationId,
      connectionId: connection._id,
      resourceId: res.data.resourceId!,
      tokenHash: hash(token).toString('hex'),
      expiration: new Date(Number(res.data.expiration)),
      status: 'active',
      createdAt: this.now(),
      order: nextSequence(),
    });
  }

  /** Stops every active channel but the newest. */
  private async stopOld(connection: ConnectionDoc): Promise<void> {
    const active = await this.models.Channels.find({ connectionId: connection._id, status: 'active' }).sort({ order: -1 }).lean();
    for (const old of active.slice(1)) await this.stop(connection, old);
  }

  /** Stops all channels of a connection (disconnect, re-authorization needed). */
  async stopAll(connection: ConnectionDoc, { remote }: { remote: boolean }): Promise<void> {
    const active = await this.models.Channels.find({ connectionId: connection._id, status: 'active' }).lean();
    for (const channel of active) {
      if (remote) await this.stop(connection, channel);
      else await this.markStopped(channel._id);
    }
  }

  private async markStopped(channelId: string): Promise<void> {
    await this.models.Channels.updateOne({ _id: channelId }, { $set: { status: 'stopped' } });
    this.active.forget(channelId);
  }

  private async stop(connection: ConnectionDoc, channel: ChannelDoc): Promise<void> {
    await this.markStopped(channel._id);
    try {
      await withGoogleRetry(() =>
        this.accounts.client(connection).channels.stop({ requestBody: { id: channel._id, resourceId: channel.resourceId } }),
      );
    } catch (err) {
      // an expired or unknown channel stops sending anyway
      contextLogger(this.logger).warn({ err, channelId: channel._id }, 'could not stop a Google channel');
    }
  }
}
