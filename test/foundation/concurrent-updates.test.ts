import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/database.js';

/**
 * Updates of one document made at once all apply, as MongoDB applies each single-document update
 * atomically. FerretDB 1.x read, changed and wrote back whole documents with nothing in between,
 * so concurrent updates lost each other's changes (100 `$inc` of one document applied 12); the
 * embedded build runs one update of a collection at a time (shared/src/db/embedded/ferretdb-patch.ts).
 * The services count writes under way with `$inc`, flag calendars for sync while a claim updates
 * the same document, and claim a sync with a compare-and-set of its generation.
 */
describe('concurrent updates of one document', () => {
  let docs: ReturnType<Awaited<ReturnType<typeof useTestDatabase>>['conn']['collection']>;

  beforeAll(async () => {
    const { conn } = await useTestDatabase('concurrent_updates');
    docs = conn.collection('counters');
  });

  it('every $inc counts, whether sent as update or findAndModify', async () => {
    await docs.insertOne({ _id: 'c1' as never, a: 0, b: 0 });
    await Promise.all(
      Array.from({ length: 90 }, (_, i) =>
        i % 3 === 0
          ? docs.findOneAndUpdate({ _id: 'c1' as never }, { $inc: { b: 1 } })
          : docs.updateOne({ _id: 'c1' as never }, { $inc: { a: 1 } }),
      ),
    );
    expect(await docs.findOne({ _id: 'c1' as never })).toEqual({ _id: 'c1', a: 60, b: 30 });
  });

  it('updates of different fields all land, and none brings back a field another removed', async () => {
    await docs.insertOne({ _id: 'c2' as never, pending: false, gone: 'x' });
    await Promise.all([
      ...Array.from({ length: 40 }, (_, i) => docs.updateOne({ _id: 'c2' as never }, { $set: { [`f${i}`]: i } })),
      docs.updateOne({ _id: 'c2' as never }, { $unset: { gone: '' } }),
      docs.updateOne({ _id: 'c2' as never }, { $set: { pending: true } }),
    ]);
    const doc = (await docs.findOne({ _id: 'c2' as never }))!;
    expect(Object.keys(doc).filter((k) => k.startsWith('f'))).toHaveLength(40);
    expect(doc).toMatchObject({ pending: true });
    expect(doc).not.toHaveProperty('gone');
  });

  it('a compare-and-set raced by many matches once (how a sync is claimed)', async () => {
    await docs.insertOne({ _id: 'c3' as never, generation: 0 });
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        docs.updateOne({ _id: 'c3' as never, generation: 0 }, { $set: { generation: 1, owner: i } }),
      ),
    );
    const winners = results.flatMap((r, i) => (r.modifiedCount === 1 ? [i] : []));
    expect(winners).toHaveLength(1);
    expect(await docs.findOne({ _id: 'c3' as never })).toEqual({ _id: 'c3', generation: 1, owner: winners[0] });
  });
});
