import type { RequestListener } from 'node:http';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { DatabaseEnv } from '../config/database.js';
import { connectDatabase, ensureIndexes } from '../db/connection.js';
import { resolveDatabase } from '../db/embedded/resolve.js';
import { createMetricsRegistry, type MetricsRegistry } from '../http/metrics.js';
import { startServer } from '../http/server.js';
import { announceListening, onShutdownSignal } from './lifecycle.js';

/** Something that runs in the background (a worker) and must stop before the database closes. */
export interface Stoppable {
  stop: () => Promise<void>;
}

export interface BootOptions {
  service: string;
  logger: Logger;
  database: DatabaseEnv;
  dbName: string;
  host: string;
  port: number;
  shutdownTimeoutMs: number;
  /** Registers models, builds the app and starts the workers. */
  build: (ctx: { conn: Connection; metrics: MetricsRegistry }) => Promise<{ app: RequestListener; workers?: Stoppable[] }>;
}

/**
 * The common `main` of a service: database (embedded when MONGODB_URI is unset), indexes, app,
 * listen, and a SIGTERM path that stops accepting, drains requests, stops workers, closes the
 * database and exits 0 inside the shutdown timeout.
 */
export async function bootService(opts: BootOptions): Promise<void> {
  const { logger } = opts;
  const db = await resolveDatabase(opts.database, { progress: (msg) => logger.info(msg) });
  logger.info({ database: db.kind }, `database: ${db.description}`);
  const conn = await connectDatabase(db.uri, opts.dbName);
  const metrics = createMetricsRegistry(opts.service, { defaultMetrics: true });
  const { app, workers = [] } = await opts.build({ conn, metrics });
  await ensureIndexes(conn);
  const server = await startServer(app, { host: opts.host, port: opts.port });
  logger.info({ url: server.url }, `${opts.service} listening on ${server.url}`);
  announceListening(opts.service, server.url);

  onShutdownSignal(
    async () => {
      // leave a margin inside the timeout for workers and the database
      await server.close(Math.max(opts.shutdownTimeoutMs - 3000, 1000));
      await Promise.all(workers.map((w) => w.stop()));
      await conn.close();
      await db.stop();
    },
    { logger, timeoutMs: opts.shutdownTimeoutMs },
  );
}
