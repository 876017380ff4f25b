import type { Model } from 'mongoose';
import { insertOne } from '@cadence/shared/db/gathered';
import { isDuplicateKeyError } from '@cadence/shared/http';
import { outboxUnfannedModel, type OutboxEventDoc, type UnfannedDoc } from './models.js';
import { outboxWritten } from './written.js';

/** An event as its writers make it: not fanned out yet. */
export type NewOutboxEvent = Omit<OutboxEventDoc, 'fannedOut'>;

/**
 * How long a marker may wait for its event before the fan-out drops it as left by a dead writer.
 * Writers refresh a marker they find there already, or whose event took over a quarter of this to
 * write, so the fan-out never drops the marker of an event being written unless clocks disagree by
 * more than 45 s.
 */
export const ORPHAN_MARKER_MS = 60_000;

async function addMarker(Unfanned: Model<UnfannedDoc>, _id: string, sequence: number): Promise<boolean> {
  try {
    await insertOne(Unfanned, { _id, sequence, at: new Date() });
    return true;
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    return false;
  }
}

/** Restarts a marker's grace (the fan-out drops an orphan only if `at` is unchanged), or writes it again. */
async function refreshMarker(Unfanned: Model<UnfannedDoc>, _id: string, sequence: number): Promise<void> {
  const res = await Unfanned.updateOne({ _id }, { $set: { at: new Date() } });
  if (res.matchedCount === 0) await addMarker(Unfanned, _id, sequence);
}

/**
 * Writes an event to the outbox, and its marker for the fan-out; false if the event was there
 * already (ids are deterministic, so writing one twice is harmless).
 *
 * Crash safety, without transactions: the marker is written first, so an event never exists
 * without one. A writer dying in between leaves a marker without an event, which the fan-out drops
 * after ORPHAN_MARKER_MS. Event first would need every writer to come back after a crash: the relay
 * does (the owner keeps its pendingEvents until they are copied), a published event only if its
 * caller retries, `connection.reauth_required` never (its status change is already made).
 */
export async function insertOutboxEvent(Outbox: Model<OutboxEventDoc>, event: NewOutboxEvent): Promise<boolean> {
  // through the outbox's connection: the writers (some in modules this one does not own) pass the outbox model only
  const Unfanned = outboxUnfannedModel(Outbox.db);
  const started = Date.now();
  // there already (a retry): it may be old enough to be dropped as an orphan before the event lands
  if (!(await addMarker(Unfanned, event._id, event.sequence))) await refreshMarker(Unfanned, event._id, event.sequence);
  let inserted = true;
  try {
    await insertOne(Outbox, { ...event, fannedOut: false });
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    inserted = false;
    const existing = await Outbox.findById(event._id, { fannedOut: 1 }).lean();
    // fanned out long ago: the marker would only cost the fan-out a read
    if (existing?.fannedOut) {
      await Unfanned.deleteOne({ _id: event._id });
      return false;
    }
  }
  if (Date.now() - started > ORPHAN_MARKER_MS / 4) await refreshMarker(Unfanned, event._id, event.sequence);
  outboxWritten(Outbox.db);
  return inserted;
}

/**
 * Writes the markers missing for events not fanned out: those written before markers existed. One
 * scan of the outbox (every filter but `{_id}` reads all of it on FerretDB), once per process.
 */
export async function addMissingMarkers(Outbox: Model<OutboxEventDoc>): Promise<number> {
  const Unfanned = outboxUnfannedModel(Outbox.db);
  const events = await Outbox.find({ fannedOut: false }, { _id: 1, sequence: 1 }).lean();
  if (!events.length) return 0;
  const marked = new Set((await Unfanned.find({}, { _id: 1 }).lean()).map((m) => m._id));
  const at = new Date();
  const missing = events.filter((e) => !marked.has(e._id)).map((e) => ({ _id: e._id, sequence: e.sequence, at }));
  if (!missing.length) return 0;
  try {
    await Unfanned.insertMany(missing, { ordered: false });
  } catch (err) {
    // written meanwhile by a writer, or by another replica doing the same (mongoose gives `{err: {code}}` here)
    const errors = (err as { writeErrors?: { code?: number; err?: { code?: number } }[] }).writeErrors;
    if (!errors?.length || errors.some((e) => (e.code ?? e.err?.code) !== 11000)) throw err;
  }
  return missing.length;
}
