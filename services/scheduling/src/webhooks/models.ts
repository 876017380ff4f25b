import { Schema, type Connection } from 'mongoose';

export const SUBSCRIPTION_STATUSES = ['enabled', 'disabled'] as const;
/** Why a subscription is off: by hand, the receiver answered 410 Gone, or it failed for days. */
export const DISABLED_REASONS = ['manual', 'gone', 'failing'] as const;
export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;

export interface StoredSecret {
  sealed: string;
  createdAt: Date;
  expiresAt: Date | null;
}

export interface SubscriptionDoc {
  _id: string;
  organizationId: string;
  url: string;
  description: string | null;
  eventTypes: string[];
  status: (typeof SUBSCRIPTION_STATUSES)[number];
  disabledReason: (typeof DISABLED_REASONS)[number] | null;
  disabledAt: Date | null;
  failingSince: Date | null;
  secrets: StoredSecret[];
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface AttemptRecord {
  at: Date;
  durationMs: number;
  responseStatus: number | null;
  error: string | null;
  responseBody: string | null;
}

export interface DeliveryDoc {
  _id: string;
  organizationId: string;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  sequence: number;
  seriesId: string | null;
  status: (typeof DELIVERY_STATUSES)[number];
  attempts: AttemptRecord[];
  attemptCount: number;
  nextAttemptAt: Date | null;
  failureReason: string | null;
  succeededAt: Date | null;
  failedAt: Date | null;
  replayedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface QueueItemDoc {
  _id: string;
  organizationId: string;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  seriesId: string | null;
  sequence: number;
  /** The exact JSON sent, the same bytes on every attempt. */
  body: string;
  /** Attempts made in this round (a replay starts a new round): the index into the schedule. */
  round: number;
  nextAttemptAt: Date;
  /** Every attempt so far, earlier rounds included. */
  attempts: AttemptRecord[];
  attemptCount: number;
  replayedAt: Date | null;
  createdAt: Date;
}

export interface ClaimDoc {
  /** `<key>#<generation>`: unique, so of two workers taking the same generation one fails. */
  _id: string;
  /** What is claimed: a delivery id, or a lock name. */
  key: string;
  generation: number;
  /** For deliveries: counts toward the subscription's in-flight limit. */
  subscriptionId: string | null;
  owner: string;
  leaseUntil: Date;
  createdAt: Date;
}

const signingSecretSchema = new Schema<StoredSecret>(
  {
    /** The `whsec_…` secret, encrypted (SecretBox, bound to the subscription id). */
    sealed: { type: String, required: true },
    createdAt: { type: Date, required: true },
    /** Set on the old secret at rotation: it keeps signing until then. */
    expiresAt: { type: Date, default: null },
  },
  { _id: false },
);

const subscriptionSchema = new Schema<SubscriptionDoc>(
  {
    _id: { type: String, required: true },
    organizationId: { type: String, required: true },
    url: { type: String, required: true },
    description: { type: String, default: null },
    eventTypes: { type: [String], required: true },
    status: { type: String, enum: SUBSCRIPTION_STATUSES, required: true },
    disabledReason: { type: String, enum: [...DISABLED_REASONS, null], default: null },
    disabledAt: { type: Date, default: null },
    /** First failed attempt since the last success; null while the receiver is healthy. */
    failingSince: { type: Date, default: null },
    /** Newest last; every one not expired signs. */
    secrets: { type: [signingSecretSchema], required: true },
    /** Compare-and-set counter for updates that rewrite the secrets. */
    version: { type: Number, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
subscriptionSchema.index({ organizationId: 1, _id: 1 });
subscriptionSchema.index({ status: 1, organizationId: 1 });

const attemptSchema = new Schema<AttemptRecord>(
  {
    at: { type: Date, required: true },
    durationMs: { type: Number, required: true },
    /** The receiver's HTTP status; null when no response came (timeout, refused…). */
    responseStatus: { type: Number, default: null },
    /** What went wrong without a response, or why a response did not count. */
    error: { type: String, default: null },
    /** The start of the receiver's answer, capped, for the log. */
    responseBody: { type: String, default: null },
  },
  { _id: false },
);

/**
 * The delivery log: a delivery's record once it has ended, written in one insert then (a queued
 * delivery is described by its queue item). Inserts cost the same however long the history, on
 * FerretDB as well, where every other write scans the collection.
 */
const deliverySchema = new Schema<DeliveryDoc>(
  {
    _id: { type: String, required: true },
    organizationId: { type: String, required: true },
    subscriptionId: { type: String, required: true },
    eventId: { type: String, required: true },
    eventType: { type: String, required: true },
    sequence: { type: Number, required: true },
    seriesId: { type: String, default: null },
    status: { type: String, enum: DELIVERY_STATUSES, required: true },
    attempts: { type: [attemptSchema], default: [] },
    attemptCount: { type: Number, required: true, default: 0 },
    nextAttemptAt: { type: Date, default: null },
    failureReason: { type: String, default: null },
    succeededAt: { type: Date, default: null },
    failedAt: { type: Date, default: null },
    replayedAt: { type: Date, default: null },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
deliverySchema.index({ eventId: 1, subscriptionId: 1 }, { unique: true });
deliverySchema.index({ subscriptionId: 1, _id: -1 });
// the retention sweep's range (outbox/retention.ts)
deliverySchema.index({ updatedAt: 1 });

/**
 * The work queue: one item per delivery still to be sent, with its payload and its attempts so
 * far, removed when it ends. Its size follows the backlog, not the history, so the worker's
 * frequent reads stay cheap however much has been delivered.
 */
const queueItemSchema = new Schema<QueueItemDoc>(
  {
    /** The delivery's id, derived from (event, subscription): queueing it twice queues it once. */
    _id: { type: String, required: true },
    organizationId: { type: String, required: true },
    subscriptionId: { type: String, required: true },
    eventId: { type: String, required: true },
    eventType: { type: String, required: true },
    /** Deliveries of one subscription and series go out in `sequence` order. */
    seriesId: { type: String, default: null },
    sequence: { type: Number, required: true },
    body: { type: String, required: true },
    round: { type: Number, required: true, default: 0 },
    nextAttemptAt: { type: Date, required: true },
    attempts: { type: [attemptSchema], default: [] },
    attemptCount: { type: Number, required: true, default: 0 },
    replayedAt: { type: Date, default: null },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);
queueItemSchema.index({ eventId: 1, subscriptionId: 1 }, { unique: true });
queueItemSchema.index({ nextAttemptAt: 1 });
queueItemSchema.index({ subscriptionId: 1, seriesId: 1, sequence: 1 });

/**
 * Leases, taken by inserting: the one primitive that is atomic on every database Cadence runs on
 * (FerretDB's conditional updates are not: two concurrent `findOneAndUpdate`s can both match).
 * A delivery being sent, or a lock held, has a live claim; see claims.ts.
 */
const claimSchema = new Schema<ClaimDoc>(
  {
    _id: { type: String, required: true },
    key: { type: String, required: true },
    generation: { type: Number, required: true },
    subscriptionId: { type: String, default: null },
    owner: { type: String, required: true },
    leaseUntil: { type: Date, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);
claimSchema.index({ key: 1, generation: -1 });
claimSchema.index({ subscriptionId: 1 });

export function webhookModels(conn: Connection) {
  return {
    Subscriptions: conn.model<SubscriptionDoc>('WebhookSubscription', subscriptionSchema, 'webhook_subscriptions'),
    Deliveries: conn.model<DeliveryDoc>('WebhookDelivery', deliverySchema, 'webhook_deliveries'),
    Queue: conn.model<QueueItemDoc>('WebhookQueueItem', queueItemSchema, 'webhook_queue'),
    Claims: conn.model<ClaimDoc>('WebhookClaim', claimSchema, 'webhook_claims'),
  };
}
export type WebhookModels = ReturnType<typeof webhookModels>;
