import { z } from 'zod';
import { databaseEnvSchema, requireDatabaseInProduction } from './database.js';
import { dbName, host, httpUrl, logLevel, nodeEnv, port, positiveMs } from './fields.js';

const secret = (what: string) => z.string().min(32, `must be at least 32 characters (${what})`).optional();

/** Unset in development and tests (a per-process fallback is used); production must set them. */
const REQUIRED_IN_PRODUCTION = ['INTERNAL_TOKEN', 'AGENDA_PUBLIC_URL', 'AGENDA_CSRF_SECRET'] as const;

export const agendaConfigSchema = requireDatabaseInProduction(
  z.object({
    NODE_ENV: nodeEnv,
    LOG_LEVEL: logLevel,
    AGENDA_HOST: host('127.0.0.1'),
    AGENDA_PORT: port(3002),
    AGENDA_DB_NAME: dbName('cadence_agenda'),
    SCHEDULING_URL: httpUrl.default('http://127.0.0.1:3001'),
    SHUTDOWN_TIMEOUT_MS: positiveMs(10_000),
    /** Shared with the scheduling service: service-to-service calls in both directions. */
    INTERNAL_TOKEN: secret('shared with the scheduling service'),
    /** Base of the agenda links put in invites, e.g. https://agenda.example.com. */
    AGENDA_PUBLIC_URL: httpUrl.optional(),
    /** Keys the CSRF tokens of the agenda pages; every replica needs the same one. */
    AGENDA_CSRF_SECRET: secret('signs the agenda pages’ form tokens'),
    HOMEWORK_OVERDUE_SWEEP_INTERVAL_MS: positiveMs(60_000),
    /** How long a verified API key is trusted before the scheduling service is asked again. */
    API_KEY_CACHE_TTL_MS: positiveMs(30_000),
    /**
     * How long agenda reads (scheduling's series and occurrence, the agenda, its homework) are
     * reused; this replica's writes show at once, another replica's within this time. 0: off.
     */
    AGENDA_READ_CACHE_MS: z.coerce.number().int().min(0).default(1_000),
    /** Cadence reports flag pairs and managers whose adherence is below this percentage. */
    REPORT_ADHERENCE_THRESHOLD: z.coerce
      .number({ error: 'must be a percentage 0-100' })
      .min(0, 'must be a percentage 0-100')
      .max(100, 'must be a percentage 0-100')
      .default(80),
    /**
     * How long what a cadence report read (occurrences, agendas, homework) is reused for the same
     * organization, range and filter; figures are still recomputed per request. 0: off.
     */
    REPORT_CACHE_MS: z.coerce.number().int().min(0).default(30_000),
    ...databaseEnvSchema.shape,
  }),
).superRefine((cfg, ctx) => {
  if (cfg.NODE_ENV !== 'production') return;
  for (const name of REQUIRED_IN_PRODUCTION) {
    if (cfg[name] === undefined) ctx.addIssue({ code: 'custom', path: [name], message: 'is required when NODE_ENV=production' });
  }
});
export type AgendaConfig = z.infer<typeof agendaConfigSchema>;
