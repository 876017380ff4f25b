/*
 * The lists of the keys that have an occurrence record, per series and year, with each record's
 * outcome fields (models.ts, recordedKeysModels, says why, and why a key is listed and its write
 * counted before its record is written): listing and counting around a write, reading for a
 * report, and building them once from the records written before they existed.
 */
import { idLists } from '@cadence/shared/db';
import { updateOne } from '@cadence/shared/db/gathered';
import { isDuplicateKeyError } from '@cadence/shared/http';
import type { Logger } from '@cadence/shared/logging';
import { every } from '@cadence/shared/process';
import type { SchedulingContext } from '../context.js';
import type { OccurrenceDoc } from './models.js';
import { outcomeFields, type OutcomeFields } from './view.js';

/** The lists' layout: a new one is built again from the records. */
const LAYOUT = 'occurrence-keys-3';
/** Where the lists of the layouts before were (their nested outcomes): dropped once these are built. */
const FORMER_COLLECTION = 'occurrence_keys';
const bucketOf = (seriesId: string, key: string) => `${seriesId}@${key.slice(0, 4)}`;

type Models = Pick<SchedulingContext['models'], 'RecordedKeys' | 'RecordedKeysBuilds' | 'Occurrences'>;
type Listing = { organizationId: string; seriesId: string; key: string };

/**
 * A key's fields in its list (models.ts): writes under way (listed while present), the listed
 * outcome's version, and the outcome as JSON. Keys are `20260105T140000Z`: no dot, no `$`.
 */
export const fieldsOf = (key: string) => ({ writing: WRITING + key, version: VERSION + key, outcome: OUTCOME + key });
const [WRITING, VERSION, OUTCOME] = ['w', 'v', 'o'];
/** A write count's field: `w` and an occurrence key. */
const LISTED_KEY = /^w\d{8}T\d{6}Z$/;

/** A listed outcome as the record has it (JSON keeps `restoredAt` as its ISO string). */
function parseOutcome(json: string): OutcomeFields {
  const outcome = JSON.parse(json) as OutcomeFields & { restoredAt?: string | Date | null };
  if (outcome.restoredAt) outcome.restoredAt = new Date(outcome.restoredAt);
  return outcome as OutcomeFields;
}

/** A record's outcome as listed beside its key, unless one of a later version is there already. */
const newerOutcome = (bucket: string, record: OccurrenceDoc) => {
  const f = fieldsOf(record.key);
  return {
    filter: { _id: bucket, [f.version]: { $not: { $gte: record.version } } },
    set: { [f.version]: record.version, [f.outcome]: JSON.stringify(outcomeFields(record)) },
  };
};

/** Before a record is written (created or updated): its key is listed and the write counted. */
export async function beginRecordWrite(models: Pick<Models, 'RecordedKeys'>, r: Listing): Promise<void> {
  await updateOne(
    models.RecordedKeys,
    { _id: bucketOf(r.seriesId, r.key) },
    {
      $inc: { [fieldsOf(r.key).writing]: 1 },
      $setOnInsert: { organizationId: r.organizationId, seriesId: r.seriesId },
    },
    { upsert: true },
  );
}

/** After the write (`written`: the record as written, none when it was not): its outcome, and the count taken back. */
export async function endRecordWrite(models: Pick<Models, 'RecordedKeys'>, r: Listing, written?: OccurrenceDoc): Promise<void> {
  const bucket = bucketOf(r.seriesId, r.key);
  const back = () => updateOne(models.RecordedKeys, { _id: bucket }, { $inc: { [fieldsOf(r.key).writing]: -1 } });
  if (!written) return back();
  // the outcome is listed (unless a later version's is there) before the count that makes it
  // trusted is taken back; if listing fails, the count stays up and reports read the record
  const { filter, set } = newerOutcome(bucket, written);
  await updateOne(models.RecordedKeys, filter, { $set: set });
  await back();
}

/** What the list of a key's series and year says of it (for tests and checks): none when unlisted. */
export async function listedKey(models: Pick<Models, 'RecordedKeys'>, seriesId: string, key: string) {
  const list = (await models.RecordedKeys.findById(bucketOf(seriesId, key)).lean()) as Record<string, unknown> | null;
  const f = fieldsOf(key);
  if (typeof list?.[f.writing] !== 'number') return undefined;
  const outcome = list[f.outcome];
  return {
    writing: list[f.writing] as number,
    version: list[f.version] as number | undefined,
    outcome: typeof outcome === 'string' ? parseOutcome(outcome) : undefined,
  };
}

/** Databases (by their model) known to have the lists built: that never becomes untrue. */
const built = new WeakSet<object>();

async function listsBuilt(models: Pick<Models, 'RecordedKeysBuilds'>): Promise<boolean> {
  const { RecordedKeysBuilds } = models;
  if (!built.has(RecordedKeysBuilds) && (await RecordedKeysBuilds.exists({ _id: LAYOUT }))) built.add(RecordedKeysBuilds);
  return built.has(RecordedKeysBuilds);
}

