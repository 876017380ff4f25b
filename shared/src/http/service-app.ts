import express, { type Express } from 'express';
import type { Logger } from 'pino';
import { errorHandler, notFoundHandler } from './errors.js';
import { healthRoutes } from './health.js';
import { httpMetrics, metricsEndpoint, type MetricsRegistry } from './metrics.js';
import { requestContext } from './request-context.js';

export interface ServiceAppOptions {
  logger: Logger;
  metrics: MetricsRegistry;
  /** Resolves when the database answers; drives `/readyz`. */
  ping: () => Promise<void>;
  /** JSON body size limit. */
  bodyLimit?: string;
}

/**
 * The common front of both services: request ids and logging, metrics, JSON bodies, health and
 * metrics endpoints. The service mounts its routes, then calls `finishServiceApp`.
 */
export function createServiceApp(opts: ServiceAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(requestContext(opts.logger));
  app.use(httpMetrics(opts.metrics));
  app.use(express.json({ limit: opts.bodyLimit ?? '256kb' }));
  app.use(healthRoutes({ ping: opts.ping }));
  app.get('/metrics', metricsEndpoint(opts.metrics));
  return app;
}

/** Unknown routes answer 404 problem+json; every error goes through one handler. */
export function finishServiceApp(app: Express, logger: Logger): Express {
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
