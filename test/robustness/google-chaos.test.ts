import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createSchedulingApp } from '@cadence/scheduling/app';
import { reconcileAll } from '@cadence/scheduling/sync/reconcile';
import { connectDatabase } from '@cadence/shared/db';
import { createMetricsRegistry } from '@cadence/shared/http';
import { googleOrg, googleSeries, googleSetup, typesAt } from '../google/support.js';
import { capturingLogger } from '../harness/capture-logs.js';
import { testMongoUri } from '../harness/database.js';
import { serve } from '../harness/http.js';
import { eventually } from '../harness/webhook-receiver.js';

const s = await googleSetup('google_chaos');

// a second replica of the scheduling service on the same database, with its own workers
const conn2 = await connectDatabase(testMongoUri(), s.h.dbName);
afterAll(() => conn2.close());
const replica = createSchedulingApp({
  conn: conn2,
  logger: capturingLogger('scheduling-2').logger,
  metrics: createMetricsRegistry('scheduling-2'),
  now: s.h.ctx.now,
  google: s.settings,
  sync: { pollMs: 100, leaseMs: 10_000 },
  webhooks: { retrySchedule: [0, 100, 100], allowHttpLoopback: true, pollIntervalMs: 50, timeoutMs: 2000, leaseMs: 5000 },
});
const server2 = await serve(replica.app);
replica.sync.start();
const workers2 = replica.webhooks.start();
afterAll(async () => {
  await replica.sync.stop();
  await workers2.stop();
});

// Google's notifications alternate between the replicas, as a load balancer would spread them
let turn = 0;
const spreader = createServer((req, res) => {
  const target = new URL(req.url ?? '/', turn++ % 2 ? server2.url : s.server.url);
  const upstream = httpRequest(target, { method: req.method, headers: req.headers }, (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers);
    up.pipe(res);
  });
  upstream.on('error', () => res.writeHead(502).end());
  req.pipe(upstream);
});
spreader.listen(0, '127.0.0.1');
await new Promise((r) => spreader.once('listening', r));
afterAll(() => new Promise<void>((r) => spreader.close(() => r())));
s.settings.GOOGLE_WEBHOOK_URL = `http://127.0.0.1:${(spreader.address() as AddressInfo).port}/hooks/google`;

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
    await settle();
    s.emulator.setChaos({ apiErrorRate: 0.2, notificationDropRate: 0.2, seed: 7 });
    try {
      for (const key of keys.slice(0, 10)) {
        s.emulator.cancelInstance(manager.email, series.calendar.eventId, key);
        await new Promise((r) => setTimeout(r, 30));
      }
      await settle();
      // the safety net: a reconcile run on both replicas at once
      await Promise.all([reconcileAll(s.h.ctx.models, s.h.sync), reconcileAll(replica.ctx.models, replica.sync)]);
      await settle();
    } finally {
      s.emulator.setChaos({ apiErrorRate: 0, notificationDropRate: 0 });
    }
    await reconcileAll(s.h.ctx.models, s.h.sync);
    await eventually(
      'ten cancellations delivered',
      () => (typesAt(s, path).filter((t) => t === 'occurrence.cancelled').length >= 10 ? true : undefined),
      30_000,
    );
    await settle();
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
