import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { parseConfig, schedulingConfigSchema } from '@cadence/shared/config';
import { SecretBox, developmentSecretsKey } from '@cadence/shared/crypto';
import { filterProblem, matchesAny } from '@cadence/scheduling/webhooks/event-types';
import { decide, retryAfterMs } from '@cadence/scheduling/webhooks/retry';
import { ROTATION_OVERLAP_MS, SigningSecrets, newSigningSecret } from '@cadence/scheduling/webhooks/secrets';
import { dueDeliveries, standingClaims, type QueuedRef } from '@cadence/scheduling/webhooks/selection';
import { STANDARD_RETRY_SCHEDULE } from '@cadence/scheduling/webhooks/settings';
import { signedHeaders } from '@cadence/scheduling/webhooks/signing';
import { TargetGuard } from '@cadence/scheduling/webhooks/target-guard';
import type { SendOutcome } from '@cadence/scheduling/webhooks/transport';

const now = new Date('2026-11-02T10:00:00Z');
const answer = (responseStatus: number | null, headers: Record<string, string> = {}): SendOutcome => ({
  responseStatus,
  error: responseStatus === null ? 'timeout' : null,
  responseHeaders: headers,
  responseBody: null,
  durationMs: 5,
});

describe('retry schedule', () => {
  it('is the Standard Webhooks schedule by default, from config as from code', () => {
    expect(STANDARD_RETRY_SCHEDULE.map((ms) => ms / 1000)).toEqual([0, 5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400]);
    expect(parseConfig('scheduling', schedulingConfigSchema, {}).WEBHOOK_RETRY_SCHEDULE).toEqual(STANDARD_RETRY_SCHEDULE);
    expect(
      parseConfig('scheduling', schedulingConfigSchema, { WEBHOOK_RETRY_SCHEDULE: '0,50ms,1s' }).WEBHOOK_RETRY_SCHEDULE,
    ).toEqual([0, 50, 1000]);
  });

  it('ends on 2xx, stops on 410, waits for the next step with jitter, and gives up after the last', () => {
    expect(decide(answer(204), 1, STANDARD_RETRY_SCHEDULE, now)).toEqual({ kind: 'succeeded' });
    expect(decide(answer(410), 1, STANDARD_RETRY_SCHEDULE, now)).toEqual({ kind: 'gone' });
    for (const [random, ms] of [
      [0, 4500],
      [0.5, 5000],
      [1, 5500],
    ] as const) {
      expect(decide(answer(500), 1, STANDARD_RETRY_SCHEDULE, now, () => random)).toEqual({
        kind: 'retry',
        at: new Date(now.getTime() + ms),
      });
    }
    expect(decide(answer(null), 3, STANDARD_RETRY_SCHEDULE, now, () => 0.5)).toEqual({
      kind: 'retry',
      at: new Date(now.getTime() + 1_800_000),
    });
    expect(decide(answer(500), 10, STANDARD_RETRY_SCHEDULE, now)).toEqual({ kind: 'exhausted' });
    expect(decide(answer(302), 3, [0, 1, 2], now)).toEqual({ kind: 'exhausted' });
  });

  it('honours Retry-After (seconds or a date) on 429 and 503 when longer than the schedule, capped at a day', () => {
    const at = (d: ReturnType<typeof decide>) => (d.kind === 'retry' ? d.at.getTime() - now.getTime() : -1);
    expect(at(decide(answer(429, { 'retry-after': '120' }), 1, STANDARD_RETRY_SCHEDULE, now, () => 0.5))).toBe(120_000);
    expect(
      at(decide(answer(503, { 'retry-after': 'Mon, 02 Nov 2026 11:00:00 GMT' }), 1, STANDARD_RETRY_SCHEDULE, now, () => 0.5)),
    ).toBe(3_600_000);
    // shorter than the schedule's step: the step wins
    expect(at(decide(answer(429, { 'retry-after': '1' }), 2, STANDARD_RETRY_SCHEDULE, now, () => 0.5))).toBe(300_000);
    expect(at(decide(answer(429, { 'retry-after': '9999999' }), 1, STANDARD_RETRY_SCHEDULE, now, () => 0.5))).toBe(86_400_000);
    // only on 429 and 503
    expect(at(decide(answer(500, { 'retry-after': '120' }), 1, STANDARD_RETRY_SCHEDULE, now, () => 0.5))).toBe(5000);
    expect(retryAfterMs('soon', now)).toBeNull();
  });
});

