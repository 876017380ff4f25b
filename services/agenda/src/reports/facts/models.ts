import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

/**
 * What the cadence report needs of one series' agendas and homework in one UTC year of
 * occurrence keys, kept up to date by every write of an agenda or a homework item (see
 * tracked-write.ts): a cold report reads one small document per series and year instead of every
 * agenda and homework item (FerretDB decodes each document a query touches, ~0.3–1 ms apiece).
 * `_id` is `<seriesId>@<year>` so a report reads them by id. `facts` is one packed string (see
 * codec.ts): FerretDB's cost grows with the number of values far more than with bytes.
 */
const reportFactsSchema = new Schema(
  {
    _id: { type: String, required: true },
    organizationId: { type: String, required: true },
    seriesId: { type: String, required: true },
    year: { type: Number, required: true },
    facts: { type: String, required: true },
    /** Changes are compare-and-set through the journal (several writers may touch one series). */
    version: { type: Number, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);

export type ReportFactsDoc = InferSchemaType<typeof reportFactsSchema>;
export const reportFactsModel = (conn: Connection): Model<ReportFactsDoc> =>
  conn.model<ReportFactsDoc>('ReportFacts', reportFactsSchema, 'report_facts');

/**
 * A write of an agenda or homework item in progress: inserted before the write, deleted once the
 * series' facts include it. While one exists, reports read that source document itself; one left
 * by a writer that died is repaired after ORPHAN_MARKER_MS (repair.ts).
 */
const pendingFactSchema = new Schema(
  {
    _id: { type: String, required: true },
    organizationId: { type: String, required: true },
    source: { type: String, required: true, enum: ['agenda', 'homework'] },
    sourceId: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
pendingFactSchema.index({ organizationId: 1 });

export type PendingFactDoc = InferSchemaType<typeof pendingFactSchema>;
export const pendingFactModel = (conn: Connection): Model<PendingFactDoc> =>
  conn.model<PendingFactDoc>('PendingReportFact', pendingFactSchema, 'report_facts_pending');

/** Which layouts of the facts have been built from the agendas and homework that existed before them (backfill.ts). */
const factsBuildSchema = new Schema(
  {
    _id: { type: String, required: true },
    completedAt: { type: Date, required: true },
  },
  { versionKey: false },
);

export type FactsBuildDoc = InferSchemaType<typeof factsBuildSchema>;
export const factsBuildModel = (conn: Connection): Model<FactsBuildDoc> =>
  conn.model<FactsBuildDoc>('ReportFactsBuild', factsBuildSchema, 'report_facts_builds');
