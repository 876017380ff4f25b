import { describe, expect, it } from 'vitest';
import { developmentSecretsKey, SecretBox } from '@cadence/shared/crypto/secret-box';
import { reconcileAll } from '@cadence/scheduling/sync/reconcile';
import { eventually } from '../harness/webhook-receiver.js';
import { googleOrg, googleSeries, googleSetup, KEYS, typesAt, waitForType } from './support.js';

const s = await googleSetup('google_faults');
const outboxTypes = async (seriesId: string) =>
  (await s.h.ctx.models.Outbox.find({ seriesId }).sort({ sequence: 1 }).lean()).map((e) => e.type);
/** Lets every pending notification, sync and delivery finish. */
const settle = async () => {
  await s.emulator.notificationsIdle();
  await s.h.sync.drain();
  await new Promise((r) => setTimeout(r, 300));
};

describe('Google sync under repeats, reordering and failures', () => {
  it('gives one event for a notification delivered three times and for notifications out of order', async () => {
    const { org, manager, rep, path } = await googleOrg(s, 'Acme', 'dup');
    const series = await googleSeries(org, manager.id, rep.id);
    await waitForType(s, path, 'series.created');
    s.emulator.duplicateNextNotifications(3);
    s.emulator.cancelInstance(manager.email, series.calendar.eventId, KEYS[1]!);
    await waitForType(s, path, 'occurrence.cancelled');
    s.emulator.holdNotifications();
    s.emulator.cancelInstance(manager.email, series.calendar.eventId, KEYS[2]!);
    s.emulator.moveInstance(manager.email, series.calendar.eventId, KEYS[3]!, '2026-11-11T15:00:00Z');
    s.emulator.releaseNotifications('reverse');
    await waitForType(s, path, 'occurrence.moved');
    await settle();
    expect(await outboxTypes(series.id)).toEqual([
      'series.created',
      'occurrence.cancelled',
      'occurrence.cancelled',
      // two unexcused misses in a row: the escalation, once
      'cadence.at_risk',
      'occurrence.moved',
    ]);
    expect(typesAt(s, path)).toEqual(['series.created', 'occurrence.cancelled', 'occurrence.cancelled', 'occurrence.moved']);
  });

  it('answers 404 to a notification with a wrong token or an unknown channel, and changes nothing', async () => {
    const { org, manager, rep, path } = await googleOrg(s, 'Acme', 'token');
    const series = await googleSeries(org, manager.id, rep.id);
    await settle();
    const before = await s.h.ctx.models.SyncStates.findOne({ organizationId: org.id }).lean();
    const channel = s.emulator.channels().find((c) => c.account === manager.email && c.state === 'active')!;
    const headers = {
      'x-goog-channel-id': channel.id,
      'x-goog-resource-id': channel.resourceId,
      'x-goog-resource-state': 'exists',
      'x-goog-message-number': '9',
    };
    const forged = await fetch(`${s.server.url}/hooks/google`, {
      method: 'POST',
      headers: { ...headers, 'x-goog-channel-token': 'guessed' },
    });
    expect(forged.status).toBe(404);
    const unknown = await fetch(`${s.server.url}/hooks/google`, {
      method: 'POST',
      headers: { ...headers, 'x-goog-channel-id': 'nope', 'x-goog-channel-token': channel.token! },
    });
    expect(unknown.status).toBe(404);
    const after = await s.h.ctx.models.SyncStates.findOne({ organizationId: org.id }).lean();
    expect(after!.requestedAt).toEqual(before!.requestedAt);
    expect(after!.pending).toBe(false);
    expect(typesAt(s, path)).toEqual(['series.created']);
    expect(await outboxTypes(series.id)).toEqual(['series.created']);
  });

  it('resyncs fully after an expired sync token (410) without duplicate events, and retries rate limits and 5xx', async () => {
    const { org, manager, rep, path } = await googleOrg(s, 'Acme', 'resync');
    const series = await googleSeries(org, manager.id, rep.id);
    s.emulator.cancelInstance(manager.email, series.calendar.eventId, KEYS[0]!);
    await waitForType(s, path, 'occurrence.cancelled');
    s.emulator.expireSyncTokens(manager.email);
    s.emulator.failNext(2, { status: 403, reason: 'rateLimitExceeded', method: 'GET' });
    s.emulator.failNext(1, { status: 503, method: 'GET' });
    s.emulator.moveInstance(manager.email, series.calendar.eventId, KEYS[1]!, '2026-10-28T16:00:00Z');
    await waitForType(s, path, 'occurrence.moved');
    await settle();
    expect(await outboxTypes(series.id)).toEqual(['series.created', 'occurrence.cancelled', 'occurrence.moved']);
    const failed = s.emulator.calls.filter((c) => c.status === 403 || c.status === 503 || c.status === 410);
    expect(failed.length).toBeGreaterThanOrEqual(3);
  });

  it('gives up on a call Google never answers after GOOGLE_REQUEST_TIMEOUT_MS and tries again', async () => {
    const timeout = s.settings.GOOGLE_REQUEST_TIMEOUT_MS;
    s.settings.GOOGLE_REQUEST_TIMEOUT_MS = 300; // the new connection's client is built with it
    try {
      const { org, manager, rep, path } = await googleOrg(s, 'Acme', 'stall');
      const series = await googleSeries(org, manager.id, rep.id);
      await waitForType(s, path, 'series.created');
      await settle();
      s.emulator.failNext(1, { status: 200, stall: true, method: 'GET', pathIncludes: '/events' });
      s.emulator.cancelInstance(manager.email, series.calendar.eventId, KEYS[1]!);
      // without a deadline the sync would wait for the unanswered call for minutes
      await waitForType(s, path, 'occurrence.cancelled');
      // the unanswered call never got a status; the one after it did
      const stalled = s.emulator.calls.findLastIndex((c) => c.injected);
      expect(s.emulator.calls[stalled]?.status).toBeUndefined();
      expect(s.emulator.calls.slice(stalled + 1).some((c) => c.method === 'GET' && c.status === 200)).toBe(true);
      expect(await outboxTypes(series.id)).toEqual(['series.created', 'occurrence.cancelled']);
    } finally {
      s.settings.GOOGLE_REQUEST_TIMEOUT_MS = timeout;
    }
  });

  it('puts a cancelled instance back in Google under policy restore', async () => {
    const { org, manager, rep, path } = await googleOrg(s, 'Acme', 'restore');
    const series = await googleSeries(org, manager.id, rep.id, { policy: 'restore' });
    const instanceId = s.emulator.cancelInstance(manager.email, series.calendar.eventId, KEYS[2]!);
    await waitForType(s, path, 'occurrence.restored');
    expect(s.emulator.getEventRaw(manager.email, instanceId)).toMatchObject({ status: 'confirmed' });
    await settle();
    expect(await outboxTypes(series.id)).toEqual(['series.created', 'occurrence.cancelled', 'occurrence.restored']);
  });

  it('catches a change whose notification never came with the periodic reconcile', async () => {
    const { org, manager, rep, path } = await googleOrg(s, 'Acme', 'missed');
    const series = await googleSeries(org, manager.id, rep.id);
    await settle();
    s.emulator.setChaos({ notificationDropRate: 1 });
    try {
      s.emulator.cancelInstance(manager.email, series.calendar.eventId, KEYS[3]!);
      await settle();
      expect(await outboxTypes(series.id)).toEqual(['series.created']);
      await reconcileAll(s.h.ctx.models, s.h.sync);
      await settle();
    } finally {
      s.emulator.setChaos({ notificationDropRate: 0 });
    }
    await waitForType(s, path, 'occurrence.cancelled');
    expect(await outboxTypes(series.id)).toEqual(['series.created', 'occurrence.cancelled']);
  });

  it('renews a channel near expiry: a new channel first, then the old one stopped', async () => {
    const { manager } = await googleOrg(s, 'Acme', 'renew');
    const before = s.emulator.channels().filter((c) => c.account === manager.email && c.state === 'active');
    expect(before).toHaveLength(1);
    // a notification on the old channel, as Google would send one: accepted while it is active
    const notify = () =>
      fetch(`${s.server.url}/hooks/google`, {
        method: 'POST',
        headers: {
          'x-goog-channel-id': before[0]!.id,
          'x-goog-channel-token': before[0]!.token!,
          'x-goog-resource-id': before[0]!.resourceId,
          'x-goog-resource-state': 'exists',
          'x-goog-message-number': '7',
        },
      });
    expect((await notify()).status).toBe(200);
    const renewBefore = s.settings.GOOGLE_CHANNEL_RENEW_BEFORE_MS;
    s.settings.GOOGLE_CHANNEL_RENEW_BEFORE_MS = 8 * 24 * 3600_000; // every channel now counts as near expiry
    try {
      await s.h.google!.renewChannels();
      await s.h.google!.renewChannels();
    } finally {
      s.settings.GOOGLE_CHANNEL_RENEW_BEFORE_MS = renewBefore;
    }
    const after = s.emulator.channels().filter((c) => c.account === manager.email);
    const active = after.filter((c) => c.state === 'active');
    expect(active).toHaveLength(1);
    expect(active[0]!.id).not.toBe(before[0]!.id);
    expect(after.find((c) => c.id === before[0]!.id)!.state).not.toBe('active');
    // stopped here: refused at once, though verified (and remembered) a moment ago
    expect((await notify()).status).toBe(404);
  });

  it('marks the connection reauth_required when Google refuses the refresh token, once, without crashing', async () => {
    const { org, manager, rep, path } = await googleOrg(s, 'Acme', 'revoked');
    const series = await googleSeries(org, manager.id, rep.id);
    const connection = (await s.h.ctx.models.Connections.findOne({ personId: manager.id }).lean())!;
    s.emulator.revokeRefreshToken(new SecretBox(developmentSecretsKey()).open(connection.refreshTokenSealed, connection._id));
    s.emulator.cancelInstance(manager.email, series.calendar.eventId, KEYS[1]!);
    await waitForType(s, path, 'connection.reauth_required');
    const view = await eventually('reauth_required', async () => {
      const res = await org.api.get(`/v1/connections/${connection._id}`).expect(200);
      return res.body.status === 'reauth_required' ? res.body : undefined;
    });
    expect(view.lastError).toMatch(/invalid_grant/);
    expect(await s.h.ctx.models.Channels.countDocuments({ connectionId: connection._id, status: 'active' })).toBe(0);
    await s.h.sync.request(connection);
    await settle();
    expect(typesAt(s, path).filter((t) => t === 'connection.reauth_required')).toHaveLength(1);
    // Cadence still answers
    await org.api.get(`/v1/series/${series.id}`).expect(200);
  });
});
