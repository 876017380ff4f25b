import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

const outboxEventSchema = new Schema(
  {
    /** The event's stable id: the same on every delivery attempt (`webhook-id`). */
    _id: { type: String, required: true },
    organizationId: { type: String, required: true },
    type: { type: String, required: true },
    seriesId: { type: String, default: null },
    occurrenceKey: { type: String, default: null },
    occurredAt: { type: Date, required: true },
    data: { type: Schema.Types.Mixed, required: true },
    createdAt: { type: Date, required: true },
    /** Insertion order across the deployment, for ordered delivery per series. */
    sequence: { type: Number, required: true },
    /** Whether deliveries have been created for the subscriptions that match. */
    fannedOut: { type: Boolean, required: true, default: false },
  },
  { versionKey: false },
);
outboxEventSchema.index({ organizationId: 1, occurredAt: 1 });
outboxEventSchema.index({ fannedOut: 1, sequence: 1 });
outboxEventSchema.index({ organizationId: 1, seriesId: 1, sequence: 1 });
// the retention sweep's range (outbox/retention.ts)
outboxEventSchema.index({ createdAt: 1 });

export type OutboxEventDoc = InferSchemaType<typeof outboxEventSchema>;

export const outboxEventModel = (conn: Connection): Model<OutboxEventDoc> =>
  conn.model<OutboxEventDoc>('OutboxEvent', outboxEventSchema, 'outbox_events');

/**
 * One per outbox event not yet fanned out: what the fan-out reads instead of the outbox. On FerretDB
 * (SQLite) any filter but `{_id}` decodes the whole collection, and the outbox is never cleaned (its
 * rows keep event ids exactly-once), so `{fannedOut: false}` cost more with every event ever written.
 */
const unfannedSchema = new Schema(
  {
    /** The event's id. */
    _id: { type: String, required: true },
    /** The event's, so markers are fanned out in event order. */
    sequence: { type: Number, required: true },
    /** When it was written: a marker whose event is still missing after a grace period is dropped. */
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
unfannedSchema.index({ sequence: 1 });

export type UnfannedDoc = InferSchemaType<typeof unfannedSchema>;

/** Registers the model once per connection (writers reach it through the outbox model's connection). */
export const outboxUnfannedModel = (conn: Connection): Model<UnfannedDoc> =>
  (conn.models.OutboxUnfanned as Model<UnfannedDoc> | undefined) ??
  conn.model<UnfannedDoc>('OutboxUnfanned', unfannedSchema, 'outbox_unfanned');
