import { afterAll } from 'vitest';
import type { SchedulingDeps } from '@cadence/scheduling/app';
import { startBalancer } from '../harness/balancer.js';
import { serve } from '../harness/http.js';
import { schedulingReplica } from '../harness/scheduling.js';
import { eventually } from '../harness/webhook-receiver.js';

/** A second replica of the scheduling service on the same database, with its own workers (and provider clients). */
export async function secondReplica(dbName: string, deps: Omit<SchedulingDeps, 'conn' | 'logger' | 'metrics'>) {
  const replica = await schedulingReplica(dbName, {
    sync: { pollMs: 100, leaseMs: 10_000 },
    webhooks: { retrySchedule: [0, 100, 100], allowHttpLoopback: true, pollIntervalMs: 50, timeoutMs: 2000, leaseMs: 5000 },
    ...deps,
  });
  const server = await serve(replica.app);
  replica.sync.start();
  const workers = replica.webhooks.start();
  afterAll(async () => {
    await replica.sync.stop();
    await workers.stop();
  });
  return { replica, server };
}

/** A loopback proxy that sends each request to the next of `servers` in turn, as a load balancer would spread them; its base URL. */
export async function spreader(servers: { url: string }[]): Promise<string> {
  const balancer = await startBalancer();
  balancer.setTargets(servers.map((s) => s.url));
  afterAll(() => balancer.close());
  return balancer.url;
}

export interface ChaosRun {
  /** Cancels one occurrence in the provider's calendar, as a person would. */
  cancel: (key: string) => void;
  /** Turns the emulator's chaos (failed calls, lost notifications) on or off. */
  chaos: (on: boolean) => void;
  /** Lets notifications, syncs and deliveries of both replicas finish. */
  settle: () => Promise<void>;
  /** Each replica's reconcile (a full sync of every connection). */
  reconciles: (() => Promise<unknown>)[];
  /** How many occurrence.cancelled webhooks arrived so far. */
  delivered: () => number;
}

/**
 * Cancels each key under chaos, runs the reconcile on every replica at once (the safety net for
 * lost notifications), then once more without chaos, and waits until every cancellation arrived.
 */
export async function cancelUnderChaos(keys: string[], run: ChaosRun): Promise<void> {
  await run.settle();
  run.chaos(true);
  try {
    for (const key of keys) {
      run.cancel(key);
      await new Promise((r) => setTimeout(r, 30));
    }
    await run.settle();
    await Promise.all(run.reconciles.map((reconcile) => reconcile()));
    await run.settle();
  } finally {
    run.chaos(false);
  }
  await run.reconciles[0]!();
  await eventually(`${keys.length} cancellations delivered`, () => (run.delivered() >= keys.length ? true : undefined), 45_000);
  await run.settle();
}
