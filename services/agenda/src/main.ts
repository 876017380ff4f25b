import { agendaConfigSchema, loadConfigOrExit } from '@cadence/shared/config';
import { createLogger } from '@cadence/shared/logging';
import { bootService } from '@cadence/shared/process';
import { createApp } from './app.js';

const config = loadConfigOrExit('agenda', agendaConfigSchema);
const logger = createLogger({ service: 'agenda', level: config.LOG_LEVEL });

bootService({
  service: 'agenda',
  logger,
  database: config,
  dbName: config.AGENDA_DB_NAME,
  host: config.AGENDA_HOST,
  port: config.AGENDA_PORT,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  build: async ({ conn, metrics }) => ({ app: createApp({ conn, logger, metrics }) }),
}).catch((err: unknown) => {
  logger.fatal({ err }, 'agenda failed to start');
  process.exit(1);
});
