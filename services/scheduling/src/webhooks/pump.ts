import type { Logger } from '@cadence/shared/logging';
import { every, type Stoppable } from '@cadence/shared/process';

export interface Pump extends Stoppable {
  /** Run the tick soon (again, if one is running: what it read may already be stale). */
  kick: () => void;
}

/**
 * A periodic worker that can also be woken when there is work, without running two ticks at once.
 * `burstGapMs`: when it was woken again while a tick ran (work is arriving faster than ticks end),
 * the next tick waits this long and takes what came meanwhile in one go; a tick costs several
 * database commands however little it carries. A wake-up on a quiet worker runs at once.
 */
export function pump(name: string, intervalMs: number, tick: () => Promise<unknown>, logger: Logger, burstGapMs = 0): Pump {
  let again = false;
  let stopped = false;
  let endPause: (() => void) | undefined;
  const pause = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, burstGapMs);
      endPause = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => (endPause = undefined));
  const loop = async () => {
    do {
      again = false;
      await tick();
      if (again && burstGapMs > 0 && !stopped) await pause();
    } while (again && !stopped);
  };
  const worker = every(name, intervalMs, loop, logger);
  return {
    stop: async () => {
      stopped = true;
      endPause?.();
      await worker.stop();
    },
    kick: () => {
      again = true;
      void worker.runNow();
    },
  };
}
