import { z } from 'zod';
import { DEFAULT_STREAK_BROKEN_MIN_WEEKS, STREAK_CONTEXT_WEEKS } from '../cadence/streaks.js';
import { googleEnvRefinement, googleEnvSchema, microsoftEnvRefinement, microsoftEnvSchema, syncEnvSchema } from './providers.js';
import { databaseEnvSchema, requireDatabaseInProduction } from './database.js';
import { commaList, duration, durationList } from './durations.js';
import { boolean, dbName, host, httpUrl, logLevel, nodeEnv, port, positiveMs } from './fields.js';

/** A base64 AES-256 key: exactly 32 bytes once decoded. */
const secretsKey = z
  .string()
  .refine((v) => /^[A-Za-z0-9+/_-]+={0,2}$/.test(v) && Buffer.from(v, 'base64').length === 32, {
    message: 'must be 32 random bytes in base64 (openssl rand -base64 32)',
  })
  .optional();

const positiveInt = (fallback: number) =>
  z.coerce
    .number({ error: 'must be a positive whole number' })
    .int('must be a positive whole number')
    .positive()
    .default(fallback);

/** A variable production must set (its development fallback is not safe there); checked even when others are bad. */
function requireInProduction<S extends z.ZodObject>(schema: S, variable: string): S {
  return schema.refine((cfg: Record<string, unknown>) => cfg['NODE_ENV'] !== 'production' || cfg[variable] !== undefined, {
    path: [variable],
    message: 'is required when NODE_ENV=production',
    when: () => true,
  });
}

const schedulingEnvSchema = requireDatabaseInProduction(
  z.object({
    NODE_ENV: nodeEnv,
    LOG_LEVEL: logLevel,
    SCHEDULING_HOST: host('127.0.0.1'),
    SCHEDULING_PORT: port(3001),
    SCHEDULING_DB_NAME: dbName('cadence_scheduling'),
    SHUTDOWN_TIMEOUT_MS: positiveMs(10_000),
    /** Base of links Cadence hands out (feeds); unset: taken from each request's Host. */
    SCHEDULING_PUBLIC_URL: httpUrl.optional(),
    /**
     * The outbox's safety net (events a writer that died had not copied yet; the live path copies
     * at once): each pass reads every document flagged with pending events, which FerretDB answers
     * by reading all occurrences and series — every 5 s that was seconds of its CPU per minute.
     */
    OUTBOX_RELAY_INTERVAL_MS: positiveMs(30_000),
    /** Encrypts secrets at rest (webhook signing secrets, later calendar tokens). */
    SECRETS_KEY: secretsKey,
    /** Shared with the agenda service for `POST /internal/v1/events`; unset outside production: endpoint off. */
    INTERNAL_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
    /** Where the agenda service answers (internal); with INTERNAL_TOKEN, new series get their agenda link at once. */
    AGENDA_URL: httpUrl.optional(),
    /** Delay before each delivery attempt: the first is the initial send, one attempt per entry. */
    WEBHOOK_RETRY_SCHEDULE: durationList('0,5s,5m,30m,2h,5h,10h,14h,20h,24h'),
    WEBHOOK_TIMEOUT_MS: positiveMs(10_000),
    /**
     * Per subscription, across replicas. A slot is held from the claim until the outcome is
     * recorded, so it also waits on the database: at 10, a burst of 200 events waited ~0.4 s for
     * slots on this 2-core machine while the receiver answered in ~7 ms (README, Benchmarks).
     */
    WEBHOOK_MAX_IN_FLIGHT: positiveInt(32),
    WEBHOOK_POLL_INTERVAL_MS: positiveMs(1_000),
    WEBHOOK_FAN_OUT_GAP_MS: positiveMs(100),
    WEBHOOK_FAN_OUT_POLL_MS: positiveMs(200),
    WEBHOOK_LEASE_MS: positiveMs(60_000),
    WEBHOOK_ALLOW_HTTP_LOOPBACK: boolean(false),
    /** CIDR ranges, addresses or host names that may be targeted although private. */
    WEBHOOK_ALLOWED_TARGETS: commaList(''),
    WEBHOOK_DISABLE_AFTER: duration('5d'),
    /** Ended deliveries and fanned-out events are deleted this long after (week-scoped events: a year at least). */
    WEBHOOK_RETENTION: duration('30d'),
    /** An unexcused miss that ends at least this many held weeks in a row raises streak.broken. */
    STREAK_BROKEN_MIN_WEEKS: z.coerce
      .number({ error: `must be a whole number of weeks, 1-${STREAK_CONTEXT_WEEKS}` })
      .int(`must be a whole number of weeks, 1-${STREAK_CONTEXT_WEEKS}`)
      .min(1, `must be a whole number of weeks, 1-${STREAK_CONTEXT_WEEKS}`)
      // the pipeline looks this far back for the streak; a longer minimum could never be seen whole
      .max(STREAK_CONTEXT_WEEKS, `must be a whole number of weeks, 1-${STREAK_CONTEXT_WEEKS}`)
      .default(DEFAULT_STREAK_BROKEN_MIN_WEEKS),
    ...googleEnvSchema.shape,
    ...microsoftEnvSchema.shape,
    ...syncEnvSchema.shape,
    ...databaseEnvSchema.shape,
  }),
)
  .refine(googleEnvRefinement.check, { ...googleEnvRefinement.issue, when: () => true })
  .refine(microsoftEnvRefinement.check, { ...microsoftEnvRefinement.issue, when: () => true })
  .refine((cfg: Record<string, unknown>) => !(cfg['NODE_ENV'] === 'production' && cfg['WEBHOOK_ALLOW_HTTP_LOOPBACK'] === true), {
    path: ['WEBHOOK_ALLOW_HTTP_LOOPBACK'],
    message: 'must not be true when NODE_ENV=production',
    when: () => true,
  })
  .refine(
    (cfg: Record<string, unknown>) =>
      typeof cfg['WEBHOOK_LEASE_MS'] !== 'number' ||
      typeof cfg['WEBHOOK_TIMEOUT_MS'] !== 'number' ||
      cfg['WEBHOOK_LEASE_MS'] > cfg['WEBHOOK_TIMEOUT_MS'],
    // a lease shorter than a send would let another replica send the same delivery meanwhile
    { path: ['WEBHOOK_LEASE_MS'], message: 'must be longer than WEBHOOK_TIMEOUT_MS', when: () => true },
  )
  .refine(
    (cfg: Record<string, unknown>) =>
      !Array.isArray(cfg['WEBHOOK_RETRY_SCHEDULE']) ||
      typeof cfg['WEBHOOK_RETENTION'] !== 'number' ||
      cfg['WEBHOOK_RETENTION'] > (cfg['WEBHOOK_RETRY_SCHEDULE'] as number[]).reduce((a, b) => a + b, 0),
    // a delivery's log and its event must outlive its retries, or a replay of it finds nothing
    { path: ['WEBHOOK_RETENTION'], message: 'must be longer than WEBHOOK_RETRY_SCHEDULE in all', when: () => true },
  );

export const schedulingConfigSchema = requireInProduction(
  requireInProduction(schedulingEnvSchema, 'SECRETS_KEY'),
  'INTERNAL_TOKEN',
);
export type SchedulingConfig = z.infer<typeof schedulingConfigSchema>;
