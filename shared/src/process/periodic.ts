import type { Logger } from 'pino';
import type { Stoppable } from './boot.js';

/**
 * Runs `tick` every `intervalMs` (never two at once), logging failures instead of crashing;
 * `stop()` waits for a running tick to finish.
 */
export function every(
  name: string,
  intervalMs: number,
  tick: () => Promise<unknown>,
  logger: Logger,
): Stoppable & { runNow: () => Promise<void> } {
  let running: Promise<void> | undefined;
  let stopped = false;
  const run = () => {
    if (running || stopped) return running ?? Promise.resolve();
    running = tick()
      .then(
        () => undefined,
        (err: unknown) => logger.warn({ err, worker: name }, 'worker tick failed; will retry'),
      )
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const timer = setInterval(() => void run(), intervalMs);
  timer.unref();
  return {
    runNow: run,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
