import type { calendar_v3 } from '@cadence/scheduling/calendars/google/googleapis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGoogleEmulator, type Account, type GoogleEmulator } from './index.js';
import { calendarFor, failure, weeklyOneOnOne } from './test-support.js';

let emulator: GoogleEmulator;
let account: Account;
let calendar: calendar_v3.Calendar;

beforeAll(async () => {
  emulator = await startGoogleEmulator();
  account = emulator.addAccount({ email: 'throttled@example.com' });
  calendar = calendarFor(emulator, account);
  // get the token exchange out of the way so call logs below hold API calls only
  await calendar.events.list({ calendarId: 'primary' });
});
afterAll(async () => {
  expect(emulator.internalErrors).toEqual([]);
  await emulator.close();
});

const apiCalls = () =>
  emulator.calls.filter((c) => c.kind === 'api').map((c) => `${c.method} ${c.status}${c.injected ? ' injected' : ''}`);

describe('failNext', () => {
  it('answers 403 rate limits with Google’s body; googleapis does not retry them (nor POSTs)', async () => {
    emulator.clearCalls();
    emulator.failNext(1, { status: 403, reason: 'rateLimitExceeded' });
    const limited = await failure(calendar.events.insert({ calendarId: 'primary', requestBody: weeklyOneOnOne() }));
    expect(limited.status).toBe(403);
    expect(limited.response?.data).toEqual({
      error: {
        errors: [{ domain: 'usageLimits', reason: 'rateLimitExceeded', message: 'Rate Limit Exceeded' }],
        code: 403,
        message: 'Rate Limit Exceeded',
      },
    });
    emulator.failNext(1, { status: 403, reason: 'userRateLimitExceeded' });
    const user = await failure(calendar.events.list({ calendarId: 'primary' }));
    expect(user.response?.data.error?.errors?.[0]).toEqual({
      domain: 'usageLimits',
      reason: 'userRateLimitExceeded',
      message: 'User Rate Limit Exceeded',
    });
    expect(apiCalls()).toEqual(['POST 403 injected', 'GET 403 injected']);
    // the failed insert had no effect
    expect(emulator.eventIds(account.calendarId)).toEqual([]);
  });

  it('429 and 5xx: googleapis retries GETs (so the failures are used up), not POSTs', async () => {
    emulator.clearCalls();
    emulator.failNext(1, { status: 429, retryAfterSeconds: 1 });
    emulator.failNext(1, { status: 500 });
    const { status } = await calendar.events.list({ calendarId: 'primary' });
    expect(status).toBe(200);
    expect(apiCalls()).toEqual(['GET 429 injected', 'GET 500 injected', 'GET 200']);

    emulator.failNext(1, { status: 500 });
    const insert = await failure(calendar.events.insert({ calendarId: 'primary', requestBody: weeklyOneOnOne() }));
    expect(insert.status).toBe(500);
    expect(insert.response?.data.error?.errors?.[0]).toEqual({
      domain: 'global',
      reason: 'backendError',
      message: 'Backend Error',
    });

    emulator.failNext(1, { status: 429, retryAfterSeconds: 7 });
    const raw = await fetch(`${emulator.url}calendar/v3/calendars/primary/events`, {
      headers: { authorization: `Bearer ${account.accessToken}` },
    });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('7');
    expect(((await raw.json()) as { error: { errors: { reason: string; domain: string }[] } }).error.errors[0]).toMatchObject({
      reason: 'rateLimitExceeded',
      domain: 'usageLimits',
    });
  });

  it('matches by method and path, and can target the token endpoint', async () => {
    emulator.failNext(1, { status: 503, method: 'POST', pathIncludes: '/events/watch' });
    expect((await calendar.events.list({ calendarId: 'primary' })).status).toBe(200);
    const watch = await failure(
      calendar.events.watch({
        calendarId: 'primary',
        requestBody: { id: 'ch-1', type: 'web_hook', address: 'http://127.0.0.1:9/hook' },
      }),
    );
    expect(watch.status).toBe(503);

    const fresh = calendarFor(emulator, account);
    emulator.clearCalls();
    emulator.failNext(1, { status: 503, target: 'oauth' });
    expect((await fresh.events.list({ calendarId: 'primary' })).status).toBe(200);
    expect(emulator.calls.map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual([
      'POST /token 503',
      'POST /token 200',
      'GET /calendar/v3/calendars/primary/events 200',
    ]);
  });

  it('drops the connection before the call, or after it took effect', async () => {
    emulator.failNext(1, { status: 500, dropConnection: true, method: 'POST' });
    const dropped = await failure(
      calendar.events.insert({ calendarId: 'primary', requestBody: weeklyOneOnOne({ id: 'dropbefore01' }) }),
    );
    expect(dropped.status).toBeUndefined();
    expect(emulator.getEventRaw(account.calendarId, 'dropbefore01')).toBeUndefined();

    emulator.failNext(1, { status: 500, dropResponse: true, method: 'POST' });
    await failure(calendar.events.insert({ calendarId: 'primary', requestBody: weeklyOneOnOne({ id: 'dropafter001' }) }));
    expect(emulator.getEventRaw(account.calendarId, 'dropafter001')?.status).toBe('confirmed');
    // so a retry with the same client-chosen id learns it already exists
    const retry = await failure(
      calendar.events.insert({ calendarId: 'primary', requestBody: weeklyOneOnOne({ id: 'dropafter001' }) }),
    );
    expect(retry.status).toBe(409);
  });
});

describe('chaos and the call log', () => {
  it('fails the given share of API calls with Google-shaped errors, reproducibly', async () => {
    emulator.setChaos({ apiErrorRate: 1, seed: 7 });
    const reasons = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${emulator.url}calendar/v3/calendars/primary/events/nope123`, {
        headers: { authorization: `Bearer ${account.accessToken}` },
      });
      const body = (await res.json()) as { error: { code: number; errors: { reason: string }[] } };
      expect([403, 429, 500, 503]).toContain(res.status);
      expect(body.error.code).toBe(res.status);
      reasons.add(body.error.errors[0]!.reason);
    }
    expect(reasons.size).toBeGreaterThan(1);
    emulator.setChaos({ apiErrorRate: 0 });
    expect((await calendar.events.list({ calendarId: 'primary' })).status).toBe(200);
  });

  it('logs every Google call with method, path and time, so tests can count them', async () => {
    emulator.clearCalls();
    const before = Date.now();
    await calendar.events.list({ calendarId: 'primary', maxResults: 5 });
    await calendar.events.list({ calendarId: 'primary', maxResults: 5 });
    expect(emulator.calls).toHaveLength(2);
    expect(emulator.calls[0]).toMatchObject({
      kind: 'api',
      method: 'GET',
      path: '/calendar/v3/calendars/primary/events',
      query: '?maxResults=5',
      status: 200,
    });
    expect(emulator.calls[0]!.at.getTime()).toBeGreaterThanOrEqual(before);
  });
});
