import { ConfigError, parseConfig, type Env } from './config/load.js';
import { processEnv } from './config/env.js';
import type { z } from 'zod';

export { ConfigError, parseConfig, type Env } from './config/load.js';
export { processEnv } from './config/env.js';
export { schedulingConfigSchema, type SchedulingConfig } from './config/scheduling.js';
export { agendaConfigSchema, type AgendaConfig } from './config/agenda.js';
export { launcherConfigSchema, type LauncherConfig } from './config/launcher.js';
export { databaseEnvSchema, type DatabaseEnv } from './config/database.js';

/**
 * Reads the process environment for a service; on any problem prints one message naming every
 * variable and exits with code 1, before anything else has started.
 */
export function loadConfigOrExit<S extends z.ZodObject>(service: string, schema: S, env: Env = processEnv()): z.infer<S> {
  try {
    return parseConfig(service, schema, env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
export { googleEnvSchema, googleEnvRefinement, syncEnvSchema, type GoogleEnv, type SyncEnv } from './config/providers.js';
