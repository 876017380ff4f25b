import { Router } from 'express';
import { sendProblem } from './errors.js';
import { unavailable } from './problem.js';

export interface HealthOptions {
  /** Resolves when the database answers; rejects or times out otherwise. */
  ping: () => Promise<void>;
  timeoutMs?: number;
}

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** `/healthz`: the process is alive. `/readyz`: the database answers a ping, else 503. */
export function healthRoutes({ ping, timeoutMs = 2000 }: HealthOptions): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', (_req, res) => {
    withTimeout(ping(), timeoutMs).then(
      () => res.json({ status: 'ready', database: 'ok' }),
      () => sendProblem(res, unavailable('The database does not answer.')),
    );
  });
  return router;
}
