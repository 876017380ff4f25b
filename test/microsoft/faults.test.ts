import { describe, expect, it } from 'vitest';
import { developmentSecretsKey, SecretBox } from '@cadence/shared/crypto/secret-box';
import { extendedPropertyId } from '@cadence/scheduling/calendars/microsoft/ids';
import { reconcileAll } from '@cadence/scheduling/sync/reconcile';
import { eventually } from '../harness/webhook-receiver.js';
import { KEYS, microsoftOrg, microsoftSeries, microsoftSetup, outboxTypes, settle, typesAt, waitForType } from './support.js';

const s = await microsoftSetup('microsoft_faults');

describe('Outlook sync under lost delta links, throttling and refused tokens', () => {
  it('resyncs fully after a stale delta link (410) without duplicate events, and still sees a cancellation made meanwhile', async () => {
    const { org, manager, rep, path, userId } = await microsoftOrg(s, 'Acme', 'resync');
    const series = await microsoftSeries(org, manager.id, rep.id);
    const id = series.calendar.eventId;
    s.emulator.cancelOccurrence(userId, id, KEYS[0]!);
    await waitForType(s, path, 'occurrence.cancelled');
    await settle(s);
    const before = s.emulator.calls.length;
    s.emulator.invalidateDeltaLinks(userId);
    s.emulator.moveOccurrence(userId, id, KEYS[1]!, '2026-10-28T16:00:00Z');
    await waitForType(s, path, 'occurrence.moved');
    await settle(s);
    expect(s.emulator.calls.slice(before).some((c) => c.status === 410)).toBe(true);
    expect(await outboxTypes(s, series.id)).toEqual(['series.created', 'occurrence.cancelled', 'occurrence.moved']);
    // a full listing shows no removals: the remembered occurrence it no longer lists is checked
    s.emulator.invalidateDeltaLinks(userId);
    s.emulator.cancelOccurrence(userId, id, KEYS[3]!);
    await waitForType(s, path, 'occurrence.cancelled', 2);
    await settle(s);
    expect(typesAt(s, path)).toEqual(['series.created', 'occurrence.cancelled', 'occurrence.moved', 'occurrence.cancelled']);
  });

  it('honours 429 and 503 with Retry-After and still gives one webhook', async () => {
    const { org, manager, rep, path, userId } = await microsoftOrg(s, 'Acme', 'throttle');
    const series = await microsoftSeries(org, manager.id, rep.id);
    await waitForType(s, path, 'series.created');
    await settle(s);
    const before = s.emulator.calls.length;
    s.emulator.failNext(2, { status: 429, retryAfterSeconds: 1 });
    s.emulator.failNext(1, { status: 503, retryAfterSeconds: 1 });
    const t0 = Date.now();
    s.emulator.cancelOccurrence(userId, series.calendar.eventId, KEYS[2]!);
    await waitForType(s, path, 'occurrence.cancelled');
    await settle(s);
    const calls = s.emulator.calls.slice(before);
    expect(calls.filter((c) => c.status === 429)).toHaveLength(2);
    expect(calls.filter((c) => c.status === 503)).toHaveLength(1);
    // the client waited the Retry-After seconds between attempts
    expect(Date.now() - t0).toBeGreaterThanOrEqual(3000);
    expect(calls.some((c) => (c.retryAttempt ?? 0) >= 1)).toBe(true);
    expect(await outboxTypes(s, series.id)).toEqual(['series.created', 'occurrence.cancelled']);
  });

  it('asks again for the requests of a batch that Graph throttled one by one, and still gives one webhook', async () => {
    const { org, manager, rep, path, userId } = await microsoftOrg(s, 'Acme', 'batch-throttle');
    const series = await microsoftSeries(org, manager.id, rep.id);
    await waitForType(s, path, 'series.created');
    await settle(s);
    const before = s.emulator.calls.length;
    // both look-ups of the removal (its master, the occurrence) throttled inside the batch, once
    s.emulator.failNext(2, { status: 429, retryAfterSeconds: 1, inBatch: true });
    const t0 = Date.now();
    s.emulator.cancelOccurrence(userId, series.calendar.eventId, KEYS[2]!);
    await waitForType(s, path, 'occurrence.cancelled');
    await settle(s);
    const calls = s.emulator.calls.slice(before);
    expect(calls.filter((c) => c.inBatch && c.status === 429)).toHaveLength(2);
    // the batch answered 200 both times; its throttled requests went again after their Retry-After,
    // within the same sync (no delta round between the two batches: the sync did not fail)
    const http = calls.filter((c) => !c.inBatch && c.path.startsWith('/v1.0/')).map((c) => `${c.path} ${c.status}`);
    const first = http.indexOf('/v1.0/$batch 200');
    expect(http.slice(first, first + 2)).toEqual(['/v1.0/$batch 200', '/v1.0/$batch 200']);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(await outboxTypes(s, series.id)).toEqual(['series.created', 'occurrence.cancelled']);
  });

  it('gives up on a call Graph never answers after MICROSOFT_REQUEST_TIMEOUT_MS and tries again', async () => {
    const timeout = s.settings.MICROSOFT_REQUEST_TIMEOUT_MS;
    s.settings.MICROSOFT_REQUEST_TIMEOUT_MS = 300; // the new connection's client is built with it
    try {
      const { org, manager, rep, path, userId } = await microsoftOrg(s, 'Acme', 'stall');
      const series = await microsoftSeries(org, manager.id, rep.id);
      await waitForType(s, path, 'series.created');
      await settle(s);
      const before = s.emulator.calls.length;
      s.emulator.failNext(1, { status: 200, stall: true });
      s.emulator.cancelOccurrence(userId, series.calendar.eventId, KEYS[1]!);
      // without a deadline the sync would wait for the unanswered call for minutes
      await waitForType(s, path, 'occurrence.cancelled');
      const delta = s.emulator.calls.slice(before).filter((c) => c.path.includes('/delta'));
      expect(delta[0]?.status).toBeUndefined();
      expect(delta.some((c) => c.status === 200)).toBe(true);
      expect(await outboxTypes(s, series.id)).toEqual(['series.created', 'occurrence.cancelled']);
    } finally {
      s.settings.MICROSOFT_REQUEST_TIMEOUT_MS = timeout;
    }
  });

  it('puts a cancelled occurrence back under policy restore, as a single event in its slot', async () => {
    const { org, manager, rep, path, userId } = await microsoftOrg(s, 'Acme', 'restore');
    const series = await microsoftSeries(org, manager.id, rep.id, { policy: 'restore' });
    await waitForType(s, path, 'series.created');
    await settle(s);
    s.emulator.cancelOccurrence(userId, series.calendar.eventId, KEYS[2]!);
    await waitForType(s, path, 'occurrence.restored');
    await settle(s);
    const restore = await s.h.microsoft!.items.findOne({ kind: 'restore', seriesId: series.id }).lean();
    const event = s.emulator.getEventRaw(userId, restore!._id)!;
    expect(event).toMatchObject({
      type: 'singleInstance',
      start: { dateTime: '2026-11-03T14:00:00.0000000', timeZone: 'UTC' },
      attendees: [expect.objectContaining({ emailAddress: expect.objectContaining({ address: rep.email }) })],
      singleValueExtendedProperties: expect.arrayContaining([{ id: extendedPropertyId('OccurrenceKey'), value: KEYS[2] }]),
    });
    // the restoring event's own notification and sync change nothing more
    expect(await outboxTypes(s, series.id)).toEqual(['series.created', 'occurrence.cancelled', 'occurrence.restored']);
  });

  it('catches a change whose notification never came with the periodic reconcile', async () => {
    const { org, manager, rep, path, userId } = await microsoftOrg(s, 'Acme', 'missed');
    const series = await microsoftSeries(org, manager.id, rep.id);
    await waitForType(s, path, 'series.created');
    await settle(s);
    s.emulator.setChaos({ notificationDropRate: 1 });
    try {
      s.emulator.cancelOccurrence(userId, series.calendar.eventId, KEYS[3]!);
      await settle(s);
      expect(await outboxTypes(s, series.id)).toEqual(['series.created']);
      await reconcileAll(s.h.ctx.models, s.h.sync);
      await settle(s);
    } finally {
      s.emulator.setChaos({ notificationDropRate: 0 });
    }
    await waitForType(s, path, 'occurrence.cancelled');
    expect(await outboxTypes(s, series.id)).toEqual(['series.created', 'occurrence.cancelled']);
  });

  it('marks the connection reauth_required when Microsoft refuses the refresh token, once, without crashing', async () => {
    const { org, manager, rep, path, userId } = await microsoftOrg(s, 'Acme', 'revoked');
    const series = await microsoftSeries(org, manager.id, rep.id);
    await waitForType(s, path, 'series.created');
    await settle(s);
    const connection = (await s.h.ctx.models.Connections.findOne({ personId: manager.id }).lean())!;
    expect(
      s.emulator.revokeRefreshToken(new SecretBox(developmentSecretsKey()).open(connection.refreshTokenSealed, connection._id)),
    ).toBe(true);
    // the kept access token runs out (an hour), so the next call needs the refresh token
    s.clock.advance(2 * 3600_000);
    s.emulator.cancelOccurrence(userId, series.calendar.eventId, KEYS[1]!);
    await waitForType(s, path, 'connection.reauth_required');
    const view = await eventually('reauth_required', async () => {
      const res = await org.api.get(`/v1/connections/${connection._id}`).expect(200);
      return res.body.status === 'reauth_required' ? res.body : undefined;
    });
    expect(view.lastError).toMatch(/invalid_grant/);
    expect(
      await s.h.microsoft!.subscriptions['models'].Subscriptions.countDocuments({
        connectionId: connection._id,
        status: 'active',
      }),
    ).toBe(0);
    await s.h.sync.request(connection);
    await settle(s);
    expect(typesAt(s, path).filter((t) => t === 'connection.reauth_required')).toHaveLength(1);
    await org.api.get(`/v1/series/${series.id}`).expect(200);
  });
});
