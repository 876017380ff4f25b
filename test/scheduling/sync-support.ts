import type { SchedulingModels } from '@cadence/scheduling/context';
import { SyncScheduler, type CalendarSyncer, type SyncSchedulerOptions } from '@cadence/scheduling/sync/scheduler';
import { capturingLogger } from '../harness/capture-logs.js';

/** Active Google connections, as the scheduler reads them (no tokens: the syncer is the test's). */
export async function activeConnections(models: SchedulingModels, ids: string[], organizationId = 'org_1'): Promise<void> {
  for (const _id of ids)
    await models.Connections.collection.insertOne({ _id: _id as never, organizationId, provider: 'google', status: 'active' });
}

/** A sync scheduler on the test's database with `syncer` for Google, its logs captured. */
export function schedulerWith(
  models: SchedulingModels,
  syncer: CalendarSyncer,
  now: () => Date,
  opts: Pick<SyncSchedulerOptions, 'leaseMs' | 'concurrency'>,
) {
  const logs = capturingLogger('scheduling');
  const scheduler = new SyncScheduler(models.SyncStates, models.Connections, new Map([['google', syncer]]), logs.logger, now, {
    pollMs: 60_000,
    onReauthRequired: async () => undefined,
    ...opts,
  });
  return { scheduler, logs };
}
