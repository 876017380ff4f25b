import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/database.js';

/**
 * The embedded FerretDB is built with a patch that makes it use its `_id` index, also when a filter
 * names a string `_id` (or a list of them) among other fields (shared/src/db/embedded/ferretdb-patch.ts). The rest of
 * the filter must still apply, for every command the services use: an organization-scoped read of
 * another organization's id finds nothing, a compare-and-set on a stale version changes nothing.
 */
describe('filters that name an _id and other fields', () => {
  let docs: ReturnType<Awaited<ReturnType<typeof useTestDatabase>>['conn']['collection']>;

  beforeAll(async () => {
    const { conn } = await useTestDatabase('filters');
    docs = conn.collection('docs');
    await docs.insertMany(
      Array.from({ length: 50 }, (_, i) => ({ _id: `d${i}` as never, organizationId: i % 2 ? 'org_a' : 'org_b', version: 1 })),
    );
  });

  it('find and count apply every field, not just the _id', async () => {
    expect(await docs.findOne({ _id: 'd1' as never, organizationId: 'org_a' })).toMatchObject({ _id: 'd1' });
    expect(await docs.findOne({ _id: 'd1' as never, organizationId: 'org_b' })).toBeNull();
    expect(await docs.countDocuments({ _id: 'd3' as never, organizationId: 'org_b' })).toBe(0);
    expect(await docs.countDocuments({ _id: 'd3' as never, version: { $gte: 1 } })).toBe(1);
    expect(await docs.distinct('version', { _id: 'd5' as never, organizationId: 'org_b' })).toEqual([]);
    const matched = await docs.aggregate([{ $match: { _id: 'd7', organizationId: 'org_a' } }, { $count: 'n' }]).toArray();
    expect(matched).toEqual([{ n: 1 }]);
  });

  it('a compare-and-set on a stale version changes nothing, on the current one exactly once', async () => {
    expect((await docs.updateOne({ _id: 'd2' as never, version: 1 }, { $set: { version: 2 } })).modifiedCount).toBe(1);
    expect((await docs.updateOne({ _id: 'd2' as never, version: 1 }, { $set: { version: 3 } })).modifiedCount).toBe(0);
    expect(await docs.findOneAndUpdate({ _id: 'd2' as never, version: 1 }, { $set: { version: 4 } })).toBeNull();
    expect(await docs.findOne({ _id: 'd2' as never })).toMatchObject({ version: 2 });
  });

  it('reads and writes by _id use the _id index, alone or with other fields', async () => {
    // FerretDB prints SQLite's plan (`SEARCH … USING INDEX`, not `SCAN`); MongoDB names an index stage
    const indexed = /USING INDEX|IDHACK|IXSCAN|EXPRESS/;
    const listed = { _id: { $in: ['d9', 'd11', 'd13'] } };
    for (const filter of [
      { _id: 'd9' },
      { _id: 'd9', organizationId: 'org_a' },
      { _id: 'd9', version: 1 },
      listed,
      { ...listed, version: 1 },
    ]) {
      const plan = JSON.stringify(await docs.find(filter as never).explain());
      expect(plan, JSON.stringify(filter)).toMatch(indexed);
      expect(plan).not.toMatch(/detail=SCAN/);
    }
  });

  it('a list of ids finds exactly the listed documents that match the rest of the filter', async () => {
    const ids = (rows: { _id: unknown }[]) => rows.map((r) => r._id).sort();
    expect(ids(await docs.find({ _id: { $in: ['d10', 'd11', 'd11', 'nope'] } } as never).toArray())).toEqual(['d10', 'd11']);
    expect(ids(await docs.find({ _id: { $in: ['d10', 'd11'] }, organizationId: 'org_a' } as never).toArray())).toEqual(['d11']);
    // values the index cannot narrow by (a number, a pattern) are still matched as MongoDB does
    expect(ids(await docs.find({ _id: { $in: ['d12', 12, /^d1[34]$/] } } as never).toArray())).toEqual(['d12', 'd13', 'd14']);
    expect(await docs.countDocuments({ _id: { $in: [] } } as never)).toBe(0);
    expect(
      (await docs.updateMany({ _id: { $in: ['d15', 'd16'] }, organizationId: 'org_a' } as never, { $set: { version: 7 } }))
        .modifiedCount,
    ).toBe(1);
    expect(ids(await docs.find({ version: 7 }).toArray())).toEqual(['d15']);
  });

  it('a delete scoped to another organization deletes nothing', async () => {
    expect((await docs.deleteOne({ _id: 'd4' as never, organizationId: 'org_a' })).deletedCount).toBe(0);
    expect((await docs.deleteOne({ _id: 'd4' as never, organizationId: 'org_b' })).deletedCount).toBe(1);
    expect((await docs.deleteMany({ _id: { $in: ['d17', 'd18', 'd19'] }, organizationId: 'org_a' } as never)).deletedCount).toBe(
      2,
    );
    expect(await docs.countDocuments({ _id: { $in: ['d17', 'd18', 'd19'] } } as never)).toBe(1);
    expect(await docs.countDocuments({})).toBe(47);
  });
});

/**
 * One `update` command of many statements (a bulkWrite of updates): FerretDB as released kept every
 * matched statement's query open until the command returned, one pooled connection each, and hung
 * for good at the 100th (shared/src/db/embedded/ferretdb-patch.ts closes each statement's query).
 */
describe('an update command of many statements', () => {
  it('updates every document, and the database answers afterwards', async () => {
    const { conn } = await useTestDatabase('bulk_updates');
    const docs = conn.collection('docs');
    const n = 250;
    await docs.insertMany(Array.from({ length: n }, (_, i) => ({ _id: `b${i}` as never, version: 1 })));
    const updates = Array.from({ length: n }, (_, i) => ({
      updateOne: { filter: { _id: `b${i}` as never, version: 1 }, update: { $set: { version: 2 } } },
    }));
    const hung = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('the bulk update did not answer in 20 s')), 20_000).unref(),
    );
    const result = await Promise.race([docs.bulkWrite(updates, { ordered: false }), hung]);
    expect(result.modifiedCount).toBe(n);
    expect(await docs.countDocuments({ version: 2 })).toBe(n);
  }, 30_000);
});
