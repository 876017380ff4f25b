import { afterAll, describe, expect, it } from 'vitest';
import { connectDatabase, ensureIndexes } from '@cadence/shared/db';
import { testMongoUri, uniqueDbName } from '../harness/database.js';
import { serve } from '../harness/http.js';
import { schedulingHarness } from '../harness/scheduling.js';
import { TcpProxy } from '../harness/tcp-proxy.js';
import { eventually, WebhookReceiver } from '../harness/webhook-receiver.js';
import { cancel, DOMAIN_NOW, KEYS, subscribe, weeklySeries } from '../webhooks/support.js';

/**
 * The database goes away under steady load and comes back: requests fail fast with 503
 * problem+json (not hang, not crash), /readyz says 503, and afterwards everything works again by
 * itself with no webhook event lost.
 */
const proxy = TcpProxy.forMongoUri(testMongoUri());
await proxy.start();
const dbName = uniqueDbName('outage');
const conn = await connectDatabase(proxy.uri(), dbName, { serverSelectionTimeoutMS: 1000 });
afterAll(async () => {
  await proxy.start().catch(() => undefined);
  await conn.dropDatabase().catch(() => undefined);
  await conn.close(true);
  await proxy.stop();
});
const h = await schedulingHarness('outage', {
  database: { conn, dbName },
  now: DOMAIN_NOW,
  webhooks: {
    retrySchedule: [0, 200, 500, 1000, 2000],
    allowHttpLoopback: true,
    pollIntervalMs: 50,
    timeoutMs: 2000,
    leaseMs: 5000,
  },
});
await ensureIndexes(conn);
const server = await serve(h.app);
const workers = h.webhooks.start();
afterAll(() => workers.stop());
const receiver = await WebhookReceiver.start();

describe('a database outage under load', () => {
  it('answers 503 quickly during the outage and recovers by itself without losing an event', async () => {
    const org = await h.newOrg('Acme');
    const { seriesId } = await weeklySeries(org);
    await subscribe(org, `${receiver.url}/outage`, ['occurrence.*']);
    await cancel(org, seriesId, KEYS[0]!);

    // steady load while the database disappears
    let stop = false;
    const statuses: number[] = [];
    const load = (async () => {
      while (!stop) {
        const started = Date.now();
        const res = await fetch(`${server.url}/v1/series/${seriesId}`, { headers: { authorization: `Bearer ${org.key}` } });
        statuses.push(res.status);
        expect(Date.now() - started).toBeLessThan(5000);
        if (res.status === 503) expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    await new Promise((r) => setTimeout(r, 300));
    // a cancellation whose delivery is still in the outbox when the database goes away
    await cancel(org, seriesId, KEYS[1]!);
    await proxy.stop();
    await eventually(
      '503 from /readyz',
      async () => ((await fetch(`${server.url}/readyz`)).status === 503 ? true : undefined),
      10_000,
    );
    await eventually('503 under load', () => (statuses.includes(503) ? true : undefined), 10_000);
    const during = await fetch(`${server.url}/v1/local-calendar/series/${seriesId}/occurrences/${KEYS[2]}/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${org.key}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(during.status).toBe(503);
    expect(await during.json()).toMatchObject({ status: 503, title: 'Service Unavailable' });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    await proxy.start();
    // within seconds, or ~15 s when the driver's monitor stalled and the watchdog reconnects
    // (shared/src/db/monitor-watchdog.ts)
    await eventually(
      'ready again',
      async () => ((await fetch(`${server.url}/readyz`)).status === 200 ? true : undefined),
      35_000,
    );
    await eventually('requests succeed again', () => (statuses.at(-1) === 200 ? true : undefined), 20_000);
    stop = true;
    await load;
    expect(statuses[0]).toBe(200);

    // the change refused during the outage can be made now, and every event reaches the receiver once
    await cancel(org, seriesId, KEYS[2]!);
    const ids = await eventually(
      'three cancellations delivered',
      () => {
        const got = receiver.at('/outage').map((r) => r.id);
        return new Set(got).size >= 3 ? got : undefined;
      },
      30_000,
    );
    const events = await h.ctx.models.Outbox.find({ seriesId, type: 'occurrence.cancelled' }).lean();
    expect(new Set(ids)).toEqual(new Set(events.map((e) => e._id)));
  }, 120_000);
});
