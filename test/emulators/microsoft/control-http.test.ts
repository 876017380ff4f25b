import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useEmulator, weeklyOneOnOne } from './test-support.js';
import type { Json } from './test-support.js';

const run = promisify(execFile);

describe('Microsoft emulator: control over HTTP and trust from child processes', () => {
  const fx = useEmulator();

  const control = async (name: string, body: Json) => {
    const res = await fetch(`${fx.emulator.controlUrl}/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };

  it('performs person actions sent as JSON, with the same effect as the API', async () => {
    const account = await control('accounts', { email: 'second.manager@contoso.example' });
    expect(account.status).toBe(200);
    expect(account.body).toMatchObject({
      userId: expect.any(String),
      refreshToken: expect.any(String),
      clientId: fx.manager.clientId,
    });

    const series = (await fx.client.api('/me/events').post(weeklyOneOnOne())) as Json;
    const cancelled = await control('cancelOccurrence', {
      userId: fx.manager.userId,
      masterId: series.id,
      originalStartUtc: '2026-10-27T13:00:00Z',
    });
    expect(cancelled).toEqual({ status: 200, body: { ok: true } });
    await control('moveOccurrence', {
      userId: fx.manager.userId,
      masterId: series.id,
      originalStartUtc: '2026-11-03T14:00:00Z',
      newStart: '2026-11-03T16:00:00Z',
    });
    await control('editEvent', { userId: fx.manager.userId, eventId: series.id, patch: { location: { displayName: 'Room 9' } } });

    const raw = await fetch(`${fx.emulator.controlUrl}/events/${fx.manager.userId}/${series.id}`);
    const stored = (await raw.json()) as Json;
    expect(stored.removedOccurrences).toEqual(['2026-10-27T13:00:00Z']);
    expect(stored.modifiedOccurrences).toEqual(['2026-11-03T14:00:00Z']);
    expect(stored.location.displayName).toBe('Room 9');
    expect(stored.singleValueExtendedProperties).toHaveLength(1);

    const instances = (await fx.client
      .api(`/me/events/${series.id}/instances?startDateTime=2026-10-19T00:00:00Z&endDateTime=2026-11-08T00:00:00Z`)
      .get()) as Json;
    expect(instances.value.map((i: Json) => [i.originalStart, i.type, i.location.displayName])).toEqual([
      ['2026-10-20T13:00:00Z', 'occurrence', 'Room 9'],
      ['2026-11-03T14:00:00Z', 'exception', 'Room 9'],
    ]);

    const missing = await control('cancelOccurrence', {
      userId: fx.manager.userId,
      masterId: series.id,
      originalStartUtc: '2026-10-28T13:00:00Z',
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('ErrorItemNotFound');

    const failing = await control('failNext', { n: 1, status: 503, retryAfterSeconds: 0 });
    expect(failing.status).toBe(200);
    const res = await fetch(`${fx.emulator.url}/v1.0/me`, { headers: { authorization: `Bearer ${fx.manager.accessToken}` } });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('0');

    const calls = (await (await fetch(`${fx.emulator.controlUrl}/calls`)).json()) as Json[];
    expect(calls.at(-1)).toMatchObject({ method: 'GET', path: '/v1.0/me', status: 503 });
    expect(calls.some((c) => String(c.path).startsWith('/_emulator'))).toBe(false);
  });

  it('serves a CA bundle that lets a child process reach the emulator over HTTPS', async () => {
    const bundle = await readFile(fx.emulator.caBundlePath, 'utf8');
    expect(bundle).toContain(fx.emulator.caPem.trim());
    const script = `
      const res = await fetch(process.argv[1] + '/v1.0/me', { headers: { authorization: 'Bearer ' + process.argv[2] } });
      process.stdout.write(JSON.stringify({ status: res.status, body: await res.json() }));
    `;
    const child = await run(process.execPath, ['--input-type=module', '-e', script, fx.emulator.url, fx.manager.accessToken], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: fx.emulator.caBundlePath },
      timeout: 20_000,
    });
    expect(JSON.parse(child.stdout)).toMatchObject({ status: 200, body: { mail: 'manager@contoso.example' } });

    // Without the bundle the certificate is refused: the trust really comes from the test CA.
    const untrusted = await run(
      process.execPath,
      ['--input-type=module', '-e', script, fx.emulator.url, fx.manager.accessToken],
      {
        env: { ...process.env, NODE_EXTRA_CA_CERTS: '' },
        timeout: 20_000,
      },
    ).then(
      () => 'connected',
      () => 'refused',
    );
    expect(untrusted).toBe('refused');
  });
});
