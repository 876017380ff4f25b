import { GraphError } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphFailure, Receiver, useEmulator, weeklyOneOnOne } from './test-support.js';

describe('Microsoft emulator: throttling and faults', () => {
  const fx = useEmulator();

  it('answers 429 and 503 with Retry-After, which the client retry handler honours', async () => {
    const before = fx.emulator.calls.length;
    fx.emulator.failNext(1, { status: 429, retryAfterSeconds: 1 });
    fx.emulator.failNext(1, { status: 503, retryAfterSeconds: 1 });
    const started = Date.now();
    const me = (await fx.client.api('/me').get()) as { mail: string };
    const elapsed = Date.now() - started;
    expect(me.mail).toBe('manager@contoso.example');
    expect(elapsed).toBeGreaterThanOrEqual(1900);
    expect(elapsed).toBeLessThan(10_000);
    const calls = fx.emulator.calls.slice(before).filter((c) => c.path === '/v1.0/me');
    expect(calls.map((c) => [c.status, c.retryAttempt])).toEqual([
      [429, undefined],
      [503, 1],
      [200, 2],
    ]);
  });

  it('surfaces the throttling error once the client gives up', async () => {
    fx.emulator.failNext(4, { status: 429, code: 'TooManyRequests', retryAfterSeconds: 0 });
    const err = await graphFailure(fx.client.api('/me/events').get());
    expect(err.statusCode).toBe(429);
    expect(err.code).toBe('TooManyRequests');
    expect(err.headers?.get('retry-after')).toBe('0');
    expect(((await fx.client.api('/me/events').get()) as { value: unknown[] }).value).toEqual([]);
  });

  it('can drop the connection instead of answering', async () => {
    fx.emulator.failNext(1, { status: 500, dropConnection: true });
    const outcome = await fx.client
      .api('/me')
      .get()
      .then(
        () => 'answered',
        (err: unknown) => (err instanceof GraphError && err.statusCode > 0 ? 'http error' : 'network error'),
      );
    expect(outcome).toBe('network error');
  });

  it('injects random API errors at the chaos rate', async () => {
    fx.emulator.setChaos({ apiErrorRate: 1, retryAfterSeconds: 0 });
    try {
      const err = await graphFailure(fx.client.api('/me').get());
      expect([429, 503]).toContain(err.statusCode);
    } finally {
      fx.emulator.setChaos({ apiErrorRate: 0 });
    }
    expect(((await fx.client.api('/me').get()) as { mail: string }).mail).toBe('manager@contoso.example');
  });

  describe('lost notifications', () => {
    const receiver = new Receiver();
    beforeAll(() => receiver.start());
    afterAll(() => receiver.stop());

    it('drops notifications silently at the chaos rate', async () => {
      await fx.client.api('/subscriptions').post({
        changeType: 'created',
        notificationUrl: `${receiver.url}/notify`,
        resource: '/me/events',
        expirationDateTime: new Date(Date.now() + 3_600_000).toISOString(),
        clientState: 'c',
      });
      fx.emulator.setChaos({ notificationDropRate: 1 });
      try {
        await fx.client.api('/me/events').post(weeklyOneOnOne());
        await fx.emulator.flushNotifications();
      } finally {
        fx.emulator.setChaos({ notificationDropRate: 0 });
      }
      expect(receiver.notifications('/notify')).toEqual([]);
      expect(fx.emulator.deliveries.at(-1)?.outcome).toBe('dropped');
    });
  });
});
