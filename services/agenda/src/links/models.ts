import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

/**
 * A series' agenda link: one per series (`_id` is the series id). Only a SHA-256 of the token is
 * kept; reissuing replaces it (the old token stops working), revoking clears it.
 */
const agendaLinkSchema = new Schema(
  {
    _id: { type: String, required: true },
    organizationId: { type: String, required: true },
    tokenHash: { type: String, default: null },
    issuedAt: { type: Date, default: null },
    revokedAt: { type: Date, default: null },
    version: { type: Number, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
agendaLinkSchema.index({ tokenHash: 1 });

export type AgendaLinkDoc = InferSchemaType<typeof agendaLinkSchema>;
export const agendaLinkModel = (conn: Connection): Model<AgendaLinkDoc> =>
  conn.model<AgendaLinkDoc>('AgendaLink', agendaLinkSchema, 'agenda_links');
