import { z } from 'zod';
import { httpUrl, positiveMs } from './fields.js';

const both = (a: string, b: string) => (cfg: Record<string, unknown>) => (cfg[a] === undefined) === (cfg[b] === undefined);

/**
 * Google Calendar. The provider is enabled when a client id and secret are set; the URLs default
 * to Google's and are pointed at the loopback emulator in tests.
 */
export const googleEnvSchema = z.object({
  GOOGLE_CLIENT_ID: z.string().min(1).optional(),
  GOOGLE_CLIENT_SECRET: z.string().min(1).optional(),
  /** Where Google sends the browser back after consent: `<public URL>/v1/connections/google/callback`. */
  GOOGLE_REDIRECT_URL: httpUrl.optional(),
  /** Public HTTPS address of `POST /hooks/google` for push notifications. */
  GOOGLE_WEBHOOK_URL: httpUrl.optional(),
  GOOGLE_API_ROOT_URL: httpUrl.default('https://www.googleapis.com/'),
  GOOGLE_TOKEN_URL: httpUrl.default('https://oauth2.googleapis.com/token'),
  GOOGLE_AUTH_URL: httpUrl.default('https://accounts.google.com/o/oauth2/v2/auth'),
  GOOGLE_CHANNEL_TTL_SECONDS: z.coerce.number().int().min(60).max(604_800).default(604_800),
  /** Renew a channel when less than this is left of it. */
  GOOGLE_CHANNEL_RENEW_BEFORE_MS: positiveMs(24 * 3600_000),
  /** Each call to Google (API or token endpoint) is given up after this and retried like a dropped one. */
  GOOGLE_REQUEST_TIMEOUT_MS: positiveMs(30_000),
});

export const googleEnvRefinement = {
  check: both('GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET'),
  issue: { path: ['GOOGLE_CLIENT_SECRET'], message: 'set GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET together' },
};

/**
 * Microsoft Graph (Outlook). Enabled when a client id and secret are set; the authority and Graph
 * URLs default to Microsoft's and are pointed at the loopback emulator in tests.
 */
export const microsoftEnvSchema = z.object({
  MICROSOFT_CLIENT_ID: z.string().min(1).optional(),
  MICROSOFT_CLIENT_SECRET: z.string().min(1).optional(),
  /** `common` (any work, school or personal account), `organizations`, `consumers`, or one tenant id / domain. */
  MICROSOFT_TENANT: z
    .string()
    .regex(/^[A-Za-z0-9.-]{1,100}$/, 'must be common, organizations, consumers, a tenant id or a domain')
    .default('common'),
  /** Where Microsoft sends the browser back after consent: `<public URL>/v1/connections/microsoft/callback`. */
  MICROSOFT_REDIRECT_URL: httpUrl.optional(),
  /** Public HTTPS address of `POST /hooks/microsoft` (change and lifecycle notifications). */
  MICROSOFT_NOTIFICATION_URL: httpUrl.optional(),
  MICROSOFT_AUTHORITY_URL: httpUrl.default('https://login.microsoftonline.com'),
  MICROSOFT_GRAPH_URL: httpUrl.default('https://graph.microsoft.com'),
  /** Lifetime asked for each subscription; Outlook events allow 4,230 minutes (a little less absorbs clock skew). */
  MICROSOFT_SUBSCRIPTION_MINUTES: z.coerce
    .number({ error: 'must be a whole number of minutes, 45-4230' })
    .int('must be a whole number of minutes, 45-4230')
    .min(45, 'must be a whole number of minutes, 45-4230')
    .max(4230, 'must be a whole number of minutes, 45-4230')
    .default(4200),
  /** Renew a subscription when less than this is left of it. */
  MICROSOFT_SUBSCRIPTION_RENEW_BEFORE_MS: positiveMs(12 * 3600_000),
  /** The calendar view the delta query follows: from this many days back … */
  MICROSOFT_SYNC_PAST_DAYS: z.coerce.number().int().min(0).max(365).default(7),
  /** … to this many days ahead (the reconcile restarts it, so the window moves with time). */
  MICROSOFT_SYNC_FUTURE_DAYS: z.coerce.number().int().min(7).max(1825).default(180),
  /** Each call to Microsoft (Graph or token endpoint) is given up after this and retried like a dropped one. */
  MICROSOFT_REQUEST_TIMEOUT_MS: positiveMs(30_000),
});

export const microsoftEnvRefinement = {
  check: both('MICROSOFT_CLIENT_ID', 'MICROSOFT_CLIENT_SECRET'),
  issue: { path: ['MICROSOFT_CLIENT_SECRET'], message: 'set MICROSOFT_CLIENT_ID and MICROSOFT_CLIENT_SECRET together' },
};

/** Settings every provider's sync machinery shares. */
export const syncEnvSchema = z.object({
  /** Periodic full reconcile of every active series, the safety net for missed notifications. */
  RECONCILE_INTERVAL_MS: positiveMs(3600_000),
  /** How often a replica looks for calendars due a sync (notifications also wake it at once). */
  SYNC_POLL_INTERVAL_MS: positiveMs(1000),
  /** How long a claimed sync may run before another replica may take it over. */
  SYNC_LEASE_MS: positiveMs(60_000),
  /**
   * Calendars one replica syncs at once. Their pipelines' commands go gathered (shared/src/db/gathered.ts):
   * the more run at once, the fewer commands a burst costs (200 cancellations: 2,934 at 4, 1,990 at 16).
   */
  SYNC_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(16),
});

export type GoogleEnv = z.infer<typeof googleEnvSchema>;
export type SyncEnv = z.infer<typeof syncEnvSchema>;
export type MicrosoftEnv = z.infer<typeof microsoftEnvSchema>;
