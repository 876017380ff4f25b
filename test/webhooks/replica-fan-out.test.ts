import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { schedulingHarness, schedulingReplica } from '../harness/scheduling.js';
import { eventually, WebhookReceiver } from '../harness/webhook-receiver.js';
import { DOMAIN_NOW, KEYS, subscribe, weeklySeries } from './support.js';

// polls a minute apart: only the fan-out holder's own poll can bring another replica's event in time
const webhooks = {
  retrySchedule: [0, 100, 100],
  allowHttpLoopback: true,
  pollIntervalMs: 60_000,
  fanOutPollMs: 50,
  timeoutMs: 2000,
  leaseMs: 5000,
};

const first = await schedulingHarness('webhooks_replica_fan_out', { now: DOMAIN_NOW, webhooks });
const firstWorkers = first.webhooks.start();
afterAll(() => firstWorkers.stop());
const receiver = await WebhookReceiver.start();
// the second replica's workers start once the first holds the fan-out
const second = await schedulingReplica(first.dbName, { now: DOMAIN_NOW, webhooks });
let secondWorkers: { stop: () => Promise<void> } | undefined;
afterAll(() => secondWorkers?.stop());

describe('webhook fan-out across replicas', () => {
  it('delivers an event written on a replica that does not hold the fan-out, without waiting for the poll', async () => {
    const { Claims } = first.webhooks.models;
    // the first replica's fan-out takes the lock as it starts
    await eventually('the first replica holding the fan-out', () =>
      Claims.exists({ key: 'lock:webhook-fan-out', leaseUntil: { $gt: new Date() } }).then((c) => c ?? undefined),
    );
    secondWorkers = second.webhooks.start();

    const org = await first.newOrg('Two replicas');
    const { seriesId } = await weeklySeries(org);
    await subscribe(org, `${receiver.url}/replicas`, ['occurrence.cancelled']);
    // the cancellation reaches the second replica: its outbox write wakes its own fan-out only
    await request(second.app)
      .post(`/v1/local-calendar/series/${seriesId}/occurrences/${KEYS[1]}/cancel`)
      .set('authorization', `Bearer ${org.key}`)
      .send({})
      .expect(200);

    const [got] = await eventually(
      'the cancellation at the receiver',
      () => (receiver.at('/replicas').length ? receiver.at('/replicas') : undefined),
      5_000,
    );
    expect(JSON.parse(got!.body)).toMatchObject({ type: 'occurrence.cancelled', data: { seriesId, occurrenceKey: KEYS[1] } });
    const lock = await Claims.find({ key: 'lock:webhook-fan-out' }).sort({ generation: -1 }).lean();
    // the first replica held the fan-out throughout: one claim on the lock
    expect(lock).toHaveLength(1);
    // and nothing else arrives for it
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.at('/replicas')).toHaveLength(1);
  });
});
