import { describe, expect, it } from 'vitest';
import { graphFailure, useEmulator, weeklyOneOnOne, type Json } from './test-support.js';

interface BatchAnswer {
  id: string;
  status: number;
  headers?: Record<string, string>;
  body?: Json;
}

describe('Microsoft emulator: JSON batching', () => {
  const fx = useEmulator();
  const batch = async (requests: unknown[]) =>
    ((await fx.client.api('/$batch').post({ requests })) as { responses: BatchAnswer[] }).responses;
  const byId = (answers: BatchAnswer[]) => new Map(answers.map((a) => [a.id, a]));

  it('answers each request as if sent alone, in one HTTP call', async () => {
    const made = (await fx.client.api('/me/events').post(weeklyOneOnOne())) as Json;
    const before = fx.emulator.calls.length;
    const answers = byId(
      await batch([
        { id: '1', method: 'GET', url: `/me/events/${made.id}?$select=id,recurrence` },
        { id: '2', method: 'GET', url: '/me/events/AAMkNoSuchEvent' },
        {
          id: '3',
          method: 'PATCH',
          url: `/me/events/${made.id}`,
          body: { subject: 'Moved' },
          headers: { 'Content-Type': 'application/json' },
        },
      ]),
    );
    expect(answers.get('1')).toMatchObject({ status: 200, body: { id: made.id, recurrence: { pattern: { type: 'weekly' } } } });
    expect(answers.get('1')!.body).not.toHaveProperty('subject');
    expect(answers.get('2')).toMatchObject({ status: 404, body: { error: { code: 'ErrorItemNotFound' } } });
    expect(answers.get('3')).toMatchObject({ status: 200, body: { subject: 'Moved' } });
    const calls = fx.emulator.calls.slice(before);
    expect(calls.filter((c) => !c.inBatch).map((c) => c.path)).toEqual(['/v1.0/$batch']);
    expect(calls.filter((c) => c.inBatch)).toHaveLength(3);
    expect(((await fx.client.api(`/me/events/${made.id}`).get()) as Json).subject).toBe('Moved');
  });

  it('throttles requests one by one: a 429 inside the batch carries its own Retry-After', async () => {
    fx.emulator.failNext(1, { status: 429, retryAfterSeconds: 7, inBatch: true });
    const answers = await batch([
      { id: 'a', method: 'GET', url: '/me' },
      { id: 'b', method: 'GET', url: '/me' },
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 429]);
    expect(answers.find((a) => a.status === 429)).toMatchObject({
      headers: { 'Retry-After': '7' },
      body: { error: { code: 'ApplicationThrottled' } },
    });
  });

  it('refuses a batch Graph refuses, whole', async () => {
    const tooMany = Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: '/me' }));
    expect((await graphFailure(fx.client.api('/$batch').post({ requests: tooMany }))).statusCode).toBe(400);
    const twice = [
      { id: 'x', method: 'GET', url: '/me' },
      { id: 'X', method: 'GET', url: '/me' },
    ];
    expect((await graphFailure(fx.client.api('/$batch').post({ requests: twice }))).statusCode).toBe(400);
    const absolute = [{ id: '1', method: 'GET', url: `${fx.emulator.url}/v1.0/me` }];
    expect((await graphFailure(fx.client.api('/$batch').post({ requests: absolute }))).statusCode).toBe(400);
    const bodyWithoutType = [{ id: '1', method: 'POST', url: '/me/events', body: weeklyOneOnOne() }];
    expect((await graphFailure(fx.client.api('/$batch').post({ requests: bodyWithoutType }))).statusCode).toBe(400);
  });

  it('runs dependent requests in order and fails those whose dependency failed with 424', async () => {
    const answers = byId(
      await batch([
        { id: '1', method: 'GET', url: '/me/events/AAMkMissing' },
        { id: '2', method: 'GET', url: '/me', dependsOn: ['1'] },
        { id: '3', method: 'GET', url: '/me' },
      ]),
    );
    expect(answers.get('1')!.status).toBe(404);
    expect(answers.get('2')!.status).toBe(424);
    expect(answers.get('3')!.status).toBe(200);
  });
});
