import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig, schedulingConfigSchema } from '@cadence/shared/config';
import { sweepWebhookHistory } from '@cadence/scheduling/outbox/retention';
import { schedulingHarness } from '../harness/scheduling.js';
import { eventually, WebhookReceiver } from '../harness/webhook-receiver.js';
import { cancel, deliveriesOf, DOMAIN_NOW, KEYS, subscribe, weeklySeries } from './support.js';

const DAY = 86_400_000;
const RETENTION = 30 * DAY;

const h = await schedulingHarness('webhooks_retention', {
  now: DOMAIN_NOW,
  webhooks: { retrySchedule: [0, 1500], allowHttpLoopback: true, pollIntervalMs: 50, timeoutMs: 400, leaseMs: 5000 },
});
const workers = h.webhooks.start();
afterAll(() => workers.stop());
const receiver = await WebhookReceiver.start();

const sweep = (daysFromNow: number) =>
  sweepWebhookHistory(h.ctx.models, h.webhooks.models, RETENTION, new Date(Date.now() + daysFromNow * DAY));

describe('webhook history retention', () => {
  it('deletes ended deliveries and their events once past retention, and still sends one being retried', async () => {
    const org = await h.newOrg('Retention');
    const { seriesId } = await weeklySeries(org);
    receiver.answer('/kept', () => ({ status: 204 }));
    const hook = await subscribe(org, `${receiver.url}/kept`, ['occurrence.cancelled']);
    await cancel(org, seriesId, KEYS[0]!);
    const [done] = await eventually('the first delivery to end', async () => {
      const list = await deliveriesOf(org, hook.id);
      return list.length === 1 && list[0]!.status === 'succeeded' ? list : undefined;
    });
    // the first POST of the second cancellation fails: it waits 1.5 s for its retry
    receiver.answer('/kept', (_req, nth) => (nth === 1 ? { status: 503 } : { status: 204 }));
    await cancel(org, seriesId, KEYS[1]!);
    const retrying = await eventually('the second to wait for its retry', async () => {
      const list = await deliveriesOf(org, hook.id);
      return list.find((d) => d.status === 'pending' && d.attemptCount === 1);
    });

    // within retention nothing goes
    expect(await sweep(29)).toEqual({ events: 0, deliveries: 0 });
    expect((await deliveriesOf(org, hook.id)).map((d) => d.id).sort()).toEqual([done!.id, retrying!.id].sort());

    const swept = await sweep(31);
    expect(swept.deliveries).toBeGreaterThanOrEqual(1);
    expect(swept.events).toBeGreaterThanOrEqual(2);
    await org.api.get(`/v1/webhooks/${hook.id}/deliveries/${done!.id}`).expect(404);
    expect(await h.ctx.models.Outbox.exists({ _id: done!.eventId })).toBeNull();

    // the queued one keeps its body: its retry is sent and logged although its event is gone
    const delivered = await eventually('the retry to succeed', async () => {
      const list = await deliveriesOf(org, hook.id);
      return list.find((d) => d.id === retrying!.id && d.status === 'succeeded');
    });
    expect(delivered.attempts.map((a) => a.responseStatus)).toEqual([503, 204]);
    expect(receiver.at('/kept').filter((r) => r.headers['webhook-id'] === retrying!.eventId)).toHaveLength(2);
    // and a replay of it says the event is gone rather than sending something else
    await org.api.post(`/v1/webhooks/${hook.id}/deliveries/${retrying!.id}/replay`).expect(409);
  });

  it('keeps week-scoped streak events a year and events not yet fanned out until they are', async () => {
    const { Outbox } = h.ctx.models;
    const base = { organizationId: 'org_retention_kept', seriesId: null, occurrenceKey: null, data: {} };
    const at = new Date(Date.now() - 40 * DAY);
    await Outbox.create([
      { ...base, _id: 'evt_old_streak', type: 'streak.broken', occurredAt: at, createdAt: at, sequence: 1, fannedOut: true },
      { ...base, _id: 'evt_old_at_risk', type: 'cadence.at_risk', occurredAt: at, createdAt: at, sequence: 2, fannedOut: true },
      {
        ...base,
        _id: 'evt_old_unfanned',
        type: 'occurrence.moved',
        occurredAt: at,
        createdAt: at,
        sequence: 3,
        fannedOut: false,
      },
      { ...base, _id: 'evt_old_moved', type: 'occurrence.moved', occurredAt: at, createdAt: at, sequence: 4, fannedOut: true },
    ]);
    const left = async () =>
      (await Outbox.find({ organizationId: base.organizationId }, { _id: 1 }).lean()).map((e) => e._id).sort();

    await sweep(0);
    expect(await left()).toEqual(['evt_old_at_risk', 'evt_old_streak', 'evt_old_unfanned']);
    // a streak event's id names its week: a change within 26 weeks of it could raise it again
    await sweep(300);
    expect(await left()).toEqual(['evt_old_at_risk', 'evt_old_streak', 'evt_old_unfanned']);
    await sweep(340);
    expect(await left()).toEqual(['evt_old_unfanned']);
  });

  it('refuses a retention shorter than the retry schedule', () => {
    expect(() => parseConfig('scheduling', schedulingConfigSchema, { WEBHOOK_RETENTION: '2d' })).toThrow(
      /WEBHOOK_RETENTION: must be longer than WEBHOOK_RETRY_SCHEDULE in all/,
    );
    expect(parseConfig('scheduling', schedulingConfigSchema, {}).WEBHOOK_RETENTION).toBe(RETENTION);
  });
});
