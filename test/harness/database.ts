import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { afterAll, inject } from 'vitest';
import { connectDatabase } from '@cadence/shared/db';

/** The URI of the run's test database (see global-setup.ts). */
export const testMongoUri = () => inject('mongoUri');

/** A database name of this file's own: `t_<label>_<random>`. */
export function uniqueDbName(label: string): string {
  return `t_${label.replace(/[^A-Za-z0-9]/g, '').slice(0, 24)}_${randomBytes(4).toString('hex')}`;
}

/**
 * Connects to a fresh database for this test file and drops it after the file's tests. Extra
 * connections (a second service, a second replica) can share the name via `dbName`.
 */
export async function useTestDatabase(label: string): Promise<{ conn: Connection; dbName: string; uri: string }> {
  const dbName = uniqueDbName(label);
  const uri = testMongoUri();
  const conn = await connectDatabase(uri, dbName);
  afterAll(async () => {
    await conn.dropDatabase().catch(() => undefined);
    await conn.close();
  });
  return { conn, dbName, uri };
}
