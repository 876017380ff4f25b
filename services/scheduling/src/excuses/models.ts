import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

/**
 * An absence window. Date-only excuses (`fromDate`…`toDate`, inclusive) match by the occurrence's
 * local date in its series' time zone — "Dec 25 is a holiday" means Dec 25 wherever the meeting
 * is. Timed excuses (`from`…`to`) match the original start instant.
 */
const excuseSchema = new Schema(
  {
    _id: { type: String, required: true },
    organizationId: { type: String, required: true },
    scope: { type: String, required: true },
    personId: { type: String, default: null },
    kind: { type: String, required: true },
    reason: { type: String, default: null },
    fromDate: { type: String, default: null },
    toDate: { type: String, default: null },
    from: { type: Date, default: null },
    to: { type: Date, default: null },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);
excuseSchema.index({ organizationId: 1, scope: 1, personId: 1 });

export type ExcuseDoc = InferSchemaType<typeof excuseSchema>;

export const excuseModel = (conn: Connection): Model<ExcuseDoc> => conn.model<ExcuseDoc>('Excuse', excuseSchema, 'excuses');
