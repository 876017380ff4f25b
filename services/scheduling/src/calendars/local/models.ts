import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

/**
 * The local calendar's copy of a series' recurring event — the embedded stand-in for a Google or
 * Outlook event. Exceptions are kept like a calendar keeps them: excluded dates, moved instances
 * and attendee responses per instance, each change bumping `sequence`.
 */
const localEventSchema = new Schema(
  {
    _id: { type: String, required: true },
    organizationId: { type: String, required: true },
    seriesId: { type: String, required: true },
    deleted: { type: Boolean, default: false },
    /** Keys of cancelled instances (EXDATE). */
    cancelled: { type: [String], default: [] },
    /** Moved or edited instances (RECURRENCE-ID overrides). */
    overrides: {
      type: [new Schema({ key: String, start: Date, end: Date, location: { type: String, default: null } }, { _id: false })],
      default: [],
    },
    /** Per-instance declines. */
    declines: { type: [new Schema({ key: String, email: String }, { _id: false })], default: [] },
    /** Set by "this and following": the local event stops before this instant. */
    truncatedAt: { type: Date, default: null },
    sequence: { type: Number, required: true, default: 0 },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
localEventSchema.index({ organizationId: 1, seriesId: 1 }, { unique: true });

export type LocalEventDoc = InferSchemaType<typeof localEventSchema>;

export const localEventModel = (conn: Connection): Model<LocalEventDoc> =>
  conn.model<LocalEventDoc>('LocalEvent', localEventSchema, 'local_events');
