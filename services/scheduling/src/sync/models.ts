import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

/**
 * Sync bookkeeping per connected calendar. A notification only sets `requestedAt`; a worker that
 * claims the lease syncs everything since the stored cursor, so a burst of notifications costs one
 * sync, and two replicas never sync one calendar at once.
 */
const syncStateSchema = new Schema(
  {
    /** the connection id */
    _id: { type: String, required: true },
    organizationId: { type: String, required: true },
    provider: { type: String, required: true },
    /** Google sync token / Graph delta link; null means the next sync is a full one. */
    cursor: { type: String, default: null },
    /** Bumped by every claim (a compare-and-set: one replica's claim matches). */
    generation: { type: Number, default: 0 },
    /** Set by a request, cleared by the worker that claims the sync. */
    pending: { type: Boolean, default: false },
    requestedAt: { type: Date, default: null },
    /** When the latest successful or failed sync started; a request after it means "sync again". */
    startedAt: { type: Date, default: null },
    finishedAt: { type: Date, default: null },
    leaseUntil: { type: Date, default: null },
    leaseOwner: { type: String, default: null },
    failures: { type: Number, default: 0 },
    lastError: { type: String, default: null },
    /** Do not retry a failed sync before this. */
    retryAt: { type: Date, default: null },
  },
  { versionKey: false },
);
syncStateSchema.index({ pending: 1, requestedAt: 1 });

export type SyncStateDoc = InferSchemaType<typeof syncStateSchema>;

export const syncStateModel = (conn: Connection): Model<SyncStateDoc> =>
  conn.model<SyncStateDoc>('SyncState', syncStateSchema, 'sync_states');
