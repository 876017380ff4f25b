import type { Logger } from '@cadence/shared/logging';
import { every, type Stoppable } from '@cadence/shared/process';

export interface Pump extends Stoppable {
  /** Run the tick soon (again, if one is running: what it read may already be stale). */
  kick: () => void;
}

/**
 * A periodic worker that can also be woken when there is work, without running two ticks at once.
 * A kick while idle waits `coalesceMs` first, so work arriving together is one tick: a burst of
 * 200 cancellations made ~190 fan-out passes of one event each (~8 database commands a pass).
 */
export function pump(name: string, intervalMs: number, tick: () => Promise<unknown>, logger: Logger, coalesceMs = 0): Pump {
  let again = false;
  let soon: NodeJS.Timeout | undefined;
  const loop = async () => {
    do {
      again = false;
      await tick();
    } while (again);
  };
  const worker = every(name, intervalMs, loop, logger);
  return {
    stop: async () => {
      clearTimeout(soon);
      await worker.stop();
    },
    kick: () => {
      again = true;
      if (soon) return;
      soon = setTimeout(() => {
        soon = undefined;
        // a tick that was running when kicked has gone round again for it already
        if (again) void worker.runNow();
      }, coalesceMs);
    },
  };
}
