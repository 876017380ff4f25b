import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

const personSchema = new Schema(
  {
    _id: { type: String, required: true },
    organizationId: { type: String, required: true },
    name: { type: String, required: true },
    email: { type: String, required: true },
    timeZone: { type: String, required: true },
    roles: { type: [String], required: true },
    /** A connected calendar account (set by the provider connection flows). */
    calendarConnectionId: { type: String, default: null },
    /** SHA-256 of the private iCalendar feed token; the token itself is shown once. */
    feedTokenHash: { type: String, default: null },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
personSchema.index({ organizationId: 1, email: 1 }, { unique: true });
personSchema.index({ feedTokenHash: 1 });

export type PersonDoc = InferSchemaType<typeof personSchema>;

export const personModel = (conn: Connection): Model<PersonDoc> => conn.model<PersonDoc>('Person', personSchema, 'people');
