import { describe, expect, it } from 'vitest';
import { issueApiKey } from '@cadence/scheduling/organizations/api-keys';
import { organizationModels } from '@cadence/scheduling/organizations/models';
import { createOrganization } from '@cadence/scheduling/organizations/organizations';
import { outboxEventModel } from '@cadence/scheduling/outbox/models';
import { webhookModels } from '@cadence/scheduling/webhooks/models';
import { startGoogleEmulator } from '../emulators/google/index.js';
import { useTestDatabase } from '../harness/database.js';
import { apiClient, freePort } from '../harness/loopback.js';
import { schedulingProcess } from '../harness/service-process.js';
import { eventually, WebhookReceiver } from '../harness/webhook-receiver.js';
import { spreader } from '../providers/replicas.js';
import { googleEmulatorSettings } from '../providers/settings.js';

/*
 * Two scheduling-service processes on one database, as production runs replicas: each has its own
 * module state (outbox sequence clock, caches, workers), Google's notifications and the API
 * requests alternate between them through a round-robin proxy, and each runs its own reconcile.
 */
const CLIENT = { id: 'cadence-replicas-client', secret: 'cadence-replicas-secret' };
const { conn, dbName, uri } = await useTestDatabase('replica_processes');
const emulator = await startGoogleEmulator({ clientId: CLIENT.id, clientSecret: CLIENT.secret });
const receiver = await WebhookReceiver.start();
const ports = [await freePort(), await freePort()];
const balancer = await spreader(ports.map((port) => ({ url: `http://127.0.0.1:${port}` })));
const { settings, listening } = googleEmulatorSettings(emulator, CLIENT);
listening(balancer);
const services = await Promise.all(
  ports.map((port) =>
    schedulingProcess({
      MONGODB_URI: uri,
      SCHEDULING_DB_NAME: dbName,
      SCHEDULING_PORT: String(port),
      ...Object.fromEntries(Object.entries(settings).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]]))),
      // each replica re-reads every calendar this often: what catches the notifications Google lost
      RECONCILE_INTERVAL_MS: '1500',
      SYNC_POLL_INTERVAL_MS: '100',
      WEBHOOK_RETRY_SCHEDULE: '0,100ms,200ms,500ms,1s,2s',
      WEBHOOK_POLL_INTERVAL_MS: '50',
      WEBHOOK_TIMEOUT_MS: '1000',
      WEBHOOK_LEASE_MS: '2000',
    }),
  ),
);

describe('two scheduling processes on one database', () => {
  it('turn cancellations spread over both into exactly one event and one webhook each, under provider chaos', async () => {
    const orgs = organizationModels(conn);
    const org = await createOrganization(orgs, 'Two Replicas');
    const { key } = await issueApiKey(orgs, org.id, 'test');
    const api = apiClient(balancer, key);
    const person = (name: string, role: string) =>
      api<{ id: string; email: string }>('POST', '/v1/people', {
        name,
        email: `${name}@replicas.example`,
        timeZone: 'America/New_York',
        roles: [role],
      });
    const [manager, rep] = [await person('manager', 'manager'), await person('rep', 'rep')];
    emulator.addAccount({ email: manager.email, timeZone: 'America/New_York' });
    const { url } = await api<{ url: string }>('POST', '/v1/connections/google/start', { personId: manager.id });
    const consent = await fetch(url, { redirect: 'manual' });
    expect((await fetch(consent.headers.get('location')!)).status).toBe(200);
    const hook = await api<{ id: string }>('POST', '/v1/webhooks', {
      url: `${receiver.url}/replicas`,
      eventTypes: ['occurrence.cancelled'],
    });
    const startDate = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const series = await api<{ id: string; calendar: { eventId: string } }>('POST', '/v1/series', {
      managerId: manager.id,
      repId: rep.id,
      weekday: 'thursday',
      startTime: '10:00',
      timeZone: 'America/New_York',
      startDate,
      calendar: 'google',
    });
    const until = new Date(Date.now() + 120 * 86_400_000).toISOString().slice(0, 10);
    const { items } = await api<{ items: { key: string }[] }>(
      'GET',
      `/v1/series/${series.id}/occurrences?from=${startDate}&to=${until}`,
    );
    const keys = items.slice(0, 12).map((o) => o.key);
    expect(keys).toHaveLength(12);

    emulator.setChaos({ apiErrorRate: 0.2, notificationDropRate: 0.2, seed: 11 });
    for (const k of keys) {
      emulator.cancelInstance(manager.email, series.calendar.eventId, k);
      await new Promise((r) => setTimeout(r, 40));
    }
    const cancelled = () => receiver.at('/replicas').filter((r) => r.body.includes('"occurrence.cancelled"'));
    await eventually(
      'every cancellation at the receiver',
      () => (cancelled().length >= keys.length ? true : undefined),
      40_000,
    ).catch(async (err: Error) => {
      // what arrived, where the rest stopped (sync state, outbox, fan-out markers, delivery queue)
      // and what the processes logged, to tell why
      const arrived = cancelled().map((r) => (JSON.parse(r.body) as { data: { occurrenceKey: string } }).data.occurrenceKey);
      const states = await conn.collection('sync_states').find({}).toArray();
      const events = await outboxEventModel(conn).countDocuments({ seriesId: series.id, type: 'occurrence.cancelled' });
      const markers = await conn.collection('outbox_unfanned').countDocuments();
      const queued = await webhookModels(conn).Queue.countDocuments();
      const notified = emulator.deliveries.slice(-20).map((d) => `${d.outcome}${d.status ? ` ${d.status}` : ''}`);
      const said = services.map((s, i) => `replica ${i}: ${s.output().slice(-3000)}`).join('\n');
      throw new Error(
        `${err.message}; missing ${keys.filter((k) => !arrived.includes(k)).join(', ')}\n` +
          `sync states ${JSON.stringify(states)}\noutbox cancellations ${events}, unfanned markers ${markers}, queued deliveries ${queued}\n` +
          `last notifications ${notified.join(', ')}\n${said}`,
      );
    });
    emulator.setChaos({ apiErrorRate: 0, notificationDropRate: 0 });
    // time for a late duplicate: two more reconciles on each replica
    await new Promise((r) => setTimeout(r, 3500));

    const received = cancelled().map((r) => JSON.parse(r.body) as { data: { occurrenceKey: string } });
    expect(received.map((r) => r.data.occurrenceKey).sort()).toEqual([...keys].sort());
    expect(new Set(cancelled().map((r) => r.id)).size).toBe(keys.length);
    const events = await outboxEventModel(conn).find({ seriesId: series.id, type: 'occurrence.cancelled' }).lean();
    expect(events.map((e) => e.occurrenceKey).sort()).toEqual([...keys].sort());
    const deliveries = await webhookModels(conn).Deliveries.find({ subscriptionId: hook.id }).lean();
    expect(deliveries.filter((d) => d.status === 'succeeded')).toHaveLength(keys.length);
    // the chaos bit (a call failed or a notification was lost), and neither process fell over
    const failedCalls = emulator.calls.filter((c) => c.kind === 'api' && (c.status === undefined || c.status >= 400));
    const lost = emulator.deliveries.filter((d) => d.outcome === 'dropped');
    expect(failedCalls.length + lost.length).toBeGreaterThan(0);
    for (const s of services) expect(s.child.exitCode).toBeNull();
  }, 90_000);
});
