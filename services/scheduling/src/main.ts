import { loadConfigOrExit, schedulingConfigSchema } from '@cadence/shared/config';
import { secretsKeyFrom } from '@cadence/shared/crypto';
import { createLogger } from '@cadence/shared/logging';
import { bootService, every } from '@cadence/shared/process';
import { googleSettingsFrom } from './calendars/google/client.js';
import { microsoftSettingsFrom } from './calendars/microsoft/settings.js';
import { startRecordedKeysBuild } from './occurrences/recorded-keys.js';
import { reconcileAll } from './sync/reconcile.js';
import { createSchedulingApp } from './app.js';
import { startOutboxRelay } from './outbox/relay-worker.js';
import { startWebhookRetention } from './outbox/retention.js';
import { webhookSettingsFrom } from './webhooks/settings.js';

const config = loadConfigOrExit('scheduling', schedulingConfigSchema);
const logger = createLogger({ service: 'scheduling', level: config.LOG_LEVEL });

bootService({
  service: 'scheduling',
  logger,
  database: config,
  dbName: config.SCHEDULING_DB_NAME,
  host: config.SCHEDULING_HOST,
  port: config.SCHEDULING_PORT,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  build: async ({ conn, metrics }) => {
    const { app, ctx, webhooks, sync, google, microsoft } = createSchedulingApp({
      conn,
      logger,
      metrics,
      publicUrl: config.SCHEDULING_PUBLIC_URL,
      webhooks: webhookSettingsFrom(config),
      secretsKey: secretsKeyFrom(config.SECRETS_KEY),
      internalToken: config.INTERNAL_TOKEN,
      agendaUrl: config.AGENDA_URL,
      google: googleSettingsFrom(config),
      microsoft: microsoftSettingsFrom(config),
      sync: { pollMs: config.SYNC_POLL_INTERVAL_MS, leaseMs: config.SYNC_LEASE_MS, concurrency: config.SYNC_CONCURRENCY },
      cadence: { streakBrokenMinWeeks: config.STREAK_BROKEN_MIN_WEEKS },
    });
    const relay = startOutboxRelay(ctx.models, logger, config.OUTBOX_RELAY_INTERVAL_MS);
    // webhook workers stop first: their last writes need the relay's database still open
    sync.start();
    const calendars = [
      { stop: () => sync.stop() },
      ...(google ? [every('google-channels', 10 * 60_000, google.renewChannels, logger)] : []),
      ...(microsoft ? [every('microsoft-subscriptions', 10 * 60_000, microsoft.renewSubscriptions, logger)] : []),
      ...(google || microsoft
        ? [every('reconcile', config.RECONCILE_INTERVAL_MS, () => reconcileAll(ctx.models, sync), logger)]
        : []),
    ];
    const retention = startWebhookRetention(ctx.models, webhooks.models, config.WEBHOOK_RETENTION, logger);
    const recordedKeys = startRecordedKeysBuild(ctx.models, logger);
    return { app, workers: [...calendars, webhooks.start(), relay, retention, recordedKeys] };
  },
}).catch((err: unknown) => {
  logger.fatal({ err }, 'scheduling failed to start');
  process.exit(1);
});
