import { agendaConfigSchema, loadConfigOrExit } from '@cadence/shared/config';
import { createLogger } from '@cadence/shared/logging';
import { startJournalUpkeep } from '@cadence/shared/db';
import { bootService } from '@cadence/shared/process';
import { createAgendaApp } from './app.js';
import { startOverdueSweep } from './homework/overdue.js';
import { startReportFactsUpkeep } from './reports/facts/repair.js';

const config = loadConfigOrExit('agenda', agendaConfigSchema);
const logger = createLogger({ service: 'agenda', level: config.LOG_LEVEL });

if (!config.INTERNAL_TOKEN) logger.warn('INTERNAL_TOKEN is not set: agenda pages and overdue homework events are unavailable');

bootService({
  service: 'agenda',
  logger,
  database: config,
  dbName: config.AGENDA_DB_NAME,
  host: config.AGENDA_HOST,
  port: config.AGENDA_PORT,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  build: async ({ conn, metrics }) => {
    const { app, ctx } = createAgendaApp({
      conn,
      logger,
      metrics,
      schedulingUrl: config.SCHEDULING_URL,
      internalToken: config.INTERNAL_TOKEN,
      publicUrl: config.AGENDA_PUBLIC_URL,
      csrfSecret: config.AGENDA_CSRF_SECRET,
      apiKeyCacheTtlMs: config.API_KEY_CACHE_TTL_MS,
      reportThreshold: config.REPORT_ADHERENCE_THRESHOLD,
      reportCacheMs: config.REPORT_CACHE_MS,
      readCacheTtlMs: config.AGENDA_READ_CACHE_MS,
    });
    const { Journal, Agendas, Homework, Templates, Links, ReportFacts } = ctx.models;
    const workers = [
      startJournalUpkeep(
        Journal,
        [{ model: Agendas }, { model: Homework }, { model: Templates }, { model: Links }, { model: ReportFacts }],
        logger,
      ),
      startReportFactsUpkeep(ctx, logger),
      ...(config.INTERNAL_TOKEN ? [startOverdueSweep(ctx, logger, config.HOMEWORK_OVERDUE_SWEEP_INTERVAL_MS)] : []),
    ];
    return { app, workers };
  },
}).catch((err: unknown) => {
  logger.fatal({ err }, 'agenda failed to start');
  process.exit(1);
});
