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

export type OutboxEventDoc = InferSchemaType<typeof outboxEventSchema>;

export const outboxEventModel = (conn: Connection): Model<OutboxEventDoc> =>
  conn.model<OutboxEventDoc>('OutboxEvent', outboxEventSchema, 'outbox_events');
