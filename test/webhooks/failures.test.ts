import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../harness/loopback.js';
import { schedulingHarness } from '../harness/scheduling.js';
import { eventually, WebhookReceiver } from '../harness/webhook-receiver.js';
import { cancel, deliveriesOf, DOMAIN_NOW, KEYS, subscribe, weeklySeries } from './support.js';
import type { TestOrg } from '../harness/scheduling.js';

const h = await schedulingHarness('webhooks_failures', {
  now: DOMAIN_NOW,
  webhooks: {
    retrySchedule: [0, 100, 100],
    allowHttpLoopback: true,
    pollIntervalMs: 50,
    timeoutMs: 400,
    leaseMs: 5000,
    disableAfterMs: 600,
  },
});
const workers = h.webhooks.start();
afterAll(() => workers.stop());
const receiver = await WebhookReceiver.start();

const ended = (org: TestOrg, webhookId: string, count = 1) =>
  eventually(`${count} ended deliveries`, async () => {
    const list = await deliveriesOf(org, webhookId);
    return list.length >= count && list.every((d) => d.status !== 'pending') ? list : undefined;
  });

describe('webhook failures', () => {
  it('fails a delivery after the last attempt of the schedule, then disables a subscription failing for the whole window', async () => {
    const org = await h.newOrg('Down');
    const { seriesId } = await weeklySeries(org);
    receiver.answer('/down', () => ({ status: 500, body: 'database on fire' }));
    const hook = await subscribe(org, `${receiver.url}/down`);
    await cancel(org, seriesId, KEYS[0]!);

    const [failed] = await ended(org, hook.id);
    expect(failed).toMatchObject({
      status: 'failed',
      attemptCount: 3,
      nextAttemptAt: null,
      failureReason: 'no attempt succeeded (3 attempts)',
    });
    expect(failed!.attempts.map((a) => [a.responseStatus, a.responseBody])).toEqual([
      [500, 'database on fire'],
      [500, 'database on fire'],
      [500, 'database on fire'],
    ]);
    const failing = (await org.api.get(`/v1/webhooks/${hook.id}`).expect(200)).body;
    expect(failing).toMatchObject({ status: 'enabled', failingSince: failed!.attempts[0]!.at });

    // still failing once the window (600 ms here, 5 days by default) has passed: disabled, and the API says why
    await new Promise((r) => setTimeout(r, 600));
    await cancel(org, seriesId, KEYS[1]!);
    const disabled = await eventually('the subscription to be disabled', async () => {
      const res = await org.api.get(`/v1/webhooks/${hook.id}`).expect(200);
      return res.body.status === 'disabled' ? res.body : undefined;
    });
    expect(disabled).toMatchObject({ disabledReason: 'failing', failingSince: failed!.attempts[0]!.at });
  });

  it('a success clears the failure clock', async () => {
    const org = await h.newOrg('Recovers');
    const { seriesId } = await weeklySeries(org);
    receiver.answer('/recovers', (_req, nth) => (nth === 1 ? { status: 502 } : { status: 204 }));
    const hook = await subscribe(org, `${receiver.url}/recovers`);
    await cancel(org, seriesId, KEYS[0]!);
    const [d] = await ended(org, hook.id);
    expect(d!.attempts.map((a) => a.responseStatus)).toEqual([502, 204]);
    expect((await org.api.get(`/v1/webhooks/${hook.id}`).expect(200)).body).toMatchObject({
      status: 'enabled',
      failingSince: null,
    });
  });

  it('retries a timeout and a refused connection, and logs them without a status', async () => {
    const org = await h.newOrg('Slow');
    const { seriesId } = await weeklySeries(org);
    receiver.answer('/slow', (_req, nth) => (nth === 1 ? { status: 200, delayMs: 1500 } : { status: 200 }));
    const slow = await subscribe(org, `${receiver.url}/slow`);
    const refused = await subscribe(org, `http://127.0.0.1:${await freePort()}/nobody`);
    await cancel(org, seriesId, KEYS[0]!);

    const [timedOut] = await ended(org, slow.id);
    expect(timedOut!.status).toBe('succeeded');
    expect(timedOut!.attempts.map((a) => [a.responseStatus, a.error])).toEqual([
      [null, 'timeout'],
      [200, null],
    ]);
    const [never] = await ended(org, refused.id);
    expect(never!.status).toBe('failed');
    expect(never!.attempts.map((a) => [a.responseStatus, a.error])).toEqual(Array(3).fill([null, 'connection refused']));
  });

  it('does not follow redirects and reads only the start of a large answer', async () => {
    const org = await h.newOrg('Odd');
    const { seriesId } = await weeklySeries(org);
    receiver.answer('/redirect', () => ({ status: 302, headers: { location: `${receiver.url}/elsewhere` } }));
    receiver.answer('/large', () => ({ status: 200, body: 'x'.repeat(2_000_000) }));
    const redirect = await subscribe(org, `${receiver.url}/redirect`);
    const large = await subscribe(org, `${receiver.url}/large`);
    await cancel(org, seriesId, KEYS[0]!);

    const [r] = await ended(org, redirect.id);
    expect(r!.attempts.map((a) => [a.responseStatus, a.error])).toEqual(Array(3).fill([302, 'redirects are not followed']));
    expect(receiver.at('/elsewhere')).toEqual([]);
    const [l] = await ended(org, large.id);
    expect(l!.status).toBe('succeeded');
    expect(l!.attempts[0]!.responseBody!.length).toBeLessThanOrEqual(1000);
  });
});