describe('choosing what to send', () => {
  const ref = (id: string, sub: string, series: string | null, sequence: number, dueInMs = 0): QueuedRef => ({
    _id: id,
    subscriptionId: sub,
    seriesId: series,
    sequence,
    nextAttemptAt: new Date(now.getTime() + dueInMs),
  });

  it('sends only the first queued event of each series, skips claimed and disabled ones, and keeps the in-flight limit', () => {
    const items = [
      ref('a1', 's1', 'A', 1),
      ref('a2', 's1', 'A', 2),
      ref('b1', 's1', 'B', 3, 60_000), // retrying later: blocks B
      ref('b2', 's1', 'B', 4),
      ref('n1', 's1', null, 5),
      ref('n2', 's1', null, 6),
      ref('c1', 's2', 'C', 7),
      ref('d1', 's3', 'D', 8),
    ];
    expect(dueDeliveries(items, new Set(), new Set(['s1', 's2']), now, 10).map((i) => i._id)).toEqual(['a1', 'n1', 'n2', 'c1']);
    expect(dueDeliveries(items, new Set(['a1']), new Set(['s1', 's2']), now, 2).map((i) => i._id)).toEqual(['n1', 'c1']);
  });

  it('keeps a new claim only if the delivery is unchanged, first of its series and within the limit, on a fresh read', () => {
    const q = (id: string, series: string | null, sequence: number, round = 0, dueInMs = 0) => ({
      ...ref(id, 's1', series, sequence, dueInMs),
      round,
    });
    const picks = [q('a2', 'A', 2), q('b1', 'B', 3), q('c1', 'C', 4), q('d1', 'D', 5), q('e1', 'E', 6)];
    const fresh = [
      q('a1', 'A', 1),
      q('a2', 'A', 2),
      q('b1', 'B', 3, 1),
      q('c1', 'C', 4),
      q('d1', 'D', 5),
      q('e1', 'E', 6),
      q('x1', 'X', 7),
    ];
    // another replica sends x1; this worker claimed the five picks
    const live = [{ key: 'x1', subscriptionId: 's1' }, ...picks.map((p) => ({ key: p._id, subscriptionId: 's1' }))];
    // a2 waits for a1 (queued meanwhile), b1 was sent by someone else (next round), then two fit beside x1
    expect([...standingClaims(picks, fresh, fresh, live, now, 3)]).toEqual(['c1', 'd1']);
    expect(
      standingClaims(
        [q('e1', 'E', 6)],
        fresh,
        fresh.filter((f) => f._id !== 'e1'),
        live,
        now,
        3,
      ).size,
    ).toBe(0);
  });
});

describe('event type filters', () => {
  it('accepts exact names, namespace prefixes and *, and refuses typos and unknown namespaces', () => {
    expect(matchesAny(['occurrence.*'], 'occurrence.cancelled')).toBe(true);
    expect(matchesAny(['occurrence.*'], 'series.ended')).toBe(false);
    expect(matchesAny(['series.ended', 'homework.*'], 'homework.overdue')).toBe(true);
    expect(matchesAny(['*'], 'series.created')).toBe(true);
    expect(filterProblem('occurrence.cancelled')).toBeUndefined();
    expect(filterProblem('homework.overdue')).toBeUndefined();
    expect(filterProblem('occurence.cancelled')).toBe('is not a known event type');
    expect(filterProblem('occurrence.canceled')).toBe('is not a known event type');
    expect(filterProblem('payments.*')).toBe('has no known namespace');
    expect(filterProblem('Occurrence')).toMatch(/must be an event type/);
  });
});

