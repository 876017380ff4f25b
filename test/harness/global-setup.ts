import { rm } from 'node:fs/promises';
import type { TestProject } from 'vitest/node';
import { databaseEnvSchema, parseConfig, processEnv } from '@cadence/shared/config';
import { resolveDatabase, tempDataDir } from '@cadence/shared/db';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
    databaseKind: string;
  }
}

/**
 * Starts the test database once per run with the same resolver as `npm start` (MONGODB_URI,
 * else mongod, else FerretDB) on a fresh data directory; every test file then uses its own
 * database name, so files run in parallel without seeing each other.
 */
export default async function setup(project: TestProject) {
  const env = parseConfig('tests', databaseEnvSchema, processEnv());
  const dataDir = tempDataDir('test-db');
  const db = await resolveDatabase(env, { dataDir, progress: (msg) => process.stdout.write(`[test-db] ${msg}\n`) });
  process.stdout.write(`[test-db] ${db.description}\n`);
  project.provide('mongoUri', db.uri);
  project.provide('databaseKind', db.kind);
  return async () => {
    await db.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
