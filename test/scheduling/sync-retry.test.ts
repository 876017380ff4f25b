import { describe, expect, it } from 'vitest';
import { schedulingModels } from '@cadence/scheduling/context';
import type { ConnectionDoc } from '@cadence/scheduling/connections/models';
import type { CalendarSyncer } from '@cadence/scheduling/sync/scheduler';
import { useTestDatabase } from '../harness/database.js';
import { activeConnections, schedulerWith } from './sync-support.js';

/**
 * A sync that fails (the provider or the database, after the calls' own retries) is run again
 * soon, then less and less often; requests in between do not hurry it; a success starts afresh.
 */
describe('a sync that fails', () => {
  it('runs again after 5 s, 10 s, 20 s, and after a success is back to normal', async () => {
    const { conn } = await useTestDatabase('sync_retry');
    const models = schedulingModels(conn);
    let now = new Date('2026-10-01T12:00:00Z');
    const later = (ms: number) => (now = new Date(now.getTime() + ms));
    const connection = { _id: 'con_flaky', organizationId: 'org_1', provider: 'google' } as ConnectionDoc;
    await activeConnections(models, [connection._id]);
    const calls: Date[] = [];
    const syncer: CalendarSyncer = {
      sync: () => {
        calls.push(now);
        return calls.length <= 3
          ? Promise.reject(new Error(`Google answered 503 (${calls.length})`))
          : Promise.resolve('cursor-ok');
      },
    };
    const { scheduler, logs } = schedulerWith(models, syncer, () => now, { leaseMs: 10_000 });
    scheduler.start();
    const state = async () => (await models.SyncStates.findById(connection._id).lean())!;
    const syncNow = async () => {
      await scheduler.request(connection);
      await scheduler.drain();
    };

    await syncNow();
    expect(calls).toHaveLength(1);
    expect(await state()).toMatchObject({ failures: 1, pending: true, retryAt: new Date(now.getTime() + 5_000) });
    // a notification during the wait does not hurry it
    later(4_999);
    await syncNow();
    expect(calls).toHaveLength(1);

    for (const [wait, failures, next] of [
      [1, 2, 10_000],
      [10_000, 3, 20_000],
    ] as const) {
      later(wait);
      await syncNow();
      expect(await state()).toMatchObject({ failures, retryAt: new Date(now.getTime() + next) });
    }
    later(20_000);
    await syncNow();
    expect(calls).toHaveLength(4);
    expect(await state()).toMatchObject({ failures: 0, retryAt: null, cursor: 'cursor-ok', lastError: null });
    await scheduler.stop();
    expect(logs.text()).toContain('sync failed; will retry');
  });
});
