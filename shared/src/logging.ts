export { createLogger, REDACTED_PATHS, type Logger, type LoggerOptions } from './logging/logger.js';
export { contextLogger, currentRequestId, runWithRequestContext } from './logging/context.js';
