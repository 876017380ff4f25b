import { describe, expect, it } from 'vitest';
import { schedulingModels } from '@cadence/scheduling/context';
import type { ConnectionDoc } from '@cadence/scheduling/connections/models';
import type { CalendarSyncer } from '@cadence/scheduling/sync/scheduler';
import { useTestDatabase } from '../harness/database.js';
import { activeConnections, schedulerWith } from './sync-support.js';

/** Until `check` holds, at most `ms`. */
async function until(check: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await new Promise((r) => setTimeout(r, 10)))
    if (await check()) return true;
  return check();
}

/**
 * A calendar flagged while another's sync is slow is synced in a free slot at once, not after the
 * slow one: syncs used to go in rounds, and a round waited for its slowest (up to its lease).
 */
describe('sync slots', () => {
  it('a calendar flagged during a slow sync is synced while the slow one still runs', async () => {
    const { conn } = await useTestDatabase('sync_slots');
    const models = schedulingModels(conn);
    const now = () => new Date();
    await activeConnections(models, ['con_slow', 'con_late']);
    const synced: string[] = [];
    let release = () => undefined as void;
    const held = new Promise<void>((r) => (release = r));
    const syncer: CalendarSyncer = {
      sync: async (connection) => {
        synced.push(connection._id);
        if (connection._id === 'con_slow') await held;
        return `cursor-${connection._id}`;
      },
    };
    const { scheduler } = schedulerWith(models, syncer, now, { leaseMs: 30_000, concurrency: 4 });
    scheduler.start();
    try {
      await scheduler.request({ _id: 'con_slow', organizationId: 'org_1', provider: 'google' } as ConnectionDoc);
      expect(await until(() => synced.includes('con_slow'), 5_000)).toBe(true);

      await scheduler.request({ _id: 'con_late', organizationId: 'org_1', provider: 'google' } as ConnectionDoc);
      const stored = async (id: string) => (await models.SyncStates.findById(id).lean())?.cursor === `cursor-${id}`;
      expect(await until(() => stored('con_late'), 5_000), 'con_late synced while con_slow still runs').toBe(true);
      expect(await models.SyncStates.findById('con_late').lean()).toMatchObject({ pending: false, leaseOwner: null });
      expect(await stored('con_slow')).toBe(false);
    } finally {
      release();
      await scheduler.drain();
      await scheduler.stop();
    }
    const slow = await models.SyncStates.findById('con_slow').lean();
    expect(slow).toMatchObject({ cursor: 'cursor-con_slow', pending: false, leaseOwner: null });
  });
});
