import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { graphClient, graphFailure, Receiver, useEmulator, weeklyOneOnOne } from './test-support.js';
import type { Json } from './test-support.js';

const inMinutes = (m: number, from = Date.now()) => new Date(from + m * 60_000).toISOString();

describe('Microsoft emulator: change notifications', () => {
  const fx = useEmulator({ validationTimeoutMs: 500, notificationRetryDelaysMs: [20, 20] });
  const receiver = new Receiver();
  beforeAll(() => receiver.start());
  afterAll(() => receiver.stop());
  beforeEach(() => {
    receiver.mode = 'echo';
    receiver.failNotifications = 0;
    receiver.received.length = 0;
  });

  const subscribe = (extra: Record<string, unknown> = {}) =>
    fx.client.api('/subscriptions').post({
      changeType: 'created,updated,deleted',
      notificationUrl: `${receiver.url}/notify?tenant=t1`,
      lifecycleNotificationUrl: `${receiver.url}/lifecycle`,
      resource: `/users/${fx.manager.userId}/events`,
      expirationDateTime: inMinutes(60),
      clientState: 'cadence-secret-123',
      ...extra,
    }) as Promise<Json>;

  it('validates both URLs with the decoded token before answering 201', async () => {
    const sub = await subscribe();
    expect(sub).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      resource: `/users/${fx.manager.userId}/events`,
      changeType: 'created,updated,deleted',
      clientState: 'cadence-secret-123',
      notificationUrl: `${receiver.url}/notify?tenant=t1`,
      lifecycleNotificationUrl: `${receiver.url}/lifecycle`,
      applicationId: fx.manager.clientId,
      expirationDateTime: expect.stringMatching(/\.\d{7}Z$/),
    });
    const validations = receiver.received.filter((r) => r.query.has('validationToken'));
    expect(validations.map((v) => v.path)).toEqual(['/notify', '/lifecycle']);
    expect(validations[0]?.query.get('tenant')).toBe('t1');
    expect(validations[0]?.query.get('validationToken')).toMatch(/^Validation: Testing client application reachability/);
    expect(validations[0]?.contentType).toMatch(/^text\/plain/);
    expect((await fx.client.api(`/subscriptions/${sub.id}`).get()) as Json).toMatchObject({ id: sub.id });
    await fx.client.api(`/subscriptions/${sub.id}`).delete();
  });

  it('refuses the subscription when the endpoint does not echo the token properly', async () => {
    receiver.mode = 'wrong-status';
    const wrong = await graphFailure(subscribe());
    expect(wrong.statusCode).toBe(400);
    expect(wrong.code).toBe('ValidationError');
    expect(wrong.message).toBe(
      'Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.',
    );

    receiver.mode = 'encoded';
    const encoded = await graphFailure(subscribe());
    expect(encoded.message).toMatch(/must exactly match validationToken/);

    receiver.mode = 'json';
    expect((await graphFailure(subscribe())).statusCode).toBe(400);

    receiver.mode = 'no-answer';
    const slow = await graphFailure(subscribe());
    expect(slow.statusCode).toBe(400);
    expect(slow.message).toBe('Subscription validation request timed out.');

    const gone = await new Receiver().start();
    await gone.stop(); // a port that was just free: nothing listens there now
    const closedPort = await graphFailure(subscribe({ notificationUrl: `${gone.url}/notify` }));
    expect(closedPort.code).toBe('ValidationError');
    expect(fx.emulator.subscriptions().filter((s) => s.notificationUrl !== `${receiver.url}/notify?tenant=t1`)).toEqual([]);
  });

  it('checks clientState length, lifetime and URLs', async () => {
    expect((await graphFailure(subscribe({ clientState: 'x'.repeat(129) }))).statusCode).toBe(400);
    const tooLong = await graphFailure(subscribe({ expirationDateTime: inMinutes(4232) }));
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.message).toBe('Subscription expiration can only be 4230 minutes in the future.');
    expect((await graphFailure(subscribe({ expirationDateTime: inMinutes(-1) }))).statusCode).toBe(400);
    expect((await graphFailure(subscribe({ notificationUrl: 'http://example.com/hook' }))).statusCode).toBe(400);
  });

  it('posts notifications of the documented shape, with clientState, for API and person changes', async () => {
    const sub = await subscribe();
    receiver.received.length = 0;
    const series = (await fx.client.api('/me/events').post(weeklyOneOnOne())) as Json;
    await fx.emulator.flushNotifications();
    const created = receiver.notifications('/notify');
    expect(created).toEqual([
      {
        value: [
          {
            subscriptionId: sub.id,
            subscriptionExpirationDateTime: sub.expirationDateTime,
            changeType: 'created',
            resource: `Users/${fx.manager.userId}/Events/${series.id}`,
            resourceData: {
              '@odata.type': '#Microsoft.Graph.Event',
              '@odata.id': `Users/${fx.manager.userId}/Events/${series.id}`,
              '@odata.etag': `W/"${series.changeKey}"`,
              id: series.id,
            },
            clientState: 'cadence-secret-123',
            tenantId: fx.emulator.tenantId,
          },
        ],
      },
    ]);
    expect(receiver.received.at(-1)?.contentType).toMatch(/^application\/json/);

    receiver.received.length = 0;
    fx.emulator.cancelOccurrence(fx.manager.userId, series.id, '2026-10-27T13:00:00Z');
    await fx.emulator.flushNotifications();
    const changes = receiver.notifications('/notify').map((n) => [n.value[0]?.changeType, n.value[0]?.resourceData.id]);
    expect(changes).toContainEqual(['updated', series.id]);
    expect(changes.some(([type, id]) => type === 'deleted' && id !== series.id)).toBe(true);
    await fx.client.api(`/subscriptions/${sub.id}`).delete();
  });

  it('notifies a person cancelling in Outlook exactly as it notifies the API cancel', async () => {
    const series = (await fx.client.api('/me/events').post(weeklyOneOnOne())) as Json;
    const sub = await subscribe();
    const shape = () =>
      receiver.notifications('/notify').map((n) => {
        const id = n.value[0]?.resourceData.id as string;
        return [n.value[0]?.changeType, id === series.id ? 'master' : 'occurrence', n.value[0]?.clientState];
      });
    const instances = (await fx.client
      .api(`/me/events/${series.id}/instances?startDateTime=2026-10-26T00:00:00Z&endDateTime=2026-10-28T00:00:00Z`)
      .get()) as Json;
    receiver.received.length = 0;
    await fx.client.api(`/me/events/${instances.value[0].id}/cancel`).post({ comment: 'Out sick' });
    await fx.emulator.flushNotifications();
    const byApi = shape();
    receiver.received.length = 0;
    fx.emulator.cancelOccurrence(fx.manager.userId, series.id, '2026-11-03T14:00:00Z');
    await fx.emulator.flushNotifications();
    expect(shape()).toEqual(byApi);
    expect(byApi).toEqual([
      ['deleted', 'occurrence', 'cadence-secret-123'],
      ['updated', 'master', 'cadence-secret-123'],
    ]);
    await fx.client.api(`/subscriptions/${sub.id}`).delete();
  });

  it('also validates and notifies https receivers that use the emulator certificate', async () => {
    const hits: string[] = [];
    const server = createHttpsServer(fx.emulator.serverTls, (req, res) => {
      const token = new URL(req.url ?? '/', 'https://127.0.0.1').searchParams.get('validationToken');
      hits.push(token === null ? 'notification' : 'validation');
      if (token === null) res.writeHead(202).end();
      else res.writeHead(200, { 'content-type': 'text/plain' }).end(token);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      const sub = await subscribe({ notificationUrl: url, lifecycleNotificationUrl: undefined });
      await fx.client.api('/me/events').post(weeklyOneOnOne());
      await fx.emulator.flushNotifications();
      expect(hits).toEqual(['validation', 'notification']);
      await fx.client.api(`/subscriptions/${sub.id}`).delete();
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('delivers only the change types subscribed to, and retries a failing endpoint', async () => {
    const sub = await subscribe({ changeType: 'deleted', lifecycleNotificationUrl: undefined });
    const series = (await fx.client.api('/me/events').post(weeklyOneOnOne())) as Json;
    await fx.client.api(`/me/events/${series.id}`).patch({ subject: 'x' });
    receiver.failNotifications = 2;
    await fx.client.api(`/me/events/${series.id}`).delete();
    await fx.emulator.flushNotifications();
    const mine = fx.emulator.deliveries.filter((d) => d.subscriptionId === sub.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ outcome: 'delivered', attempts: 3, lastStatus: 202 });
    expect(receiver.notifications('/notify').map((n) => n.value[0]?.changeType)).toEqual(['deleted', 'deleted', 'deleted']);
    await fx.client.api(`/subscriptions/${sub.id}`).delete();
  });

  it('reports a notification it could not deliver as a missed lifecycle event', async () => {
    const sub = await subscribe();
    receiver.failNotifications = 3;
    await fx.client.api('/me/events').post(weeklyOneOnOne());
    await fx.emulator.flushNotifications();
    await fx.emulator.flushNotifications();
    expect(fx.emulator.deliveries.filter((d) => d.subscriptionId === sub.id && d.kind === 'change').at(-1)?.outcome).toBe(
      'failed',
    );
    expect(receiver.notifications('/lifecycle').map((n) => n.value[0]?.lifecycleEvent)).toEqual(['missed']);
    await fx.client.api(`/subscriptions/${sub.id}`).delete();
  });

  it('sends subscriptionRemoved when Microsoft drops a subscription, which then is gone', async () => {
    const sub = await subscribe();
    receiver.received.length = 0;
    expect(fx.emulator.dropSubscription(sub.id)).toBe(true);
    await fx.emulator.flushNotifications();
    expect(receiver.notifications('/lifecycle')).toEqual([
      {
        value: [
          {
            subscriptionId: sub.id,
            subscriptionExpirationDateTime: sub.expirationDateTime,
            tenantId: fx.emulator.tenantId,
            clientState: 'cadence-secret-123',
            lifecycleEvent: 'subscriptionRemoved',
          },
        ],
      },
    ]);
    const gone = await graphFailure(fx.client.api(`/subscriptions/${sub.id}`).get());
    expect(gone.statusCode).toBe(404);
    await fx.client.api('/me/events').post(weeklyOneOnOne());
    await fx.emulator.flushNotifications();
    expect(receiver.notifications('/notify')).toEqual([]);
  });

  it('renews with PATCH within the maximum lifetime, reauthorizes, and deletes', async () => {
    const sub = await subscribe();
    const renewedTo = inMinutes(4200);
    const renewed = (await fx.client.api(`/subscriptions/${sub.id}`).patch({ expirationDateTime: renewedTo })) as Json;
    expect(new Date(renewed.expirationDateTime).getTime()).toBe(new Date(renewedTo).getTime());
    const tooFar = await graphFailure(fx.client.api(`/subscriptions/${sub.id}`).patch({ expirationDateTime: inMinutes(4300) }));
    expect(tooFar.statusCode).toBe(400);
    expect(tooFar.code).toBe('ExtensionError');

    receiver.received.length = 0;
    expect(fx.emulator.sendLifecycle(sub.id, 'reauthorizationRequired')).toBe(true);
    await fx.emulator.flushNotifications();
    expect(receiver.notifications('/lifecycle')[0]?.value[0]?.lifecycleEvent).toBe('reauthorizationRequired');
    expect(fx.emulator.subscriptions().find((s) => s.id === sub.id)?.reauthorizationRequired).toBe(true);
    const res = await fetch(`${fx.emulator.url}/v1.0/subscriptions/${sub.id}/reauthorize`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fx.manager.accessToken}` },
    });
    expect(res.status).toBe(204);
    expect(fx.emulator.subscriptions().find((s) => s.id === sub.id)?.reauthorizationRequired).toBe(false);

    await fx.client.api(`/subscriptions/${sub.id}`).delete();
    expect((await graphFailure(fx.client.api(`/subscriptions/${sub.id}`).delete())).statusCode).toBe(404);
  });
});

describe('Microsoft emulator: subscription expiry on the emulator clock', () => {
  let clock = Date.parse('2026-10-01T12:00:00Z');
  const fx = useEmulator({ now: () => new Date(clock), maxSubscriptionMinutes: 10_080 });
  const receiver = new Receiver();
  beforeAll(() => receiver.start());
  afterAll(() => receiver.stop());

  it('honours a configured maximum and stops notifying once expired', async () => {
    const sub = (await fx.client.api('/subscriptions').post({
      changeType: 'created',
      notificationUrl: `${receiver.url}/notify`,
      resource: '/me/events',
      expirationDateTime: inMinutes(10_000, clock),
      clientState: 's',
    })) as Json;
    clock += 10_001 * 60_000;
    // The hour-long access token expired too; the emulator answers as Graph would.
    expect((await graphFailure(fx.client.api('/me').get())).message).toMatch(/expired/);
    const client = graphClient(fx.emulator, fx.emulator.accessToken(fx.manager.userId));
    expect((await graphFailure(client.api(`/subscriptions/${sub.id}`).get())).statusCode).toBe(404);
    await client.api('/me/events').post(weeklyOneOnOne());
    await fx.emulator.flushNotifications();
    expect(receiver.notifications('/notify')).toEqual([]);
  });
});
