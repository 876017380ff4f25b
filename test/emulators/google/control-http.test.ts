import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGoogleEmulator, type Account, type GoogleEmulator } from './index.js';
import { calendarFor, failure, weeklyOneOnOne } from './test-support.js';

// A separate process (a benchmark) drives the emulator only through /_emulator over HTTP.
let emulator: GoogleEmulator;

beforeAll(async () => {
  emulator = await startGoogleEmulator({ now: () => new Date('2026-10-01T12:00:00Z') });
});
afterAll(async () => {
  expect(emulator.internalErrors).toEqual([]);
  await emulator.close();
});

async function control<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${emulator.url}_emulator${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

describe('HTTP control routes', () => {
  it('create an account, then act on its calendar like a person', async () => {
    const created = await control<Account>('POST', '/accounts', { email: 'bench@example.com', timeZone: 'America/New_York' });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      email: 'bench@example.com',
      calendarId: 'bench@example.com',
      refreshToken: expect.any(String),
    });
    const calendar = calendarFor(emulator, created.body);
    const { data: series } = await calendar.events.insert({ calendarId: 'primary', requestBody: weeklyOneOnOne() });
    const { data: full } = await calendar.events.list({ calendarId: 'primary' });
    const base = `/calendars/${encodeURIComponent('bench@example.com')}/events/${series.id}`;

    expect((await control('POST', `${base}/cancel-instance`, { originalStart: '20261020T130000Z' })).body).toEqual({
      id: `${series.id}_20261020T130000Z`,
    });
    await control('POST', `${base}/move-instance`, { originalStart: '2026-10-27T13:00:00Z', start: '2026-10-28T13:00:00Z' });
    await control('POST', `${base}/decline-instance`, { originalStart: '2026-11-03T14:00:00Z', attendee: 'bob@example.com' });
    await control('PATCH', base, { location: 'Room 7' });
    const truncated = await control<{ id: string }>('POST', `${base}/truncate`, { from: '2026-11-17T14:00:00Z' });
    expect(truncated.body.id).toMatch(new RegExp(`^${series.id}_R`));

    const changes = (await calendar.events.list({ calendarId: 'primary', syncToken: full.nextSyncToken! })).data.items!;
    const byId = new Map(changes.map((c) => [c.id, c]));
    expect(byId.get(`${series.id}_20261020T130000Z`)?.status).toBe('cancelled');
    expect(byId.get(`${series.id}_20261027T130000Z`)?.start?.dateTime).toBe('2026-10-28T09:00:00-04:00');
    expect(byId.get(`${series.id}_20261103T140000Z`)?.attendees?.find((a) => a.email === 'bob@example.com')?.responseStatus).toBe(
      'declined',
    );
    expect(byId.get(series.id)?.location).toBe('Room 7');
    expect(byId.get(series.id)?.recurrence?.[0]).toContain('UNTIL=');
    expect(byId.get(truncated.body.id)?.status).toBe('confirmed');

    const raw = await control<{ status: string }>('GET', `${base}`);
    expect(raw.body.status).toBe('confirmed');
    await control('POST', `${base}/decline-series`, { attendee: 'bob@example.com' });
    await control('DELETE', base);
    expect((await control<{ status: string }>('GET', base)).body.status).toBe('cancelled');
    expect((await control('GET', `/calendars/${encodeURIComponent('bench@example.com')}/events/nope1`)).status).toBe(404);
  });

  it('expire sync tokens, revoke refresh tokens, inject failures, read calls and channels', async () => {
    await control('DELETE', '/calls');
    const { body: account } = await control<Account>('POST', '/accounts', { email: 'ops@example.com' });
    const calendar = calendarFor(emulator, account);
    const token = (await calendar.events.list({ calendarId: 'primary' })).data.nextSyncToken!;
    expect((await control('POST', '/sync-tokens/expire', { calendarId: 'ops@example.com' })).status).toBe(204);
    expect((await failure(calendar.events.list({ calendarId: 'primary', syncToken: token }))).status).toBe(410);

    expect(
      (await control('POST', '/fail-next', { count: 1, status: 403, reason: 'userRateLimitExceeded', method: 'POST' })).status,
    ).toBe(204);
    const limited = await failure(calendar.events.insert({ calendarId: 'primary', requestBody: weeklyOneOnOne() }));
    expect(limited.response?.data.error?.errors?.[0]?.reason).toBe('userRateLimitExceeded');

    await control('POST', '/chaos', { apiErrorRate: 1 });
    expect(
      (await failure(calendar.events.insert({ calendarId: 'primary', requestBody: weeklyOneOnOne() }))).status,
    ).toBeGreaterThanOrEqual(403);
    await control('POST', '/chaos', { apiErrorRate: 0 });

    const calls = await control<{ calls: { kind: string; method: string; path: string }[] }>('GET', '/calls');
    expect(calls.body.calls.filter((c) => c.kind === 'api' && c.method === 'POST')).toHaveLength(2);
    expect((await control('DELETE', '/calls')).status).toBe(204);
    expect((await control<{ calls: unknown[] }>('GET', '/calls')).body.calls).toEqual([]);

    await calendar.events.watch({
      calendarId: 'primary',
      requestBody: { id: 'bench-ch', type: 'web_hook', address: 'http://127.0.0.1:9/hook' },
    });
    const channels = await control<{ channels: { id: string; state: string }[] }>('GET', '/channels');
    expect(channels.body.channels).toContainEqual(expect.objectContaining({ id: 'bench-ch', state: 'active' }));

    await control('POST', '/refresh-tokens/revoke', { token: account.refreshToken });
    expect((await failure(calendarFor(emulator, account).events.list({ calendarId: 'primary' }))).message).toBe('invalid_grant');
  });

  it('refuses malformed control requests with 400', async () => {
    expect((await control('POST', '/fail-next', { status: 'soon' })).status).toBe(400);
    expect(
      (await control('POST', '/calendars/nobody%40example.com/events/x/cancel-instance', { originalStart: '20261020T130000Z' }))
        .status,
    ).toBe(400);
  });
});

describe('standalone process', () => {
  it('prints its addresses, serves the control routes and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./main.ts', import.meta.url))], {
      cwd: fileURLToPath(new URL('../../..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const [line] = (await Promise.race([
        once(createInterface({ input: child.stdout }), 'line'),
        new Promise((_, reject) => setTimeout(() => reject(new Error('no address printed within 15 s')), 15_000)),
      ])) as [string];
      const info = JSON.parse(line) as { url: string; tokenUrl: string; clientId: string };
      expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const created = await fetch(`${info.url}_emulator/accounts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'bench@example.com' }),
      });
      const account = (await created.json()) as Account;
      expect(account.clientId).toBe(info.clientId);
      const list = await fetch(`${info.url}calendar/v3/calendars/primary/events`, {
        headers: { authorization: `Bearer ${account.accessToken}` },
      });
      expect(list.status).toBe(200);
    } finally {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
    expect(child.exitCode).toBe(0);
  });
});
