import { processEnv } from '@cadence/shared/config';
import { reconcileAll } from '@cadence/scheduling/sync/reconcile';
import { buildFleet, settle } from './support/fleet.js';
import { figure, report } from './support/figures.js';
import { providerDrivers } from './support/providers.js';
import { startStack } from './support/stack.js';

/**
 * Benchmark 4 of issue 9, sync at scale: 1,000 series over 100 connected calendars per provider
 * (BENCH_MANAGERS × BENCH_REPS), then one full reconcile (sync/reconcile.ts: every connection's
 * cursor dropped and a full sync run). Prints how long until every sync finished, the provider
 * API calls it took and the outbox events it wrote (none expected: nothing changed).
 */
export async function run(): Promise<void> {
  const env = processEnv();
  const managers = Number(env.BENCH_MANAGERS ?? 100);
  const reps = Number(env.BENCH_REPS ?? 10);
  const drivers = await providerDrivers(env.BENCH_PROVIDERS);
  const stack = await startStack('sync_scale', () => Object.assign({}, ...drivers.map((d) => d.deps())));
  const { log } = stack;
  try {
    for (const d of drivers) d.serviceListening(stack.server.url);
    stack.startWorkers();
    log(`setting up ${drivers.map((d) => d.name).join(' + ')}: ${managers} calendars × ${reps} series each…`);
    const fleet = await buildFleet(stack, drivers, { managers, reps, eventTypes: ['occurrence.*', 'series.*'] });
    await settle(stack, drivers);

    const { models } = stack.built.ctx;
    const callsBefore = drivers.map((d) => d.apiCalls());
    const eventsBefore = await models.Outbox.countDocuments({});
    log(`reconciling ${fleet.series.length} series…`);
    stack.profile.reset();
    const started = performance.now();
    const connections = await reconcileAll(models, stack.built.sync);
    // every calendar synced: none pending, none leased
    for (;;) {
      await stack.built.sync.drain();
      const busy = await models.SyncStates.countDocuments({ $or: [{ pending: true }, { leaseUntil: { $ne: null } }] });
      if (!busy) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (performance.now() - started) / 1000;
    const calls = drivers.reduce((sum, d, i) => sum + d.apiCalls() - callsBefore[i]!, 0);
    const events = (await models.Outbox.countDocuments({})) - eventsBefore;
    stack.profile.print(log);
    const failed = await models.SyncStates.countDocuments({ lastError: { $ne: null } });
    report(
      'sync-scale',
      {
        reconcileSeconds: figure(seconds, 's'),
        perSeries: figure((seconds * 1000) / fleet.series.length, 'ms'),
        apiCalls: figure(calls, 'calls'),
        apiCallsPerCalendar: figure(calls / connections, 'calls'),
        eventsWritten: figure(events, 'events', '==', 0),
        failedSyncs: figure(failed, 'calendars', '==', 0),
      },
      { providers: drivers.map((d) => d.name), calendars: connections, series: fleet.series.length },
    );
  } finally {
    await stack.close();
    for (const d of drivers) await d.close();
  }
}
