import { z } from 'zod';
import { databaseEnvSchema } from './database.js';
import { host, logLevel, port } from './fields.js';

/** `npm start`: one embedded database (unless MONGODB_URI is set) and both services. */
export const launcherConfigSchema = z.object({
  LOG_LEVEL: logLevel,
  SCHEDULING_HOST: host('127.0.0.1'),
  SCHEDULING_PORT: port(3001),
  AGENDA_HOST: host('127.0.0.1'),
  AGENDA_PORT: port(3002),
  /** Shared by both services; a random one is made for this run when unset. */
  INTERNAL_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
  ...databaseEnvSchema.shape,
});
export type LauncherConfig = z.infer<typeof launcherConfigSchema>;
