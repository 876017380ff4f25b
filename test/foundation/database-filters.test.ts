import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/database.js';

/**
 * The embedded FerretDB is built with a patch that makes it use its `_id` index, also when a filter
 * names a string `_id` among other fields (shared/src/db/embedded/ferretdb-patch.ts). The rest of
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
    for (const filter of [{ _id: 'd9' }, { _id: 'd9', organizationId: 'org_a' }, { _id: 'd9', version: 1 }]) {
      const plan = JSON.stringify(await docs.find(filter as never).explain());
      expect(plan, JSON.stringify(filter)).toMatch(indexed);
      expect(plan).not.toMatch(/detail=SCAN/);
    }
  });

  it('a delete scoped to another organization deletes nothing', async () => {
    expect((await docs.deleteOne({ _id: 'd4' as never, organizationId: 'org_a' })).deletedCount).toBe(0);
    expect((await docs.deleteOne({ _id: 'd4' as never, organizationId: 'org_b' })).deletedCount).toBe(1);
    expect(await docs.countDocuments({})).toBe(49);
  });
});