/** What the lists say of a planned occurrence: no record, its record's listed outcome, or "read the record". */
export type Recorded = OutcomeFields | 'read' | undefined;

/**
 * Of these series' planned occurrences (by their keys), what the lists say, in the same order: an
 * outcome where it can be trusted, `read` where only the record can say (a write of it is
 * counted, or no outcome is listed) — every one until the lists are built.
 */
export async function recordedOutcomes(
  models: Models,
  organizationId: string,
  planned: readonly { seriesId: string; keys: readonly string[] }[],
): Promise<Recorded[][]> {
  if (!(await listsBuilt(models))) return planned.map((p) => p.keys.map(() => 'read' as const));
  // a series' keys come in order: its buckets change only with the year
  const buckets = new Set<string>();
  for (const p of planned) {
    let year = '';
    for (const key of p.keys)
      if (!year || !key.startsWith(year)) {
        year = key.slice(0, 4);
        buckets.add(bucketOf(p.seriesId, key));
      }
  }
  const lists = (
    await Promise.all(idLists([...buckets]).map((ids) => models.RecordedKeys.find({ _id: { $in: ids }, organizationId }).lean()))
  ).flat() as unknown as (Record<string, unknown> & { _id: string })[];
  const byBucket = new Map(lists.map((l) => [l._id, listed(l)]));
  return planned.map((p) => {
    let year = '';
    let list: Map<string, Recorded> | undefined;
    return p.keys.map((key): Recorded => {
      if (!year || !key.startsWith(year)) {
        year = key.slice(0, 4);
        list = byBucket.get(bucketOf(p.seriesId, key));
      }
      return list?.get(key); // none: no record
    });
  });
}

/**
 * A list's keys and what it says of each (its fields walked once: looking each of a report's
 * ~80,000 planned keys up by a field name built for it cost more than the rest of this).
 */
function listed(list: Record<string, unknown>): Map<string, Recorded> {
  const byKey = new Map<string, Recorded>();
  for (const field in list) {
    if (!LISTED_KEY.test(field)) continue;
    const key = field.slice(WRITING.length);
    const outcome = list[OUTCOME + key];
    // a write counted and not ended (under way, or its writer died): the record itself says
    byKey.set(key, list[field] === 0 && typeof outcome === 'string' ? parseOutcome(outcome) : 'read');
  }
  return byKey;
}

const BATCH = 2_000;

/**
 * Lists the keys and outcomes of the records written before the lists had them: once per database
 * (the record in occurrence_keys_builds says it is done), at every start until then. Safe beside
 * live writers and other replicas ($addToSet; an outcome only where none of a later version is).
 * Replicas of an older version must be gone before it starts, or records they write later are
 * not listed, or listed with an outcome they changed.
 */
export async function buildRecordedKeys(models: Models): Promise<{ built: boolean; records: number }> {
  if (await listsBuilt(models)) return { built: false, records: 0 };
  const { Occurrences, RecordedKeys, RecordedKeysBuilds } = models;
  let held: OccurrenceDoc[] = [];
  let records = 0;
  const flush = async () => {
    if (!held.length) return;
    const buckets = new Map<string, { organizationId: string; seriesId: string; keys: string[] }>();
    for (const r of held) {
      const id = bucketOf(r.seriesId, r.key);
      const bucket = buckets.get(id);
      if (bucket) bucket.keys.push(r.key);
      else buckets.set(id, { organizationId: r.organizationId, seriesId: r.seriesId, keys: [r.key] });
    }
    await RecordedKeys.bulkWrite(
      [...buckets].map(([_id, b]) => ({
        updateOne: {
          filter: { _id },
          update: {
            // listed with no write under way (an existing count is left as it is)
            $inc: Object.fromEntries(b.keys.map((k) => [fieldsOf(k).writing, 0])),
            $setOnInsert: { organizationId: b.organizationId, seriesId: b.seriesId },
          },
          upsert: true,
        },
      })),
      { ordered: false },
    );
    // one update per record: each is conditional on its own key's outcome
    await RecordedKeys.bulkWrite(
      held.map((r) => {
        const { filter, set } = newerOutcome(bucketOf(r.seriesId, r.key), r);
        return { updateOne: { filter, update: { $set: set } } };
      }),
      { ordered: false },
    );
    held = [];
  };
  const cursor = Occurrences.find({})
    .select({ history: 0, pendingEvents: 0 })
    .lean<OccurrenceDoc[]>()
    .cursor({ batchSize: BATCH });
  for await (const r of cursor) {
    held.push(r);
    if (++records % BATCH === 0) await flush();
  }
  await flush();
  try {
    await RecordedKeysBuilds.create({ _id: LAYOUT, completedAt: new Date() });
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err; // another replica finished too
  }
  built.add(RecordedKeysBuilds);
  // the former layout's lists: only ever derived from the records, now listed here again
  await RecordedKeys.db.dropCollection(FORMER_COLLECTION).catch(() => undefined); // absent: nothing to drop
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
