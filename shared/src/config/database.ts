import { z } from 'zod';
import { embeddedDb, mongoUri, positiveMs } from './fields.js';

/** Where MongoDB comes from: MONGODB_URI, else an embedded server (see DESIGN.md, Storage). */
export const databaseEnvSchema = z.object({
  MONGODB_URI: mongoUri,
  EMBEDDED_DB: embeddedDb,
  CADENCE_CACHE_DIR: z.string().min(1).optional(),
  EMBEDDED_DB_DATA_DIR: z.string().min(1).optional(),
  EMBEDDED_MONGOD_TIMEOUT_MS: positiveMs(180_000),
});
export type DatabaseEnv = z.infer<typeof databaseEnvSchema>;

/**
 * Production never runs an embedded database: MONGODB_URI must be set. Checked even when other
 * variables are bad, so one message lists every problem.
 */
export function requireDatabaseInProduction<S extends z.ZodObject>(schema: S) {
  return schema.refine(
    (cfg: Record<string, unknown>) => cfg['NODE_ENV'] !== 'production' || typeof cfg['MONGODB_URI'] === 'string',
    { path: ['MONGODB_URI'], message: 'is required when NODE_ENV=production', when: () => true },
  );
}
