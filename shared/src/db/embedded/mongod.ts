import { lookup } from 'node:dns/promises';
import { DryMongoBinary, MongoMemoryServer } from 'mongodb-memory-server-core';
import type { EmbeddedDatabase, Progress } from './types.js';

const DOWNLOAD_HOST = 'fastdl.mongodb.org';

async function reachable(host: string, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const probe = lookup(host).then(
    () => true,
    () => false,
  );
  return Promise.race([probe, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A real `mongod` through mongodb-memory-server: a cached binary, or a download where the
 * download host resolves. Returns undefined (and says why) when neither is possible, without
 * waiting for a download that cannot work.
 */
export async function startMongod(opts: {
  timeoutMs: number;
  progress: Progress;
  dbPath?: string;
}): Promise<EmbeddedDatabase | undefined> {
  const cached = await DryMongoBinary.locateBinary(DryMongoBinary.getEnsuredOptions()).catch(() => undefined);
  if (!cached) {
    if (!(await reachable(DOWNLOAD_HOST, 3000))) {
      opts.progress(`mongod: no cached binary and ${DOWNLOAD_HOST} cannot be reached; skipping`);
      return undefined;
    }
    opts.progress(`mongod: downloading a MongoDB binary (once; cached afterwards)…`);
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`gave up after ${opts.timeoutMs} ms`)), opts.timeoutMs);
  });
  try {
    const server = await Promise.race([
      MongoMemoryServer.create({ instance: { ip: '127.0.0.1', ...(opts.dbPath ? { dbPath: opts.dbPath } : {}) } }),
      timeout,
    ]);
    return {
      kind: 'mongod',
      uri: server.getUri(),
      description: `mongod (mongodb-memory-server) at ${server.getUri()}`,
      stop: async () => {
        await server.stop();
      },
    };
  } catch (err) {
    opts.progress(`mongod: could not start (${(err as Error).message.split('\n')[0]}); skipping`);
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}
