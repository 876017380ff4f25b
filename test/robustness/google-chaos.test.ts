import { describe, expect, it } from 'vitest';
import { reconcileAll } from '@cadence/scheduling/sync/reconcile';
import { googleOrg, googleSeries, googleSetup, typesAt } from '../google/support.js';
import { cancelUnderChaos, secondReplica, spreader } from '../providers/replicas.js';

const s = await googleSetup('google_chaos');

// a second replica on the same database; Google's notifications alternate between the two
const { replica, server: server2 } = await secondReplica(s.h.dbName, { now: s.h.ctx.now, google: s.settings });
s.settings.GOOGLE_WEBHOOK_URL = `${await spreader([s.server, server2])}/hooks/google`;

const settle = async () => {
  await s.emulator.notificationsIdle();
  await Promise.all([s.h.sync.drain(), replica.sync.drain()]);
  await new Promise((r) => setTimeout(r, 300));
};

describe('Google under chaos, with two replicas', () => {
  it('turns every cancellation into exactly one webhook despite 20 % failed calls and 20 % lost notifications', async () => {
    const { org, manager, rep, path } = await googleOrg(s, 'Acme', 'chaos');
    const series = await googleSeries(org, manager.id, rep.id);
    const keys = (
      (await org.api.get(`/v1/series/${series.id}/occurrences?from=2026-10-19&to=2026-12-31`).expect(200)).body.items as {
        key: string;
      }[]
    ).map((o) => o.key);
    expect(keys.length).toBeGreaterThanOrEqual(10);
    await cancelUnderChaos(keys.slice(0, 10), {
      cancel: (key) => void s.emulator.cancelInstance(manager.email, series.calendar.eventId, key),
      chaos: (on) =>
        s.emulator.setChaos(
          on ? { apiErrorRate: 0.2, notificationDropRate: 0.2, seed: 7 } : { apiErrorRate: 0, notificationDropRate: 0 },
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
    expect(s.emulator.calls.some((c) => c.status !== undefined && c.status >= 500)).toBe(true);
  }, 90_000);

  it('renews a channel once when both replicas try at the same moment', async () => {
    const { manager } = await googleOrg(s, 'Acme', 'tworenew');
    const before = s.emulator.channels().filter((c) => c.account === manager.email && c.state === 'active');
    // six days later: the channel has an hour left, inside the one-day renewal margin
    await s.h.ctx.models.Channels.updateOne(
      { _id: before[0]!.id },
      { $set: { expiration: new Date(s.h.ctx.now().getTime() + 3600_000) } },
    );
    await Promise.all([s.h.google!.renewChannels(), replica.google!.renewChannels(), s.h.google!.renewChannels()]);
    const all = s.emulator.channels().filter((c) => c.account === manager.email);
    expect(all).toHaveLength(before.length + 1);
    expect(all.filter((c) => c.state === 'active')).toHaveLength(1);
  });
});
