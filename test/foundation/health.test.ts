import { afterAll, describe, expect, it } from 'vitest';
import { createApp as createAgendaApp } from '@cadence/agenda/app';
import { connectDatabase } from '@cadence/shared/db';
import { createMetricsRegistry } from '@cadence/shared/http';
import { createApp as createSchedulingApp } from '@cadence/scheduling/app';
import { capturingLogger } from '../harness/capture-logs.js';
import { testMongoUri, uniqueDbName } from '../harness/database.js';
import { serve } from '../harness/http.js';
import { TcpProxy } from '../harness/tcp-proxy.js';

const services = { scheduling: createSchedulingApp, agenda: createAgendaApp };

describe.each(Object.entries(services))('%s service health', (service, createApp) => {
  it('answers /healthz and /readyz over HTTP, and /readyz is 503 while the database is unreachable', async () => {
    // the service reaches the database through a proxy the test can cut
    const proxy = TcpProxy.forMongoUri(testMongoUri());
    await proxy.start();
    const conn = await connectDatabase(proxy.uri(), uniqueDbName(service), { serverSelectionTimeoutMS: 1000 });
    afterAll(async () => {
      await conn.close(true);
      await proxy.stop();
    });
    const { logger } = capturingLogger(service);
    const server = await serve(createApp({ conn, logger, metrics: createMetricsRegistry(service) }));

    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', database: 'ok' });

    await proxy.stop();
    const down = await fetch(`${server.url}/readyz`);
    expect(down.status).toBe(503);
    expect(down.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await down.json()).toMatchObject({ status: 503, title: 'Service Unavailable' });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    // the database comes back on the same address: readiness recovers by itself
    await proxy.start();
    let status = 0;
    for (let i = 0; i < 40 && status !== 200; i++) {
      status = (await fetch(`${server.url}/readyz`)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(200);
  });

  it('exposes request counts and durations in Prometheus text format', async () => {
    const conn = await connectDatabase(testMongoUri(), uniqueDbName(service));
    afterAll(() => conn.close());
    const { logger } = capturingLogger(service);
    const server = await serve(createApp({ conn, logger, metrics: createMetricsRegistry(service) }));
    await fetch(`${server.url}/healthz`);
    await fetch(`${server.url}/no-such-route`);
    const res = await fetch(`${server.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(
      new RegExp(`http_requests_total\\{method="GET",route="/healthz",status="200",service="${service}"\\} 1`),
    );
    expect(text).toMatch(/http_requests_total\{method="GET",route="unmatched",status="404"/);
    expect(text).toMatch(/^http_request_duration_seconds_count\{.*route="\/healthz".*\} 1$/m);
  });
});
