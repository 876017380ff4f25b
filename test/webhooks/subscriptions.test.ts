import { Webhook } from 'standardwebhooks';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { schedulingHarness } from '../harness/scheduling.js';
import { eventually, WebhookReceiver } from '../harness/webhook-receiver.js';
import { subscribe } from './support.js';

// names a test can point at: one public, one inside the network (DNS is the test's)
const DNS: Record<string, string> = { 'hooks.example.com': '93.184.216.34', 'intranet.example.com': '10.1.2.3' };
const h = await schedulingHarness('webhooks_subscriptions', {
  webhooks: { retrySchedule: [0, 100], allowHttpLoopback: true, pollIntervalMs: 50, allowedTargets: ['192.168.50.0/24'] },
  resolver: async (host) => {
    const address = DNS[host];
    if (!address) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return [{ address, family: 4 }];
  },
});
const workers = h.webhooks.start();
afterAll(() => workers.stop());
const receiver = await WebhookReceiver.start();
const { Subscriptions } = h.webhooks.models;

describe('webhook subscriptions', () => {
  it('shows the whsec_ secret once, keeps it encrypted, and lists, gets, updates, disables, enables and deletes', async () => {
    const org = await h.newOrg('Crud');
    const created = await org.api
      .post('/v1/webhooks', {
        url: 'https://hooks.example.com/cadence',
        eventTypes: ['occurrence.*', 'series.ended'],
        description: 'CRM',
      })
      .expect(201);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^whk_/),
      url: 'https://hooks.example.com/cadence',
      eventTypes: ['occurrence.*', 'series.ended'],
      description: 'CRM',
      status: 'enabled',
      disabledReason: null,
      previousSecretExpiresAt: null,
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
    });
    const { id, secret } = created.body as { id: string; secret: string };

    // at rest: neither the secret nor its key bytes appear anywhere in the document
    const raw = JSON.stringify(await Subscriptions.collection.findOne({ _id: id as never }));
    expect(raw).not.toContain(secret);
    expect(raw).not.toContain(secret.slice('whsec_'.length, 30));

    const got = await org.api.get(`/v1/webhooks/${id}`).expect(200);
    expect(got.body).not.toHaveProperty('secret');
    const list = await org.api.get('/v1/webhooks?status=enabled').expect(200);
    expect(list.body.items.map((w: { id: string }) => w.id)).toEqual([id]);
    expect(list.body.items[0]).not.toHaveProperty('secret');

    const patched = await org.api.patch(`/v1/webhooks/${id}`, { eventTypes: ['*'], description: null }).expect(200);
    expect(patched.body).toMatchObject({ eventTypes: ['*'], description: null, url: 'https://hooks.example.com/cadence' });

    const off = await org.api.post(`/v1/webhooks/${id}/disable`).expect(200);
    expect(off.body).toMatchObject({ status: 'disabled', disabledReason: 'manual' });
    expect((await org.api.get('/v1/webhooks?status=enabled').expect(200)).body.items).toEqual([]);
    const on = await org.api.post(`/v1/webhooks/${id}/enable`).expect(200);
    expect(on.body).toMatchObject({ status: 'enabled', disabledReason: null, disabledAt: null });

    await org.api.delete(`/v1/webhooks/${id}`).expect(204);
    await org.api.get(`/v1/webhooks/${id}`).expect(404);
  });

  it.each([
    ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254, a link-local \(cloud metadata\) address/],
    ['https://169.254.169.254/latest/meta-data/', /link-local/],
    ['https://10.0.0.5/hook', /10\.0\.0\.5, a private address/],
    ['https://192.168.1.20/hook', /private/],
    ['https://[::ffff:10.0.0.1]/hook', /private/],
    ['https://[fd00:ec2::254]/latest', /unique local/],
    ['https://100.100.100.200/latest', /carrier-grade NAT/],
    ['https://intranet.example.com/hook', /resolves to 10\.1\.2\.3, a private address/],
    ['https://metadata.google.internal/computeMetadata/v1/', /cloud metadata service/],
    ['https://nowhere.invalid/hook', /does not resolve/],
    ['http://hooks.example.com/hook', /may use http only for a loopback address/],
    ['https://user:pass@hooks.example.com/hook', /must not contain credentials/],
  ])('refuses %s with a 400 naming url, and stores nothing', async (url, message) => {
    const org = await h.newOrg('Ssrf');
    const res = await org.api.post('/v1/webhooks', { url, eventTypes: ['occurrence.cancelled'] }).expect(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.errors).toEqual([{ location: 'body', field: 'url', message: expect.stringMatching(message) }]);
    expect(await Subscriptions.countDocuments({ organizationId: org.id })).toBe(0);
  });

  it('accepts an allow-listed private range, and refuses a private URL on update without changing anything', async () => {
    const org = await h.newOrg('Allowed');
    await org.api.post('/v1/webhooks', { url: 'https://192.168.50.7/hook', eventTypes: ['occurrence.cancelled'] }).expect(201);
    const hook = await subscribe(org, 'https://hooks.example.com/a');
    const res = await org.api
      .patch(`/v1/webhooks/${hook.id}`, { url: 'https://169.254.169.254/', eventTypes: ['*'] })
      .expect(400);
    expect(res.body.errors[0]).toMatchObject({ field: 'url' });
    expect((await org.api.get(`/v1/webhooks/${hook.id}`).expect(200)).body).toMatchObject({
      url: 'https://hooks.example.com/a',
      eventTypes: ['occurrence.*'],
    });
  });

  it('names every bad field and writes nothing', async () => {
    const org = await h.newOrg('Invalid');
    const res = await org.api
      .post('/v1/webhooks', {
        url: 'ftp://x.example',
        eventTypes: ['occurence.cancelled', 'occurrence.*', 'occurrence.*'],
        color: 'red',
      })
      .expect(400);
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        { location: 'body', field: 'url', message: expect.any(String) },
        { location: 'body', field: 'eventTypes.0', message: 'is not a known event type' },
        { location: 'body', field: 'eventTypes', message: 'must not repeat an event type' },
        { location: 'body', field: 'color', message: 'is not a known field' },
      ]),
    );
    const empty = await org.api.post('/v1/webhooks', { url: 'https://hooks.example.com/x', eventTypes: [] }).expect(400);
    expect(empty.body.errors).toEqual([{ location: 'body', field: 'eventTypes', message: 'give at least one event type' }]);
    const noop = await org.api.post('/v1/webhooks', { url: 'https://hooks.example.com/x', eventTypes: ['bogus.*'] }).expect(400);
    expect(noop.body.errors).toEqual([{ location: 'body', field: 'eventTypes.0', message: 'has no known namespace' }]);
    await org.api.get('/v1/webhooks/not-an-id').expect(400);
    await org.api.get('/v1/webhooks/whk_000000000000000000000').expect(404);
    await org.api.get('/v1/webhooks?limit=0').expect(400);
    expect(await Subscriptions.countDocuments({ organizationId: org.id })).toBe(0);
    const hook = await subscribe(org, 'https://hooks.example.com/y');
    const patch = await org.api.patch(`/v1/webhooks/${hook.id}`, {}).expect(400);
    expect(patch.body.errors[0].message).toBe('give at least one field to change');
    await org.api.get(`/v1/webhooks/${hook.id}/deliveries?status=lost`).expect(400);
    await org.api.post(`/v1/webhooks/${hook.id}/deliveries/dlv_x/replay`).expect(400);
  });

  it("answers 404 for another organization's webhook on every route, and changes nothing", async () => {
    const a = await h.newOrg('A');
    const b = await h.newOrg('B');
    const hook = await subscribe(a, 'https://hooks.example.com/a');
    const routes = [
      ['get', `/v1/webhooks/${hook.id}`],
      ['patch', `/v1/webhooks/${hook.id}`, { description: 'mine now' }],
      ['post', `/v1/webhooks/${hook.id}/disable`],
      ['post', `/v1/webhooks/${hook.id}/enable`],
      ['post', `/v1/webhooks/${hook.id}/rotate-secret`],
      ['post', `/v1/webhooks/${hook.id}/test`],
      ['get', `/v1/webhooks/${hook.id}/deliveries`],
      ['get', `/v1/webhooks/${hook.id}/deliveries/dlv_00000000000000000000000`],
      ['delete', `/v1/webhooks/${hook.id}`],
    ] as const;
    for (const [method, path, body] of routes) {
      const agent = request(h.app);
      const res = await agent[method](path)
        .set('authorization', `Bearer ${b.key}`)
        .send(body ?? {});
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    expect((await b.api.get('/v1/webhooks').expect(200)).body.items).toEqual([]);
    const still = await a.api.get(`/v1/webhooks/${hook.id}`).expect(200);
    expect(still.body).toMatchObject({ status: 'enabled', description: null, previousSecretExpiresAt: null });
    expect(await h.ctx.models.Outbox.countDocuments({ organizationId: { $in: [a.id, b.id] } })).toBe(0);
  });

  it('signs with both the old and the new secret for 24 hours after a rotation', async () => {
    const org = await h.newOrg('Rotate');
    const hook = await subscribe(org, `${receiver.url}/rotate`);
    const rotated = await org.api.post(`/v1/webhooks/${hook.id}/rotate-secret`).expect(201);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(hook.secret);
    const overlapEnds = Date.parse(rotated.body.previousSecretExpiresAt);
    expect(Math.abs(overlapEnds - (Date.now() + 24 * 3_600_000))).toBeLessThan(60_000);
    expect((await org.api.get(`/v1/webhooks/${hook.id}`).expect(200)).body.previousSecretExpiresAt).toBe(
      rotated.body.previousSecretExpiresAt,
    );

    await org.api.post(`/v1/webhooks/${hook.id}/test`).expect(202);
    const [got] = await eventually('the test event', () => (receiver.at('/rotate').length ? receiver.at('/rotate') : undefined));
    const headers = got!.headers as Record<string, string>;
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    // a receiver still on the old secret and one already on the new secret both verify
    expect(new Webhook(hook.secret).verify(got!.body, headers)).toMatchObject({ type: 'webhook.test' });
    expect(new Webhook(rotated.body.secret).verify(got!.body, headers)).toMatchObject({ type: 'webhook.test' });
    expect(() => new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(got!.body, headers)).toThrow();
  });
});
