import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rm } from 'node:fs/promises';
import { parseConfig, processEnv, schedulingConfigSchema } from '@cadence/shared/config';
import { connectDatabase, ensureIndexes, resolveDatabase, tempDataDir } from '@cadence/shared/db';
import { createMetricsRegistry, startServer } from '@cadence/shared/http';
import { createLogger } from '@cadence/shared/logging';
import { createSchedulingApp } from '@cadence/scheduling/app';
import { issueApiKey } from '@cadence/scheduling/organizations/api-keys';
import { organizationModels } from '@cadence/scheduling/organizations/models';
import { createOrganization } from '@cadence/scheduling/organizations/organizations';
import { webhookSettingsFrom } from '@cadence/scheduling/webhooks/settings';
import { figure, percentile, report } from './support/figures.js';

/**
 * Webhook delivery under load: 1,000 occurrences cancelled on the local calendar through the
 * HTTP API, each delivered to one subscriber on loopback. Prints events per second delivered and
 * the delay from each cancellation request to its receipt, then one JSON line.
 *
 * BENCH_EVENTS (1000), BENCH_SERIES (50), BENCH_CONCURRENCY (8 cancellations at once);
 * BENCH_RATE_PER_MIN paces the cancellations (unset: as fast as the API takes them);
 * BENCH_MODE=drain cancels everything first and then starts the workers, measuring the delivery
 * worker alone (latencies then include the wait). Webhook
 * settings come from the usual variables (WEBHOOK_POLL_INTERVAL_MS…); the database from
 * MONGODB_URI, else a fresh embedded one.
 */
