import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';
import { pendingEventSchema } from '../outbox/pending.js';

const historySchema = new Schema(
  {
    /** When Cadence detected the change (not when the person made it). */
    detectedAt: { type: Date, required: true },
    source: { type: String, required: true },
    change: { type: String, required: true },
    detail: { type: Schema.Types.Mixed, default: {} },
  },
  { _id: false },
);

/**
 * What Cadence knows about one occurrence beyond the series rule. Only occurrences that something
 * happened to have a record; the rest are computed from the series.
 */
const occurrenceSchema = new Schema(
  {
    _id: { type: String, required: true },
    organizationId: { type: String, required: true },
    seriesId: { type: String, required: true },
    key: { type: String, required: true },
    originalStart: { type: Date, required: true },
    state: { type: String, required: true },
    cancellation: { type: Schema.Types.Mixed, default: null },
    move: { type: Schema.Types.Mixed, default: null },
    decline: { type: Schema.Types.Mixed, default: null },
    modification: { type: Schema.Types.Mixed, default: null },
    restoredAt: { type: Date, default: null },
    /** The provider's last-seen revision of this instance: older observations are ignored. */
    providerRevision: { type: String, default: null },
    history: { type: [historySchema], default: [] },
    version: { type: Number, required: true, default: 0 },
    pendingEvents: { type: [pendingEventSchema], default: [] },
    hasPendingEvents: { type: Boolean, default: false },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
occurrenceSchema.index({ organizationId: 1, seriesId: 1, originalStart: 1 });
occurrenceSchema.index({ hasPendingEvents: 1 });

export type OccurrenceDoc = InferSchemaType<typeof occurrenceSchema>;

export const occurrenceModel = (conn: Connection): Model<OccurrenceDoc> =>
  conn.model<OccurrenceDoc>('Occurrence', occurrenceSchema, 'occurrences');

export const occurrenceId = (seriesId: string, key: string) => `${seriesId}:${key}`;