describe('webhook targets (SSRF guard)', () => {
  const dns = async (host: string) =>
    host === 'localhost' ? [{ address: '127.0.0.1', family: 4 as const }] : [{ address: '10.9.9.9', family: 4 as const }];

  it('without the development flag: https only, and never loopback', async () => {
    const guard = new TargetGuard({ allowHttpLoopback: false, allowedTargets: [] }, dns);
    await expect(guard.resolve('http://127.0.0.1:8080/hook')).rejects.toThrow('must be an https URL');
    await expect(guard.resolve('https://127.0.0.1/hook')).rejects.toThrow(/127\.0\.0\.1, a loopback address/);
    await expect(guard.resolve('https://localhost/hook')).rejects.toThrow(/loopback/);
    await expect(guard.resolve('https://[::1]/hook')).rejects.toThrow(/loopback/);
    await expect(guard.resolve('https://8.8.8.8/hook')).resolves.toEqual({ address: '8.8.8.8', family: 4 });
  });

  it('with it: http and https to loopback; private targets only when allow-listed by range or name', async () => {
    const guard = new TargetGuard({ allowHttpLoopback: true, allowedTargets: ['10.9.0.0/16', 'hooks.internal'] }, dns);
    await expect(guard.resolve('http://localhost:3000/hook')).resolves.toEqual({ address: '127.0.0.1', family: 4 });
    await expect(guard.resolve('https://10.9.1.1/hook')).resolves.toMatchObject({ address: '10.9.1.1' });
    await expect(guard.resolve('https://anything.internal/hook')).resolves.toMatchObject({ address: '10.9.9.9' });
    await expect(guard.resolve('https://10.10.0.1/hook')).rejects.toThrow(/private/);
    const named = new TargetGuard({ allowHttpLoopback: false, allowedTargets: ['hooks.internal'] }, async () => [
      { address: '10.0.0.1', family: 4 },
    ]);
    await expect(named.resolve('https://hooks.internal/x')).resolves.toMatchObject({ address: '10.0.0.1' });
    await expect(named.resolve('https://other.internal/x')).rejects.toThrow(/private/);
  });

  it('refuses a name with any non-public address among its answers', async () => {
    const guard = new TargetGuard({ allowHttpLoopback: false, allowedTargets: [] }, async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '169.254.169.254', family: 4 },
    ]);
    await expect(guard.resolve('https://mixed.example/x')).rejects.toThrow(/169\.254\.169\.254/);
  });
});

describe('secrets', () => {
  it('are sealed with AES-256-GCM, bound to their record, and open only with the same key and context', () => {
    const box = new SecretBox(developmentSecretsKey());
    const sealed = box.seal('whsec_abc', 'webhook:whk_1');
    expect(sealed).not.toContain('abc');
    expect(box.seal('whsec_abc', 'webhook:whk_1')).not.toBe(sealed);
    expect(box.open(sealed, 'webhook:whk_1')).toBe('whsec_abc');
    expect(() => box.open(sealed, 'webhook:whk_2')).toThrow();
    expect(() => new SecretBox(Buffer.alloc(32, 7)).open(sealed, 'webhook:whk_1')).toThrow();
    const [v, iv, tag, ct] = sealed.split('.');
    const flipped = Buffer.from(ct!, 'base64url');
    flipped[0]! ^= 1;
    expect(() => box.open([v, iv, tag, flipped.toString('base64url')].join('.'), 'webhook:whk_1')).toThrow();
  });

  it('sign with both keys during the rotation overlap and with the new one only after it', () => {
    const secrets = new SigningSecrets(new SecretBox(developmentSecretsKey()));
    const [oldSecret, newSecret] = [newSigningSecret(), newSigningSecret()];
    const stored = secrets.rotate('whk_1', [secrets.seal('whk_1', oldSecret, now)], newSecret, now);
    expect(secrets.active('whk_1', stored, new Date(now.getTime() + ROTATION_OVERLAP_MS - 1))).toEqual([oldSecret, newSecret]);
    expect(secrets.active('whk_1', stored, new Date(now.getTime() + ROTATION_OVERLAP_MS))).toEqual([newSecret]);

    const at = new Date();
    const body = JSON.stringify({ type: 'webhook.test', timestamp: at.toISOString(), data: {} });
    const headers = signedHeaders('evt_1', body, [oldSecret, newSecret], at);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    for (const s of [oldSecret, newSecret])
      expect(new Webhook(s).verify(body, { ...headers })).toMatchObject({ type: 'webhook.test' });
  });
});
