import { z } from 'zod';
import { databaseEnvSchema, requireDatabaseInProduction } from './database.js';
import { dbName, host, httpUrl, logLevel, nodeEnv, port, positiveMs } from './fields.js';

export const schedulingConfigSchema = requireDatabaseInProduction(
  z.object({
    NODE_ENV: nodeEnv,
    LOG_LEVEL: logLevel,
    SCHEDULING_HOST: host('127.0.0.1'),
    SCHEDULING_PORT: port(3001),
    SCHEDULING_DB_NAME: dbName('cadence_scheduling'),
    SHUTDOWN_TIMEOUT_MS: positiveMs(10_000),
    /** Base of links Cadence hands out (feeds); unset: taken from each request's Host. */
    SCHEDULING_PUBLIC_URL: httpUrl.optional(),
    OUTBOX_RELAY_INTERVAL_MS: positiveMs(5_000),
    ...databaseEnvSchema.shape,
  }),
);
export type SchedulingConfig = z.infer<typeof schedulingConfigSchema>;
