import type { Express } from 'express';
import type { Connection } from 'mongoose';
import { pingDatabase } from '@cadence/shared/db';
import { createServiceApp, finishServiceApp, type MetricsRegistry } from '@cadence/shared/http';
import type { Logger } from '@cadence/shared/logging';

export interface SchedulingDeps {
  conn: Connection;
  logger: Logger;
  metrics: MetricsRegistry;
}

/** The scheduling service's HTTP app, built from injected dependencies (tests use it directly). */
export function createApp(deps: SchedulingDeps): Express {
  const app = createServiceApp({ logger: deps.logger, metrics: deps.metrics, ping: () => pingDatabase(deps.conn) });
  return finishServiceApp(app, deps.logger);
}
