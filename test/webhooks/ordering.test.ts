import { afterAll, describe, expect, it } from 'vitest';
import { schedulingHarness, schedulingReplica, type TestOrg } from '../harness/scheduling.js';
import { eventually, WebhookReceiver } from '../harness/webhook-receiver.js';
import { cancel, DOMAIN_NOW, KEYS, subscribe, weeklySeries } from './support.js';

const webhooks = { retrySchedule: [0, 100, 100], allowHttpLoopback: true, pollIntervalMs: 20, maxInFlight: 2, leaseMs: 10_000 };
const h = await schedulingHarness('webhooks_ordering', { now: DOMAIN_NOW, webhooks });
// a second replica: its own connection and workers, the same database
const replica = await schedulingReplica(h.dbName, { now: DOMAIN_NOW, webhooks });
const workers = [h.webhooks.start(), replica.webhooks.start()];
afterAll(() => Promise.all(workers.map((w) => w.stop())));
const receiver = await WebhookReceiver.start();

/** Cancels the first `weeks` occurrences of each series, series interleaved, and returns event ids in sequence order per series. */
async function cancelWeeks(org: TestOrg, series: string[], weeks: number) {
  for (let week = 0; week < weeks; week++) {
    await Promise.all(series.map((id) => cancel(org, id, KEYS[week]!)));
  }
  const events = await h.ctx.models.Outbox.find({ organizationId: org.id, type: 'occurrence.cancelled' })
    .sort({ sequence: 1 })
    .lean();
  return new Map(series.map((id) => [id, events.filter((e) => e.seriesId === id).map((e) => e._id)]));
}

describe('webhook ordering and volume', () => {
  it('sends one series’ events in order, at most N at a time per subscription, across two replicas', async () => {
    const org = await h.newOrg('Ordered');
    const series = [];
    for (const suffix of ['-a', '-b', '-c']) series.push((await weeklySeries(org, suffix)).seriesId);
    // slow enough that a backlog builds up behind each series' first event
    receiver.answer('/ordered', () => ({ status: 200, delayMs: 60 }));
    await subscribe(org, `${receiver.url}/ordered`, ['occurrence.cancelled']);
    const expected = await cancelWeeks(org, series, 5);

    await eventually('15 events', () => (receiver.ids('/ordered').size === 15 ? true : undefined), 15_000);
    const got = receiver
      .at('/ordered')
      .map((r) => ({ id: r.id, seriesId: (JSON.parse(r.body) as { data: { seriesId: string } }).data.seriesId }));
    for (const id of series) expect(got.filter((g) => g.seriesId === id).map((g) => g.id)).toEqual(expected.get(id));
    expect(receiver.peak('/ordered')).toBeLessThanOrEqual(2);
    expect(receiver.peak('/ordered')).toBe(2);
  });

  it('two workers on one database deliver every event exactly once when nothing fails', async () => {
    const org = await h.newOrg('Once');
    const series = [];
    for (const suffix of ['-1', '-2', '-3', '-4', '-5', '-6']) series.push((await weeklySeries(org, suffix)).seriesId);
    await subscribe(org, `${receiver.url}/once`, ['occurrence.cancelled']);
    await cancelWeeks(org, series, 5);

    await eventually('30 events', () => (receiver.ids('/once').size === 30 ? true : undefined), 15_000);
    // leave time for a duplicate to show up
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.at('/once')).toHaveLength(30);
  });
});
