import type { Logger } from '@cadence/shared/logging';
import { every, type Stoppable } from '@cadence/shared/process';

export interface Pump extends Stoppable {
  /** Run the tick soon (again, if one is running: what it read may already be stale). */
  kick: () => void;
}

/** A periodic worker that can also be woken when there is work, without running two ticks at once. */
export function pump(name: string, intervalMs: number, tick: () => Promise<unknown>, logger: Logger): Pump {
  let again = false;
  const loop = async () => {
    do {
      again = false;
      await tick();
    } while (again);
  };
  const worker = every(name, intervalMs, loop, logger);
  return {
    stop: worker.stop,
    kick: () => {
      again = true;
      void worker.runNow();
    },
  };
}
