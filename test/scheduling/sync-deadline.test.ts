import { describe, expect, it } from 'vitest';
import { schedulingModels } from '@cadence/scheduling/context';
import type { ConnectionDoc } from '@cadence/scheduling/connections/models';
import type { CalendarSyncer } from '@cadence/scheduling/sync/scheduler';
import { useTestDatabase } from '../harness/database.js';
import { activeConnections, schedulerWith } from './sync-support.js';

/**
 * A sync whose database or provider call never answers must not hold its calendar, nor the
 * replica's sync loop, for good: it is abandoned at its lease and run again.
 */
describe('a sync that never ends', () => {
  it('is abandoned at its lease, the other calendars sync meanwhile, and it runs again at once', async () => {
    const { conn } = await useTestDatabase('sync_deadline');
    const models = schedulingModels(conn);
    const now = () => new Date('2026-10-01T12:00:00Z'); // a clock that does not move: leases never expire by it
    const ids = ['con_hangs', 'con_fine'];
    await activeConnections(models, ids);
    const calls: string[] = [];
    const syncer: CalendarSyncer = {
      sync: (connection) => {
        calls.push(connection._id);
        // the first sync of con_hangs never ends, as a call nobody answers
        if (connection._id === 'con_hangs' && calls.filter((c) => c === 'con_hangs').length === 1)
          return new Promise(() => undefined);
        return Promise.resolve(`cursor-${calls.length}`);
      },
    };
    // one slot: a hung sync would hold every other calendar
    const { scheduler, logs } = schedulerWith(models, syncer, now, { leaseMs: 300, concurrency: 1 });
    for (const _id of ids) await scheduler.request({ _id, organizationId: 'org_1', provider: 'google' } as ConnectionDoc);
    scheduler.start();
    const started = Date.now();
    await scheduler.drain();
    await scheduler.stop();
    expect(Date.now() - started).toBeLessThan(10_000);

    expect(calls.sort()).toEqual(['con_fine', 'con_hangs', 'con_hangs']);
    const states = await models.SyncStates.find({}).sort({ _id: 1 }).lean();
    expect(states.map((s) => [s._id, s.cursor, s.pending, s.leaseOwner])).toEqual([
      ['con_fine', expect.stringMatching(/^cursor-/), false, null],
      ['con_hangs', expect.stringMatching(/^cursor-/), false, null],
    ]);
    expect(logs.text()).toContain('did not finish within its lease');
  });
});
