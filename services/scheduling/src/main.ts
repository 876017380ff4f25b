import { loadConfigOrExit, schedulingConfigSchema } from '@cadence/shared/config';
import { createLogger } from '@cadence/shared/logging';
import { bootService } from '@cadence/shared/process';
import { createApp } from './app.js';

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
  build: async ({ conn, metrics }) => ({ app: createApp({ conn, logger, metrics }) }),
}).catch((err: unknown) => {
  logger.fatal({ err }, 'scheduling failed to start');
  process.exit(1);
});
