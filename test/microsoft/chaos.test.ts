import { describe, expect, it } from 'vitest';
import { reconcileAll } from '@cadence/scheduling/sync/reconcile';
import { cancelUnderChaos, secondReplica, spreader } from '../providers/replicas.js';
import { microsoftOrg, microsoftSeries, microsoftSetup, typesAt } from './support.js';

const s = await microsoftSetup('microsoft_chaos');

// a second replica on the same database; Graph's notifications (and validation handshakes) alternate between the two
const { replica, server: server2 } = await secondReplica(s.h.dbName, { now: s.clock.now, microsoft: s.settings });
s.settings.MICROSOFT_NOTIFICATION_URL = `${await spreader([s.server, server2])}/hooks/microsoft`;

const settle = async () => {
  await s.emulator.flushNotifications();
  await Promise.all([s.h.sync.drain(), replica.sync.drain()]);
  await new Promise((r) => setTimeout(r, 300));
};

describe('Outlook under chaos, with two replicas', () => {
  it('turns every cancellation into exactly one webhook despite 20 % throttled calls and 20 % lost notifications', async () => {
    const { org, manager, rep, path, userId } = await microsoftOrg(s, 'Acme', 'chaos');
    const series = await microsoftSeries(org, manager.id, rep.id);
    const keys = (
      (await org.api.get(`/v1/series/${series.id}/occurrences?from=2026-10-19&to=2026-12-31`).expect(200)).body.items as {
        key: string;
      }[]
    ).map((o) => o.key);
    expect(keys.length).toBeGreaterThanOrEqual(10);
    await cancelUnderChaos(keys.slice(0, 10), {
      cancel: (key) => s.emulator.cancelOccurrence(userId, series.calendar.eventId, key),
      chaos: (on) =>
        s.emulator.setChaos(
          on
            ? { apiErrorRate: 0.2, notificationDropRate: 0.2, retryAfterSeconds: 1 }
            : { apiErrorRate: 0, notificationDropRate: 0 },
        ),
      settle,
      reconciles: [() => reconcileAll(s.h.ctx.models, s.h.sync), () => reconcileAll(replica.ctx.models, replica.sync)],
      delivered: () => typesAt(s, path).filter((t) => t === 'occurrence.cancelled').length,
    });
    const received = s.receiver.at(path).filter((r) => r.body.includes('"occurrence.cancelled"'));
    expect(received).toHaveLength(10);
    expect(new Set(received.map((r) => r.id)).size).toBe(10);
    const events = await s.h.ctx.models.Outbox.find({ seriesId: series.id, type: 'occurrence.cancelled' }).lean();
    expect(events.map((e) => e.occurrenceKey).sort()).toEqual(keys.slice(0, 10).sort());
    expect(s.emulator.calls.some((c) => c.status === 429 || c.status === 503)).toBe(true);
  }, 120_000);

  it('renews a subscription once when both replicas try at the same moment', async () => {
    const { userId } = await microsoftOrg(s, 'Acme', 'tworenew');
    const [sub] = s.emulator.subscriptions().filter((x) => x.userId === userId);
    // 60 of its 70 hours later: inside the 12-hour renewal margin
    s.clock.advance(60 * 3600_000);
    const before = s.emulator.calls.length;
    await Promise.all([
      s.h.microsoft!.renewSubscriptions(),
      replica.microsoft!.renewSubscriptions(),
      s.h.microsoft!.renewSubscriptions(),
    ]);
    const patches = s.emulator.calls.slice(before).filter((c) => c.method === 'PATCH' && c.path.endsWith(sub!.id));
    expect(patches).toHaveLength(1);
    expect(s.emulator.subscriptions().filter((x) => x.userId === userId)).toHaveLength(1);
  });
});
