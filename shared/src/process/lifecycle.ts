import type { Logger } from 'pino';

export interface ShutdownOptions {
  logger: Logger;
  /** The whole shutdown must end within this; past it the process exits 1. */
  timeoutMs: number;
}

/**
 * On the first SIGTERM or SIGINT runs `shutdown` once and exits 0; if that takes longer than the
 * timeout the process exits 1 rather than hang.
 */
export function onShutdownSignal(
  shutdown: (signal: NodeJS.Signals) => Promise<void>,
  { logger, timeoutMs }: ShutdownOptions,
): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown took too long; exiting');
      process.exit(1);
    }, timeoutMs).unref();
    shutdown(signal).then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handle);
  process.on('SIGINT', handle);
}

/** Tells a parent that forked this process (the `npm start` launcher) where it listens. */
export function announceListening(service: string, url: string): void {
  process.send?.({ type: 'listening', service, url });
}
