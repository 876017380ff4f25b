import request from 'supertest';
import { Webhook } from 'standardwebhooks';
import { afterAll, describe, expect, it } from 'vitest';
import { SchedulingClient } from '@cadence/shared/clients/scheduling';
import { serve } from '../harness/http.js';
import { schedulingHarness } from '../harness/scheduling.js';
import { eventually, WebhookReceiver } from '../harness/webhook-receiver.js';
import { subscribe } from './support.js';

const TOKEN = 'internal-token-for-tests-0123456789abcdef';
const h = await schedulingHarness('webhooks_internal', {
  internalToken: TOKEN,
  webhooks: { retrySchedule: [0, 100], allowHttpLoopback: true, pollIntervalMs: 50 },
});
const workers = h.webhooks.start();
afterAll(() => workers.stop());
const receiver = await WebhookReceiver.start();
const server = await serve(h.app);
const publish = (body: object, token: string | null = TOKEN) => {
  const req = request(h.app).post('/internal/v1/events');
  return (token === null ? req : req.set('x-internal-token', token)).send(body);
};

describe('POST /internal/v1/events (the agenda service publishes through scheduling’s webhooks)', () => {
  it('delivers a homework.overdue published with the agenda service’s own client, once per id', async () => {
    const org = await h.newOrg('Agenda');
    const hook = await subscribe(org, `${receiver.url}/homework`, ['homework.*']);
    await subscribe(org, `${receiver.url}/occurrences-only`, ['occurrence.*']);
    const client = new SchedulingClient({ baseUrl: server.url, credentials: { internalToken: TOKEN, organizationId: org.id } });
    const event = {
      organizationId: org.id,
      type: 'homework.overdue',
      id: 'hw_123:overdue',
      occurredAt: '2026-11-02T09:00:00.000Z',
      data: { homeworkId: 'hw_123', title: 'Update the forecast', owner: { id: 'per_1', role: 'rep' } },
    };
    await client.publishEvent(event);
    await client.publishEvent(event); // a retried publish is the same event

    const [got] = await eventually('the published event', () =>
      receiver.at('/homework').length ? receiver.at('/homework') : undefined,
    );
    expect(new Webhook(hook.secret).verify(got!.body, got!.headers as Record<string, string>)).toEqual({
      type: 'homework.overdue',
      timestamp: '2026-11-02T09:00:00.000Z',
      data: event.data,
    });
    expect(await h.ctx.models.Outbox.countDocuments({ organizationId: org.id, type: 'homework.overdue' })).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.at('/homework')).toHaveLength(1);
    expect(receiver.at('/occurrences-only')).toHaveLength(0);

    const again = await publish(event).expect(202);
    expect(again.body).toEqual({ id: got!.id, type: 'homework.overdue', duplicate: true });
    const changed = await publish({ ...event, data: { homeworkId: 'hw_999' } }).expect(409);
    expect(changed.body.detail).toContain('hw_123:overdue');
  });

  it('requires the internal token and accepts only the agenda’s event namespaces, writing nothing otherwise', async () => {
    const org = await h.newOrg('Strict');
    const good = { organizationId: org.id, type: 'homework.overdue', id: 'x1', data: {} };
    expect((await publish(good, null).expect(401)).body.detail).toMatch(/X-Internal-Token/);
    await publish(good, 'wrong-token-wrong-token-wrong-token-00').expect(401);
    // an API key is not an internal token
    await request(h.app).post('/internal/v1/events').set('authorization', `Bearer ${org.key}`).send(good).expect(401);

    const spoof = await publish({ ...good, type: 'occurrence.cancelled' }).expect(400);
    expect(spoof.body.errors).toEqual([{ location: 'body', field: 'type', message: expect.stringContaining('homework.') }]);
    const bad = await publish({ organizationId: 'org_nope', type: 'homework', id: '', data: 'x', extra: 1 }).expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'data',
      'extra',
      'id',
      'organizationId',
      'type',
    ]);
    const unknown = await publish({ ...good, organizationId: 'org_000000000000000000000' }).expect(400);
    expect(unknown.body.errors).toEqual([{ location: 'body', field: 'organizationId', message: 'no such organization' }]);
    expect(await h.ctx.models.Outbox.countDocuments({ organizationId: org.id })).toBe(0);
  });

  it('is in the OpenAPI document, marked internal', async () => {
    const doc = (await request(h.app).get('/openapi.json').expect(200)).body;
    const op = doc.paths['/internal/v1/events'].post;
    expect(op.tags).toEqual(['Internal']);
    expect(op.summary).toMatch(/not for customers/);
    expect(op.security).toBeUndefined();
    expect(doc.paths['/v1/webhooks/{id}/deliveries/{deliveryId}/replay'].post.responses).toHaveProperty('202');
  });
});
