import { Schema, type Connection, type Model } from 'mongoose';
import { isDuplicateKeyError } from '../http/errors.js';
import { insertOne, updateOne } from './gathered.js';

/**
 * FerretDB 1.x evaluates an update's filter and applies its change in separate steps, so
 * `updateOne({_id, version: v}, …)` run concurrently can match more than once; a unique insert is
 * what it does atomically. A version change therefore first inserts a journal entry named
 * `<collection>:<id>@<v+1>` holding the new field values: only one writer can create it. The
 * document update that follows only `$set`s, so applying an entry twice is harmless, and a writer
 * that died between the two steps is rolled forward by the next reader. On MongoDB the same code
 * is simply a compare-and-set with one extra insert.
 */
interface JournalEntry {
  _id: string;
  set: Record<string, unknown>;
  at: Date;
}

const journalSchema = new Schema<JournalEntry>(
  {
    _id: { type: String, required: true },
    set: { type: Schema.Types.Mixed, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
journalSchema.index({ at: 1 });

export type Journal = Model<JournalEntry>;

export const journalModel = (conn: Connection): Journal => conn.model<JournalEntry>('JournalEntry', journalSchema, 'journal');

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any collection with a string _id and a numeric version field
type Versioned = Model<any>;

const entryId = (model: Versioned, id: string, version: number) => `${model.collection.collectionName}:${id}@${version}`;

/**
 * Moves a document from `fromVersion` to the next version with `set`; false when another writer
 * got that version first (re-read and try again).
 */
export async function commitVersion(
  model: Versioned,
  journal: Journal,
  id: string,
  fromVersion: number,
  set: Record<string, unknown>,
  field = 'version',
): Promise<boolean> {
  const next = { ...set, [field]: fromVersion + 1 };
  // both sent with other writers' (gathered.ts): a journal entry is made by one insert of one writer either way
  try {
    await insertOne(journal, { _id: entryId(model, id, fromVersion + 1), set: next, at: new Date() });
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    await rollForward(model, journal, id, fromVersion, field);
    return false;
  }
  await updateOne(model, { _id: id, [field]: fromVersion }, { $set: next });
  return true;
}

/** Applies the journal entry that follows `version`, if a writer left one unapplied; true if there was one. */
export async function rollForward(
  model: Versioned,
  journal: Journal,
  id: string,
  version: number,
  field = 'version',
): Promise<boolean> {
  const entry = await journal.findById(entryId(model, id, version + 1)).lean();
  if (!entry) return false;
  await model.updateOne({ _id: id, [field]: version }, { $set: entry.set });
  return true;
}

/** Entries are only needed until their document update has surely landed; sweep old ones. */
export async function sweepJournal(journal: Journal, olderThan: Date): Promise<number> {
  const { deletedCount } = await journal.deleteMany({ at: { $lt: olderThan } });
  return deletedCount;
}

/**
 * Rolls forward entries written in [from, to) whose document update may not have landed (the
 * writer died in between). Applying an already-applied entry matches nothing, so this is safe to
 * run on every replica, periodically.
 */
export async function healJournal(
  journal: Journal,
  owners: { model: Versioned; field?: string }[],
  from: Date,
  to: Date,
): Promise<number> {
  const byCollection = new Map(owners.map((o) => [o.model.collection.collectionName, o]));
  const entries = await journal.find({ at: { $gte: from, $lt: to } }).lean();
  let healed = 0;
  for (const entry of entries) {
    const m = /^([^:]+):(.+)@(\d+)$/.exec(entry._id);
    const owner = m && byCollection.get(m[1]!);
    if (!owner) continue;
    const field = owner.field ?? 'version';
    const res = await owner.model.updateOne({ _id: m[2]!, [field]: Number(m[3]) - 1 }, { $set: entry.set });
    healed += res.modifiedCount;
  }
  return healed;
}
