/*
 * The lists of the keys that have an occurrence record, per series and year (models.ts,
 * recordedKeysModels, says why, and why a key is listed before its record is created): listing,
 * reading for a report, and building them once from the records written before they existed.
 */
import { idLists } from '@cadence/shared/db';
import { isDuplicateKeyError } from '@cadence/shared/http';
import type { Logger } from '@cadence/shared/logging';
import { every } from '@cadence/shared/process';
import type { SchedulingContext } from '../context.js';

/** The lists' layout: a new one is built again from the records. */
const LAYOUT = 'occurrence-keys-1';
const bucketOf = (seriesId: string, key: string) => `${seriesId}@${key.slice(0, 4)}`;

type Models = Pick<SchedulingContext['models'], 'RecordedKeys' | 'RecordedKeysBuilds' | 'Occurrences'>;

/** Lists a record's key; called before the record is created. */
export async function listRecordedKey(
  models: Pick<Models, 'RecordedKeys'>,
  r: { organizationId: string; seriesId: string; key: string },
): Promise<void> {
  await models.RecordedKeys.updateOne(
    { _id: bucketOf(r.seriesId, r.key) },
    { $addToSet: { keys: r.key }, $setOnInsert: { organizationId: r.organizationId, seriesId: r.seriesId } },
    { upsert: true },
  );
}

/** Databases (by their model) known to have the lists built: that never becomes untrue. */
const built = new WeakSet<object>();

async function listsBuilt(models: Pick<Models, 'RecordedKeysBuilds'>): Promise<boolean> {
  const { RecordedKeysBuilds } = models;
  if (!built.has(RecordedKeysBuilds) && (await RecordedKeysBuilds.exists({ _id: LAYOUT }))) built.add(RecordedKeysBuilds);
  return built.has(RecordedKeysBuilds);
}

/**
 * Of these series' planned occurrences (keys and their record ids, in the same order), the ids
 * that may have a record; all of them until the lists are built.
 */
export async function possiblyRecorded(
  models: Models,
  organizationId: string,
  planned: readonly { seriesId: string; keys: readonly string[]; ids: readonly string[] }[],
): Promise<string[]> {
  if (!(await listsBuilt(models))) return planned.flatMap((p) => p.ids);
  const buckets = [...new Set(planned.flatMap((p) => p.keys.map((k) => bucketOf(p.seriesId, k))))];
  const lists = (
    await Promise.all(
      idLists(buckets).map((ids) =>
        models.RecordedKeys.find({ _id: { $in: ids }, organizationId })
          .select({ keys: 1 })
          .lean(),
      ),
    )
  ).flat();
  const listed = new Set(lists.flatMap((l) => l.keys.map((k) => `${l._id}|${k}`)));
  return planned.flatMap((p) => p.ids.filter((_, i) => listed.has(`${bucketOf(p.seriesId, p.keys[i]!)}|${p.keys[i]}`)));
}

const BATCH = 2_000;

/**
 * Lists the keys of the records written before the lists existed: once per database (the record in
 * occurrence_keys_builds says it is done), at every start until then. Safe beside live writers
 * and other replicas ($addToSet). Replicas of an older version must be gone before it starts, or
 * records they create later are not listed.
 */
export async function buildRecordedKeys(models: Models): Promise<{ built: boolean; records: number }> {
  if (await listsBuilt(models)) return { built: false, records: 0 };
  const { Occurrences, RecordedKeys, RecordedKeysBuilds } = models;
  let held = new Map<string, { organizationId: string; seriesId: string; keys: string[] }>();
  let records = 0;
  const flush = async () => {
    if (!held.size) return;
    await RecordedKeys.bulkWrite(
      [...held].map(([_id, b]) => ({
        updateOne: {
          filter: { _id },
          update: {
            $addToSet: { keys: { $each: b.keys } },
            $setOnInsert: { organizationId: b.organizationId, seriesId: b.seriesId },
          },
          upsert: true,
        },
      })),
      { ordered: false },
    );
    held = new Map();
  };
  const cursor = Occurrences.find({}).select({ organizationId: 1, seriesId: 1, key: 1 }).lean().cursor({ batchSize: BATCH });
  for await (const r of cursor) {
    const id = bucketOf(r.seriesId, r.key);
    const bucket = held.get(id);
    if (bucket) bucket.keys.push(r.key);
    else held.set(id, { organizationId: r.organizationId, seriesId: r.seriesId, keys: [r.key] });
    if (++records % BATCH === 0) await flush();
  }
  await flush();
  try {
    await RecordedKeysBuilds.create({ _id: LAYOUT, completedAt: new Date() });
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err; // another replica finished too
  }
  built.add(RecordedKeysBuilds);
  return { built: true, records };
}

/** The build at start, again every few minutes until it has once completed (then it returns at once). */
export function startRecordedKeysBuild(models: Models, logger: Logger) {
  const worker = every(
    'occurrence-keys',
    5 * 60_000,
    async () => {
      const started = Date.now();
      const { built: now, records } = await buildRecordedKeys(models);
      if (now) logger.info({ records, ms: Date.now() - started }, 'occurrence keys listed from the existing records');
    },
    logger,
  );
  void worker.runNow();
  return worker;
}
