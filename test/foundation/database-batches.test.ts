import { Schema } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '@cadence/shared/db';
import { uniqueDbName, testMongoUri } from '../harness/database.js';

/**
 * A find answers in one batch unless it asks to page: each further batch is a getMore on a cursor
 * left open meanwhile, which FerretDB serves slowly under concurrency (shared/src/db/connection.ts).
 */
describe('find batches', () => {
  const commands: string[] = [];
  let conn: Awaited<ReturnType<typeof connectDatabase>>;
  let model: ReturnType<typeof compile>;
  const compile = () => conn.model('BatchDoc', new Schema({ _id: String, n: Number }, { collection: 'docs' }));
  const docs = () => model;

  beforeAll(async () => {
    conn = await connectDatabase(testMongoUri(), uniqueDbName('batches'), { monitorCommands: true });
    model = compile();
    conn.getClient().on('commandStarted', (e) => commands.push(e.commandName));
    await docs().insertMany(Array.from({ length: 250 }, (_, i) => ({ _id: `d${String(i).padStart(3, '0')}`, n: i })));
  });
  afterAll(async () => {
    await conn.dropDatabase().catch(() => undefined);
    await conn.close();
  });

  it('a find of more than the driver’s first 101 documents is one command', async () => {
    commands.length = 0;
    const all = await docs().find({}).sort({ _id: 1 }).lean();
    expect(all.map((d) => d.n)).toEqual(Array.from({ length: 250 }, (_, i) => i));
    expect(commands).toEqual(['find']);
  });

  it('a read that pages on purpose keeps its own batch size', async () => {
    commands.length = 0;
    let read = 0;
    for await (const doc of docs().find({}).lean().cursor({ batchSize: 100 })) if (doc) read++;
    expect(read).toBe(250);
    expect(commands.filter((c) => c === 'getMore').length).toBeGreaterThanOrEqual(2);
  });
});
