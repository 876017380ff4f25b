import { Schema, type Connection, type Model } from 'mongoose';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { connectDatabase } from '@cadence/shared/db';
import { deleteByIds, findById, findByIds, Gather, insertOne, updateOne } from '@cadence/shared/db/gathered';
import { isDuplicateKeyError } from '@cadence/shared/http';
import { testMongoUri, useTestDatabase } from '../harness/database.js';

interface Doc {
  _id: string;
  name: string;
  n?: number;
}

/**
 * Calls of many callers made at once go to the database as one command (shared/src/db/gathered.ts),
 * and yet each caller gets what its own command would have given: its documents, its duplicate-key
 * error, its failed update, and its updates applied in the order it made them.
 */
describe('commands gathered from concurrent callers', () => {
  let conn: Connection;
  let Docs: Model<Doc>;
  const commands: string[] = [];

  beforeAll(async () => {
    const { dbName } = await useTestDatabase('gathered');
    // a connection of its own that reports every command it sends
    conn = await connectDatabase(testMongoUri(), dbName, { monitorCommands: true });
    conn.getClient().on('commandStarted', (e) => {
      if (e.command[e.commandName] === 'gathered_docs') commands.push(e.commandName);
    });
    Docs = conn.model<Doc>(
      'GatheredDoc',
      new Schema<Doc>(
        { _id: { type: String, required: true }, name: { type: String, required: true }, n: Number },
        { versionKey: false, strict: false },
      ),
      'gathered_docs',
    );
    await Docs.insertMany(Array.from({ length: 20 }, (_, i) => ({ _id: `d${i}`, name: `doc ${i}`, n: i })));
    return () => conn.close();
  });

  /** What `run` sent, by command name. */
  async function sent<T>(run: () => Promise<T>): Promise<{ result: T; commands: string[] }> {
    commands.length = 0;
    const result = await run();
    return { result, commands: [...commands] };
  }

  it('reads by id asked at once are one read; each caller gets the documents it named', async () => {
    const asked = [['d1', 'd2'], ['d2'], ['d3', 'missing'], ['missing'], ['d19', 'd0']];
    const { result, commands } = await sent(() =>
      Promise.all([...asked.map((ids) => findByIds(Docs, ids)), findById(Docs, 'd7'), findById(Docs, 'nope')]),
    );
    expect(commands).toEqual(['find']);
    const names = result.slice(0, asked.length).map((docs) => (docs as Doc[]).map((d) => d._id).sort());
    expect(names).toEqual([['d1', 'd2'], ['d2'], ['d3'], [], ['d0', 'd19']]);
    expect(result[asked.length]).toMatchObject({ _id: 'd7', name: 'doc 7', n: 7 });
    expect(result[asked.length + 1]).toBeNull();
  });

  it('deletes by id asked at once are one delete of exactly the documents named', async () => {
    await Docs.insertMany(['x1', 'x2', 'x3', 'x4'].map((_id) => ({ _id, name: _id })));
    const { commands } = await sent(() =>
      Promise.all([deleteByIds(Docs, ['x1']), deleteByIds(Docs, ['x2', 'x3']), deleteByIds(Docs, ['x3', 'gone'])]),
    );
    expect(commands).toEqual(['delete']);
    expect((await Docs.find({ _id: /^x/ }).lean()).map((d) => d._id)).toEqual(['x4']);
    expect(await Docs.countDocuments({ _id: /^d/ })).toBe(20);
    await Docs.deleteOne({ _id: 'x4' });
  });

  it('inserts made at once are one insert; a duplicate fails its own call only', async () => {
    const { result, commands } = await sent(() =>
      Promise.allSettled([
        insertOne(Docs, { _id: 'new1', name: 'one' }),
        insertOne(Docs, { _id: 'd5', name: 'a second d5' }),
        insertOne(Docs, { _id: 'new2', name: 'two' }),
      ]),
    );
    expect(commands).toEqual(['insert']);
    expect(result.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(isDuplicateKeyError((result[1] as PromiseRejectedResult).reason)).toBe(true);
    expect(
      (
        await Docs.find({ _id: { $in: ['new1', 'new2', 'd5'] } })
          .sort({ _id: 1 })
          .lean()
      ).map((d) => d.name),
    ).toEqual(['doc 5', 'one', 'two']);
  });

  it('an insert the schema refuses fails alone, before anything is sent', async () => {
    const { result, commands } = await sent(() =>
      Promise.allSettled([insertOne(Docs, { _id: 'unnamed' }), insertOne(Docs, { _id: 'named', name: 'fine' })]),
    );
    expect(commands).toEqual(['insert']);
    expect((result[0] as PromiseRejectedResult).reason).toMatchObject({ name: 'ValidationError' });
    expect(result[1]!.status).toBe('fulfilled');
    expect(await Docs.exists({ _id: 'unnamed' })).toBeNull();
  });

  it('updates made at once are one command, applied in the order they were made', async () => {
    const { commands } = await sent(() =>
      Promise.all([
        updateOne(Docs, { _id: 'd10' }, { $set: { n: 100 } }),
        updateOne(Docs, { _id: 'd10' }, { $inc: { n: 1 } }),
        updateOne(Docs, { _id: 'd11', n: 999 }, { $set: { name: 'not matched' } }),
        updateOne(Docs, { _id: 'up1' }, { $setOnInsert: { name: 'upserted' }, $inc: { n: 1 } }, { upsert: true }),
      ]),
    );
    expect(commands).toEqual(['update']);
    expect(await Docs.findById('d10').lean()).toMatchObject({ n: 101 });
    expect(await Docs.findById('d11').lean()).toMatchObject({ name: 'doc 11' });
    expect(await Docs.findById('up1').lean()).toMatchObject({ name: 'upserted', n: 1 });
  });

  it('an update the server refuses fails its caller, and the calls sent with it (perhaps applied)', async () => {
    const result = await Promise.allSettled([
      updateOne(Docs, { _id: 'd12' }, { $set: { n: 12_000 } }),
      // $inc of a text field: the server refuses this statement
      updateOne(Docs, { _id: 'd13' }, { $inc: { name: 1 } } as never),
    ]);
    expect(result.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((result[1] as PromiseRejectedResult).reason).toMatchObject({ code: 14 });
    expect(await Docs.findById('d13').lean()).toMatchObject({ name: 'doc 13', n: 13 });
    // what comes after is sent on its own and applies
    await updateOne(Docs, { _id: 'd14' }, { $set: { n: 14_000 } });
    expect(await Docs.findById('d14').lean()).toMatchObject({ n: 14_000 });
  });

  it('an update that does not fit the schema fails alone', async () => {
    const result = await Promise.allSettled([
      updateOne(Docs, { _id: 'd15' }, { $set: { n: 'not a number' } } as never),
      updateOne(Docs, { _id: 'd16' }, { $set: { n: 16_000 } }),
    ]);
    expect(result.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
    expect((result[0] as PromiseRejectedResult).reason).toMatchObject({ name: 'CastError' });
    expect(await Docs.findById('d16').lean()).toMatchObject({ n: 16_000 });
  });

  it('calls behind two commands that do not answer are sent after a short wait, not held by them', async () => {
    vi.useFakeTimers();
    try {
      const sent: number[][] = [];
      // a database that never answers these commands
      const stalled = new Gather<number, number>((ops) => {
        sent.push(ops);
        return new Promise(() => undefined);
      });
      void stalled.run(1);
      await vi.advanceTimersByTimeAsync(0);
      void stalled.run(2);
      await vi.advanceTimersByTimeAsync(0);
      void stalled.run(3);
      void stalled.run(4);
      await vi.advanceTimersByTimeAsync(100);
      expect(sent).toEqual([[1], [2]]);
      await vi.advanceTimersByTimeAsync(200);
      expect(sent).toEqual([[1], [2], [3, 4]]);
    } finally {
      vi.useRealTimers();
    }
  });
});
