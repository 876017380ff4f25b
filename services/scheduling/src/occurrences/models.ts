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

/**
 * The keys of a series' occurrences that have a record, by series and UTC year of the key. A
 * report asks for a year and a half of 1,000 series' occurrences: by the ids of every planned one
 * that was ~78,000 index look-ups for ~7,000 records (FerretDB: ~2.7 s of the report); by these
 * lists, 2,000 small documents and only the ids that exist (~1.2 s).
 *
 * Each list also carries what a report needs of each record (the record's version, and its state,
 * cancellation's `excused`, move, decline's roles, duration and restoredAt as JSON), so a report
 * reads ~2,000 of these instead of ~7,000 records as well.
 *
 * A key is listed, and counted as being written, before its record is written; its outcome is set
 * and the count taken back after. A record is thus never unlisted, and an outcome is trusted only
 * where no write is counted: a writer that died in between leaves the count up, and reports read
 * that record itself from then on.
 *
 * Per key three top-level fields (recorded-keys.ts, `fieldsOf`): `w<key>` the count of writes
 * under way (its presence lists the key), `v<key>` the listed outcome's version, `o<key>` the
 * outcome. FerretDB decodes each nested document slowly: with the outcome a document of documents
 * under `outcomes.<key>`, a page of 100 lists took ~32 ms of its CPU, flat ~16 ms (a report reads
 * ten pages).
 */
const recordedKeysSchema = new Schema(
  {
    _id: { type: String, required: true },
    organizationId: { type: String, required: true },
    seriesId: { type: String, required: true },
  },
  // the per-key fields are named by their keys
  { versionKey: false, strict: false },
);
const buildsSchema = new Schema(
  { _id: { type: String, required: true }, completedAt: { type: Date, required: true } },
  { versionKey: false },
);

type RecordedKeysDoc = InferSchemaType<typeof recordedKeysSchema>;
type BuildDoc = InferSchemaType<typeof buildsSchema>;

export const recordedKeysModels = (conn: Connection) => ({
  RecordedKeys: conn.model<RecordedKeysDoc>('RecordedKeys', recordedKeysSchema, 'occurrence_outcomes') as Model<RecordedKeysDoc>,
  /** One document per layout once the existing records' keys are listed (recorded-keys.ts). */
  RecordedKeysBuilds: conn.model<BuildDoc>('RecordedKeysBuilds', buildsSchema, 'occurrence_keys_builds') as Model<BuildDoc>,
});
