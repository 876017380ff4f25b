import type { SchedulingModels } from '../context.js';
import type { SyncScheduler } from './scheduler.js';

/**
 * The safety net for notifications that never came (push delivery is not guaranteed): every
 * active connection gets a full sync. Observations are state-based, so what was already seen
 * changes nothing and writes no event.
 */
export async function reconcileAll(models: SchedulingModels, scheduler: SyncScheduler): Promise<number> {
  const active = await models.Connections.find({ status: 'active' }).lean();
  for (const connection of active) {
    await scheduler.resetCursor(connection._id);
    await scheduler.request(connection);
  }
  return active.length;
}
