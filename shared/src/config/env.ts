import type { Env } from './load.js';

/**
 * The one place that reads the process environment. Everything else receives typed config, so
 * tests can build configs without touching globals.
 */
export function processEnv(): Env {
  return { ...process.env };
}
