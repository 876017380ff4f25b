import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

/**
 * What Cadence knows about Graph's opaque event ids. Delta results carry no extended properties and
 * a removed item is only an id, so the ids are remembered: each segment's series master (written
 * at creation, also under `seg:<series>:<segment>` so updates find it by _id), every occurrence a
 * sync has seen (its original start), and the single events that restore a cancelled occurrence.
 */
const itemSchema = new Schema(
  {
    /** The Graph id, or `seg:<seriesId>:<segment>` for the segment's master. */
    _id: { type: String, required: true },
    /** master | segment | occurrence | restore | foreign (someone else's series master, looked at once) */
    kind: { type: String, required: true, enum: ['master', 'segment', 'occurrence', 'restore', 'foreign'] },
    organizationId: { type: String, required: true },
    connectionId: { type: String, required: true },
    seriesId: { type: String, default: null },
    segment: { type: Number, default: null },
    /** The series master's Graph id (for a `segment` entry: the id it names). */
    masterId: { type: String, default: null },
    /** The occurrence's key (original start), for occurrences and restores. */
    key: { type: String, default: null },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);
itemSchema.index({ connectionId: 1, kind: 1 });

export type MicrosoftItemDoc = InferSchemaType<typeof itemSchema>;

export const microsoftItemModel = (conn: Connection): Model<MicrosoftItemDoc> =>
  (conn.models['MicrosoftItem'] ??
    conn.model<MicrosoftItemDoc>('MicrosoftItem', itemSchema, 'microsoft_items')) as Model<MicrosoftItemDoc>;

export const segmentKey = (seriesId: string, segment: number) => `seg:${seriesId}:${segment}`;

/** Inserts the entries not there yet; ids are Graph's and never change meaning, so existing ones stay. */
export async function remember(Items: Model<MicrosoftItemDoc>, docs: MicrosoftItemDoc[]): Promise<void> {
  if (!docs.length) return;
  const known = new Set((await Items.find({ _id: { $in: docs.map((d) => d._id) } }, { _id: 1 }).lean()).map((d) => d._id));
  const fresh = docs.filter((d) => !known.has(d._id));
  if (!fresh.length) return;
  try {
    await Items.insertMany(fresh, { ordered: false });
  } catch (err) {
    // a concurrent sync remembered some of them first
    if ((err as { code?: number }).code !== 11000) throw err;
  }
}
