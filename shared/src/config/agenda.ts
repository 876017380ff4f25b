import { z } from 'zod';
import { databaseEnvSchema, requireDatabaseInProduction } from './database.js';
import { dbName, host, httpUrl, logLevel, nodeEnv, port, positiveMs } from './fields.js';

export const agendaConfigSchema = requireDatabaseInProduction(
  z.object({
    NODE_ENV: nodeEnv,
    LOG_LEVEL: logLevel,
    AGENDA_HOST: host('127.0.0.1'),
    AGENDA_PORT: port(3002),
    AGENDA_DB_NAME: dbName('cadence_agenda'),
    SCHEDULING_URL: httpUrl.default('http://127.0.0.1:3001'),
    SHUTDOWN_TIMEOUT_MS: positiveMs(10_000),
    ...databaseEnvSchema.shape,
  }),
);
export type AgendaConfig = z.infer<typeof agendaConfigSchema>;
