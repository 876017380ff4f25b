import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DatabaseEnv } from '../../config/database.js';
import { startFerretDb } from './ferretdb.js';
import { findRunning } from './running.js';
import { startMongod } from './mongod.js';
import type { EmbeddedDatabase, Progress } from './types.js';

export type { EmbeddedDatabase, Progress } from './types.js';

/** Persistent data for `npm start` lives in the repository's ignored `.cache` folder. */
export const DEFAULT_DATA_DIR = fileURLToPath(new URL('../../../../.cache/embedded-db/', import.meta.url));

export class NoDatabaseError extends Error {
  constructor(tried: string[]) {
    super(
      [
        'No database is available. Tried:',
        ...tried.map((t) => `  - ${t}`),
        'Ways to get one:',
        '  1. set MONGODB_URI to a MongoDB server (docker compose up mongo, Atlas, a local mongod);',
        '  2. let mongodb-memory-server download mongod once (needs internet), or place a binary in its cache;',
        '  3. install Go (1.24+) so FerretDB can be built from the Go module proxy.',
      ].join('\n'),
    );
    this.name = 'NoDatabaseError';
  }
}

export interface ResolveOptions {
  progress: Progress;
  /** Where the embedded server keeps its files; a fresh temp dir for tests. */
  dataDir?: string;
  /** Use the embedded database a running `npm start` announced, instead of starting another (the CLI). */
  preferRunning?: boolean;
}

/**
 * Finds MongoDB for this process: MONGODB_URI when set, else an embedded server — mongod through
 * mongodb-memory-server where it can be had, else FerretDB over SQLite — else a clear error.
 */
/** The data directory the embedded server uses for these settings. */
export const embeddedDataDir = (env: DatabaseEnv) => env.EMBEDDED_DB_DATA_DIR ?? DEFAULT_DATA_DIR;

export async function resolveDatabase(env: DatabaseEnv, opts: ResolveOptions): Promise<EmbeddedDatabase> {
  if (env.MONGODB_URI) {
    return { kind: 'external', uri: env.MONGODB_URI, description: 'MongoDB from MONGODB_URI', stop: async () => {} };
  }
  const cacheDir = env.CADENCE_CACHE_DIR ?? join(homedir(), '.cache', 'cadence');
  const dataDir = opts.dataDir ?? embeddedDataDir(env);
  const tried: string[] = [];
  if (opts.preferRunning) {
    const running = await findRunning(dataDir);
    if (running) return running;
  }

  if (env.EMBEDDED_DB !== 'ferretdb') {
    const mongod = await startMongod({ timeoutMs: env.EMBEDDED_MONGOD_TIMEOUT_MS, progress: opts.progress });
    if (mongod) return mongod;
    tried.push('mongod through mongodb-memory-server (no cached binary, download not possible)');
  }
  if (env.EMBEDDED_DB !== 'mongod') {
    const ferret = await startFerretDb({ cacheDir, dataDir: join(dataDir, 'ferretdb'), progress: opts.progress });
    if (ferret) return ferret;
    tried.push('FerretDB v1.24.2 over SQLite (could not be built or started)');
  }
  throw new NoDatabaseError(tried);
}

export const tempDataDir = (label: string) => join(tmpdir(), `cadence-${label}-${process.pid}-${Date.now()}`);
