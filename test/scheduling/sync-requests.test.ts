import { describe, expect, it } from 'vitest';
import { connectDatabase } from '@cadence/shared/db';
import { syncStateModel } from '@cadence/scheduling/sync/models';
import { SyncRequests } from '@cadence/scheduling/sync/requests';
import { testMongoUri, useTestDatabase } from '../harness/database.js';

/**
 * A burst of notifications is a burst of "sync this calendar" requests: each must be stored before
 * its notification is answered, and the burst must not cost a database round trip per request.
 */
describe('sync requests', () => {
  it('stores every request of a burst, those that came during a write together in the next one', async () => {
    const { dbName } = await useTestDatabase('sync_requests');
    // its own connection, to count the commands it sends
    const conn = await connectDatabase(testMongoUri(), dbName, { monitorCommands: true });
    try {
      const States = syncStateModel(conn);
      await States.create({ _id: 'con_0', organizationId: 'org_1', provider: 'google', pending: false });
      const updates: number[] = [];
      conn.getClient().on('commandStarted', (e) => {
        if (e.commandName === 'update') updates.push((e.command.updates as unknown[]).length);
      });
      const at = new Date('2026-11-27T10:00:00Z');
      const requests = new SyncRequests(States, () => at);
      const ids = Array.from({ length: 150 }, (_, i) => `con_${i}`);
      // every calendar once, and the first ten twice (two changes in one calendar)
      await Promise.all(
        [...ids, ...ids.slice(0, 10)].map((_id) => requests.add({ _id, organizationId: 'org_1', provider: 'google' })),
      );
      const states = await States.find({}).lean();
      expect(states).toHaveLength(150);
      expect(states.every((s) => s.pending && s.requestedAt?.getTime() === at.getTime())).toBe(true);
      expect(states.every((s) => s.organizationId === 'org_1' && s.provider === 'google')).toBe(true);
      // the first request alone; the 149 others and the repeats in one command, con_0 again among
      // them (its second request came while its first was being written), the other repeats merged
      expect(updates).toEqual([1, 150]);
    } finally {
      await conn.close();
    }
  });
});
