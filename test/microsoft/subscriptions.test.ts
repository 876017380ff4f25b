import { createServer, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from '../harness/webhook-receiver.js';
import { connectMicrosoft, KEYS, microsoftOrg, microsoftSeries, microsoftSetup, settle, waitForType } from './support.js';

const s = await microsoftSetup('microsoft_subscriptions');
const mine = (userId: string) => s.emulator.subscriptions().filter((x) => x.userId === userId);

/** A loopback port that accepts connections and never answers: a notification URL that ignores the handshake. */
const sockets: Socket[] = [];
const silent = createServer((socket) => sockets.push(socket));
await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
afterAll(() => {
  for (const socket of sockets) socket.destroy();
  silent.close();
});

describe('Graph change-notification subscriptions', () => {
  it('answers the validation handshake with the token as text/plain', async () => {
    const token = 'Validation: Testing client application reachability for subscription Request-Id: 1 & 2';
    const res = await fetch(`${s.server.url}/hooks/microsoft?validationToken=${encodeURIComponent(token)}`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe(token);
  });

  it('fails cleanly when the handshake is not answered: the connection says why, and a later round subscribes', async () => {
    const org = await s.h.newOrg('Acme');
    const manager = (
      await org.api
        .post('/v1/people', { name: 'Mo', email: 'mo-silent@example.com', timeZone: 'America/New_York', roles: ['manager'] })
        .expect(201)
    ).body as { id: string; email: string };
    const url = s.settings.MICROSOFT_NOTIFICATION_URL;
    const { port } = silent.address() as { port: number };
    s.settings.MICROSOFT_NOTIFICATION_URL = `http://127.0.0.1:${port}/hooks/microsoft`;
    let account;
    try {
      account = await connectMicrosoft(s, org, manager.id, manager.email);
    } finally {
      s.settings.MICROSOFT_NOTIFICATION_URL = url;
    }
    const connection = (await org.api.get('/v1/connections').expect(200)).body.items[0];
    expect(connection.status).toBe('active');
    expect(connection.lastError).toMatch(
      /Microsoft refused the change-notification subscription .*validation request timed out/i,
    );
    expect(mine(account.userId)).toHaveLength(0);
    expect(await s.h.microsoft!.subscriptions['models'].Subscriptions.countDocuments({ connectionId: connection.id })).toBe(0);
    // the renewal worker tries again; with the right address the handshake passes and the mark goes
    await s.h.microsoft!.renewSubscriptions();
    expect(mine(account.userId)).toHaveLength(1);
    expect((await org.api.get(`/v1/connections/${connection.id}`).expect(200)).body.lastError).toBeNull();
  });

  it('ignores a notification with a wrong clientState or an unknown subscription: nothing changes', async () => {
    const { org, manager, rep, path, userId } = await microsoftOrg(s, 'Acme', 'forged');
    const series = await microsoftSeries(org, manager.id, rep.id);
    await waitForType(s, path, 'series.created');
    await settle(s);
    const before = await s.h.ctx.models.SyncStates.findOne({ organizationId: org.id }).lean();
    const sub = mine(userId)[0]!;
    const body = (subscriptionId: string, clientState: string) =>
      JSON.stringify({
        value: [
          {
            subscriptionId,
            clientState,
            changeType: 'deleted',
            resource: `Users/${userId}/Events/${series.calendar.eventId}`,
            resourceData: { id: series.calendar.eventId },
          },
        ],
      });
    for (const forged of [body(sub.id, 'guessed'), body('00000000-0000-0000-0000-000000000000', sub.clientState!)]) {
      const res = await fetch(`${s.server.url}/hooks/microsoft`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: forged,
      });
      expect(res.status).toBe(202);
    }
    await settle(s);
    const after = await s.h.ctx.models.SyncStates.findOne({ organizationId: org.id }).lean();
    expect(after!.requestedAt).toEqual(before!.requestedAt);
    expect(after!.generation).toBe(before!.generation);
    expect(await s.h.ctx.models.Outbox.countDocuments({ seriesId: series.id })).toBe(1);
  });

  it('subscribes again after a subscriptionRemoved lifecycle notification, and changes keep arriving', async () => {
    const { org, manager, rep, path, userId } = await microsoftOrg(s, 'Acme', 'removed');
    const series = await microsoftSeries(org, manager.id, rep.id);
    await waitForType(s, path, 'series.created');
    const old = mine(userId)[0]!;
    expect(s.emulator.dropSubscription(old.id)).toBe(true);
    const fresh = await eventually('a new subscription', () => mine(userId).find((x) => x.id !== old.id));
    const Subscriptions = s.h.microsoft!.subscriptions['models'].Subscriptions;
    await eventually('the new subscription stored', async () =>
      (await Subscriptions.findById(fresh.id).lean())?.status === 'active' ? true : undefined,
    );
    expect((await Subscriptions.findById(old.id).lean())?.status).toBe('removed');
    await settle(s);
    s.emulator.cancelOccurrence(userId, series.calendar.eventId, KEYS[1]!);
    await waitForType(s, path, 'occurrence.cancelled');
  });

  it('syncs on a missed lifecycle notification: a change whose notification was lost still arrives', async () => {
    const { org, manager, rep, path, userId } = await microsoftOrg(s, 'Acme', 'missed');
    const series = await microsoftSeries(org, manager.id, rep.id);
    await waitForType(s, path, 'series.created');
    await settle(s);
    s.emulator.setChaos({ notificationDropRate: 1 });
    try {
      s.emulator.cancelOccurrence(userId, series.calendar.eventId, KEYS[4]!);
      await settle(s);
    } finally {
      s.emulator.setChaos({ notificationDropRate: 0 });
    }
    expect(await s.h.ctx.models.Outbox.countDocuments({ seriesId: series.id })).toBe(1);
    expect(s.emulator.sendLifecycle(mine(userId)[0]!.id, 'missed')).toBe(true);
    await waitForType(s, path, 'occurrence.cancelled');
  });

  it('renews before expiry once across two racing replicas, and renews on reauthorizationRequired', async () => {
    const { userId } = await microsoftOrg(s, 'Acme', 'renew');
    const [sub] = mine(userId);
    // 60 of its 70 hours later, less than the 12-hour margin is left
    s.clock.advance(60 * 3600_000);
    const calls = s.emulator.calls.length;
    // two "replicas" racing: the insert-claimed lock lets one of them renew
    await Promise.all([s.h.microsoft!.renewSubscriptions(), s.h.microsoft!.renewSubscriptions()]);
    await s.h.microsoft!.renewSubscriptions();
    const patches = s.emulator.calls.slice(calls).filter((c) => c.method === 'PATCH' && c.path.includes(sub!.id));
    expect(patches).toHaveLength(1);
    expect(mine(userId)).toHaveLength(1);
    expect(mine(userId)[0]!.id).toBe(sub!.id);
    expect(mine(userId)[0]!.expirationDateTime).toEqual(new Date(s.clock.now().getTime() + 4200 * 60_000));
    const before = s.emulator.calls.length;
    expect(s.emulator.sendLifecycle(sub!.id, 'reauthorizationRequired')).toBe(true);
    await eventually('a renewal after reauthorizationRequired', () =>
      s.emulator.calls.slice(before).some((c) => c.method === 'PATCH' && c.path.includes(sub!.id)) ? true : undefined,
    );
    expect(mine(userId)[0]!.reauthorizationRequired).toBe(false);
  });
});