export async function run(): Promise<void> {
  const env = processEnv();
  const events = Number(env.BENCH_EVENTS ?? 1000);
  const seriesCount = Number(env.BENCH_SERIES ?? 50);
  const concurrency = Number(env.BENCH_CONCURRENCY ?? 8);
  const ratePerMin = env.BENCH_RATE_PER_MIN ? Number(env.BENCH_RATE_PER_MIN) : undefined;
  const perSeries = Math.ceil(events / seriesCount);
  const config = parseConfig('bench', schedulingConfigSchema, { ...env, WEBHOOK_ALLOW_HTTP_LOOPBACK: 'true', NODE_ENV: 'test' });
  const log = (line: string) => process.stdout.write(`${line}\n`);

  const dataDir = tempDataDir('bench-webhooks');
  const db = await resolveDatabase(config, { dataDir, progress: () => undefined });
  log(`database: ${db.description}`);
  const conn = await connectDatabase(db.uri, `bench_webhooks_${Date.now()}`);
  const logger = createLogger({ service: 'scheduling', level: 'warn', destination: process.stderr });
  const settings = webhookSettingsFrom(config);
  const built = createSchedulingApp({ conn, logger, metrics: createMetricsRegistry('scheduling'), webhooks: settings });
  await ensureIndexes(conn);
  const server = await startServer(built.app, { host: '127.0.0.1', port: 0 });
  const drain = env.BENCH_MODE === 'drain';
  // drain: the events pile up first, then the workers start: what the worker alone sustains
  let workers = drain ? undefined : built.webhooks.start();

  // the subscriber: answers at once, notes when each occurrence's cancellation arrived
  const received = new Map<string, number>();
  let requests = 0;
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      const { data } = JSON.parse(Buffer.concat(chunks).toString()) as { data: { seriesId: string; occurrenceKey: string } };
      const key = `${data.seriesId}|${data.occurrenceKey}`;
      if (!received.has(key)) received.set(key, performance.now());
      res.writeHead(204).end();
    });
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');

  try {
    const orgs = organizationModels(conn);
    const org = await createOrganization(orgs, 'Bench');
    const { key } = await issueApiKey(orgs, org.id, 'bench');
    const api = async (method: string, path: string, body?: object) => {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const json = (await res.json()) as Record<string, unknown>;
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    };

    log(`setting up ${seriesCount} series × ${perSeries} occurrences…`);
    const startDate = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    const until = new Date(Date.now() + (perSeries + 3) * 7 * 86_400_000).toISOString().slice(0, 10);
    const lanes: { seriesId: string; keys: string[] }[] = [];
    for (let i = 0; i < seriesCount; i++) {
      const person = (name: string, role: string) =>
        api('POST', '/v1/people', {
          name: `${name} ${i}`,
          email: `${name}${i}@bench.example`,
          timeZone: 'America/Chicago',
          roles: [role],
        });
      const [manager, rep] = [await person('manager', 'manager'), await person('rep', 'rep')];
      const series = await api('POST', '/v1/series', {
        managerId: manager.id,
        repId: rep.id,
        weekday: 'thursday',
        startTime: '14:00',
        timeZone: 'America/Chicago',
        startDate,
      });
      const occ = (await api('GET', `/v1/series/${series.id as string}/occurrences?from=${startDate}&to=${until}`)) as {
        items: { key: string }[];
      };
      lanes.push({ seriesId: series.id as string, keys: occ.items.slice(0, perSeries).map((o) => o.key) });
    }
    await api('POST', '/v1/webhooks', {
      url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
      eventTypes: ['occurrence.cancelled'],
    });
    // series.created events are fanned out (to no one) before the clock starts
    await new Promise((r) => setTimeout(r, settings.pollIntervalMs * 2));

    const jobs = lanes.flatMap((lane) => lane.keys.map((k) => ({ seriesId: lane.seriesId, key: k }))).slice(0, events);
    const sent = new Map<string, number>();
    const started = performance.now();
    log(
      `cancelling ${jobs.length} occurrences (${concurrency} at a time${ratePerMin ? `, ${ratePerMin}/min` : ', as fast as the API takes them'})…`,
    );
    // one worker per share of the series: a series' occurrences are cancelled one after another
    await Promise.all(
      Array.from({ length: concurrency }, async (_, w) => {
        const mine = jobs.filter((_, i) => lanes.findIndex((l) => l.seriesId === jobs[i]!.seriesId) % concurrency === w);
        for (const job of mine) {
          if (ratePerMin) {
            const due = started + (jobs.indexOf(job) * 60_000) / ratePerMin;
            const wait = due - performance.now();
            if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          }
          sent.set(`${job.seriesId}|${job.key}`, performance.now());
          await api('POST', `/v1/local-calendar/series/${job.seriesId}/occurrences/${job.key}/cancel`, {});
        }
      }),
    );
    const cancelledIn = (performance.now() - started) / 1000;
    const drainStart = performance.now();
    if (drain) {
      log(`starting the workers on ${jobs.length} waiting events…`);
      workers = built.webhooks.start();
    }
    const deadline = Date.now() + 10 * 60_000;
    while (received.size < jobs.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const last = Math.max(...received.values());
    const seconds = (last - (drain ? drainStart : started)) / 1000;
    const delays = [...sent]
      .filter(([k]) => received.has(k))
      .map(([k, t]) => received.get(k)! - t)
      .sort((a, b) => a - b);

    log(
      `cancellations accepted by the API: ${jobs.length} in ${cancelledIn.toFixed(1)} s (${(jobs.length / cancelledIn).toFixed(1)}/s)`,
    );
    log(
      `delivered: ${received.size}/${jobs.length} events (${requests} requests) in ${seconds.toFixed(1)} s from ${drain ? 'the workers starting' : 'the first cancellation'}`,
    );
    report(
      'webhooks',
      {
        delivered: figure(received.size, `of ${jobs.length}`, '==', jobs.length),
        eventsPerSecond: figure(received.size / seconds, 'events/s'),
        p50: figure(percentile(delays, 50), 'ms'),
        p99: figure(percentile(delays, 99), 'ms'),
        max: figure(delays[delays.length - 1] ?? NaN, 'ms'),
        acceptedPerSecond: figure(jobs.length / cancelledIn, 'cancellations/s'),
      },
      {
        mode: drain ? 'drain' : 'live',
        events: jobs.length,
        series: seriesCount,
        concurrency,
        requests,
        settings: { pollMs: settings.pollIntervalMs, maxInFlight: settings.maxInFlight },
      },
    );
  } finally {
    await workers?.stop();
    receiver.close();
    await server.close(1000);
    await conn.dropDatabase().catch(() => undefined);
    await conn.close();
    await db.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
