import { commitVersion } from '@cadence/shared/db';
import { isDuplicateKeyError } from '@cadence/shared/http';
import { inParallel } from '@cadence/shared/process';
import type { AgendaContext } from '../../context.js';
import { bucketId, changeKey, decodeFacts, emptyFacts, encodeFacts, mergeFacts, type FactChange } from './codec.js';

/** Attempts per bucket: each lost one means another writer moved the bucket on, so this converges fast. */
const MAX_ATTEMPTS = 16;
/** Buckets written at once (a backfill writes thousands). */
const CONCURRENCY = 4;

/**
 * Merges changes into their series' buckets. Several writers (replicas, the repair, the backfill)
 * may change one bucket at once, and FerretDB's updates are not compare-and-set: the bucket moves
 * version by version through the journal (shared/src/db/journal.ts), re-read and merged again
 * when another writer got there first. Entries only move forward (see mergeFacts).
 */
export async function applyFactChanges(
  ctx: Pick<AgendaContext, 'models' | 'writes'>,
  changes: readonly FactChange[],
): Promise<void> {
  const byBucket = new Map<string, FactChange[]>();
  for (const c of changes) {
    const id = bucketId(c.seriesId, changeKey(c));
    const own = byBucket.get(id);
    if (own) own.push(c);
    else byBucket.set(id, [c]);
  }
  // the lock only saves this process's writers from racing each other through retries
  await inParallel([...byBucket], CONCURRENCY, ([id, own]) =>
    ctx.writes.run(`report-facts|${id}`, () => applyToBucket(ctx, id, own)),
  );
}

async function applyToBucket(ctx: Pick<AgendaContext, 'models'>, id: string, changes: readonly FactChange[]): Promise<void> {
  const { ReportFacts, Journal } = ctx.models;
  const first = changes[0]!;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const doc = await ReportFacts.findById(id).lean();
    const now = new Date();
    if (!doc) {
      const facts = emptyFacts();
      mergeFacts(facts, changes);
      try {
        await ReportFacts.create({
          _id: id,
          organizationId: first.organizationId,
          seriesId: first.seriesId,
          year: Number(changeKey(first).slice(0, 4)),
          facts: encodeFacts(facts),
          version: 1,
          updatedAt: now,
        });
        return;
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
        continue; // another writer made it first: merge into theirs
      }
    }
    const facts = decodeFacts(doc.facts);
    if (!mergeFacts(facts, changes)) return;
    if (await commitVersion(ReportFacts, Journal, id, doc.version, { facts: encodeFacts(facts), updatedAt: now })) return;
  }
  throw new Error(`report facts ${id}: gave up after ${MAX_ATTEMPTS} concurrent changes`);
}
