import { randomUUID } from 'node:crypto';
import type { calendar_v3 } from '@cadence/scheduling/calendars/google/googleapis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGoogleEmulator, type Account, type GoogleEmulator } from './index.js';
import { calendarFor, failure, Receiver, weeklyOneOnOne } from './test-support.js';

let now = new Date('2026-10-01T12:00:00Z');
let emulator: GoogleEmulator;
let receiver: Receiver;
let accounts = 0;

beforeAll(async () => {
  emulator = await startGoogleEmulator({ now: () => now, notifications: { retryBaseDelayMs: 5 } });
  receiver = await new Receiver().start();
});
afterAll(async () => {
  expect(emulator.internalErrors).toEqual([]);
  await emulator.close();
  await receiver.close();
});

function freshCalendar(): { account: Account; calendar: calendar_v3.Calendar } {
  accounts += 1;
  const account = emulator.addAccount({ email: `watcher${accounts}@example.com`, timeZone: 'America/New_York' });
  return { account, calendar: calendarFor(emulator, account) };
}

async function watch(calendar: calendar_v3.Calendar, extra: Partial<calendar_v3.Schema$Channel> = {}) {
  const id = randomUUID();
  const { data } = await calendar.events.watch({
    calendarId: 'primary',
    requestBody: { id, type: 'web_hook', address: receiver.url, token: 'target=cadence&sig=abc', ...extra },
  });
  return data;
}

const numbers = (list: { headers: Record<string, unknown> }[]) => list.map((n) => Number(n.headers['x-goog-message-number']));

describe('events.watch', () => {
  it('opens a channel, sends sync (message 1) and then exists after each change, with Google headers and an empty body', async () => {
    const { account, calendar } = freshCalendar();
    const channel = await watch(calendar);
    expect(channel).toEqual({
      kind: 'api#channel',
      id: channel.id,
      resourceId: expect.any(String),
      resourceUri: `${emulator.url}calendar/v3/calendars/primary/events?alt=json`,
      token: 'target=cadence&sig=abc',
      expiration: String(now.getTime() + 604_800_000),
    });
    const [sync] = await receiver.waitFor(1, channel.id!);
    expect(sync!.method).toBe('POST');
    expect(sync!.body).toBe('');
    expect(sync!.headers).toMatchObject({
      'x-goog-channel-id': channel.id,
      'x-goog-channel-token': 'target=cadence&sig=abc',
      'x-goog-channel-expiration': new Date(Number(channel.expiration)).toUTCString(),
      'x-goog-resource-id': channel.resourceId,
      'x-goog-resource-uri': channel.resourceUri,
      'x-goog-resource-state': 'sync',
      'x-goog-message-number': '1',
      'content-length': '0',
    });

    const { data: series } = await calendar.events.insert({ calendarId: 'primary', requestBody: weeklyOneOnOne() });
    emulator.cancelInstance(account.calendarId, series.id!, '2026-10-27T13:00:00Z');
    emulator.declineInstance(account.calendarId, series.id!, '2026-11-03T14:00:00Z', 'bob@example.com');
    const all = await receiver.waitFor(4, channel.id!);
    expect(all.slice(1).map((n) => n.headers['x-goog-resource-state'])).toEqual(['exists', 'exists', 'exists']);
    const seen = numbers(all);
    // increasing, gaps allowed
    expect(seen.every((n, i) => i === 0 || n > seen[i - 1]!)).toBe(true);
    expect(emulator.channels().find((c) => c.id === channel.id)).toMatchObject({
      state: 'active',
      calendarId: account.calendarId,
    });
  });

  it('leaves out X-Goog-Channel-Token when no token was set; honours a shorter expiration and caps a longer one', async () => {
    const { calendar } = freshCalendar();
    const plain = await watch(calendar, { token: undefined, expiration: String(now.getTime() + 3_600_000) });
    expect(plain.expiration).toBe(String(now.getTime() + 3_600_000));
    expect(plain).not.toHaveProperty('token');
    const [sync] = await receiver.waitFor(1, plain.id!);
    expect(sync!.headers).not.toHaveProperty('x-goog-channel-token');
    const long = await watch(calendar, { expiration: String(now.getTime() + 30 * 86_400_000) });
    expect(long.expiration).toBe(String(now.getTime() + 604_800_000));
    const ttl = await watch(calendar, { params: { ttl: '600' } });
    expect(ttl.expiration).toBe(String(now.getTime() + 600_000));
  });

  it('refuses a non-HTTPS address (loopback http is allowed for tests) and a channel id in use', async () => {
    const { calendar } = freshCalendar();
    const insecure = await failure(watch(calendar, { address: 'http://hooks.example.com/google' }));
    expect(insecure.status).toBe(400);
    expect(insecure.response?.data.error?.errors?.[0]?.reason).toBe('push.webhookUrlNotHttps');
    const channel = await watch(calendar);
    const again = await failure(watch(calendar, { id: channel.id! }));
    expect(again.status).toBe(400);
    expect(again.response?.data.error?.errors?.[0]?.reason).toBe('channelIdNotUnique');
  });

  it('channels.stop answers 204 and the channel goes silent; stopping again is 404', async () => {
    const { account, calendar } = freshCalendar();
    const channel = await watch(calendar);
    await receiver.waitFor(1, channel.id!);
    const stopped = await calendar.channels.stop({ requestBody: { id: channel.id!, resourceId: channel.resourceId! } });
    expect(stopped.status).toBe(204);
    emulator.editEvent(
      account.calendarId,
      (await calendar.events.insert({ calendarId: 'primary', requestBody: weeklyOneOnOne() })).data.id!,
      {
        location: 'Room 2',
      },
    );
    await emulator.notificationsIdle();
    expect(receiver.received.filter((n) => n.headers['x-goog-channel-id'] === channel.id)).toHaveLength(1);
    const twice = await failure(calendar.channels.stop({ requestBody: { id: channel.id!, resourceId: channel.resourceId! } }));
    expect(twice.status).toBe(404);
    expect(emulator.channels().find((c) => c.id === channel.id)?.state).toBe('stopped');
  });

  it('an expired channel sends nothing', async () => {
    const { account, calendar } = freshCalendar();
    const channel = await watch(calendar, { expiration: String(now.getTime() + 60_000) });
    await receiver.waitFor(1, channel.id!);
    const { data: event } = await calendar.events.insert({ calendarId: 'primary', requestBody: weeklyOneOnOne() });
    await receiver.waitFor(2, channel.id!);
    now = new Date(now.getTime() + 120_000);
    emulator.deleteSeries(account.calendarId, event.id!);
    await emulator.notificationsIdle();
    expect(receiver.received.filter((n) => n.headers['x-goog-channel-id'] === channel.id)).toHaveLength(2);
    expect(emulator.channels().find((c) => c.id === channel.id)?.state).toBe('expired');
  });
});

describe('delivery', () => {
  it('retries 500/502/503/504 with backoff and gives up on other failures', async () => {
    const { calendar } = freshCalendar();
    receiver.script.push(503, 500);
    const channel = await watch(calendar);
    await receiver.waitFor(3, channel.id!);
    await emulator.notificationsIdle();
    expect(emulator.deliveries.find((d) => d.channelId === channel.id && d.state === 'sync')).toMatchObject({
      outcome: 'delivered',
      status: 200,
      attempts: 3,
    });

    receiver.script.push(404);
    await calendar.events.insert({ calendarId: 'primary', requestBody: weeklyOneOnOne() });
    await receiver.waitFor(4, channel.id!);
    await emulator.notificationsIdle();
    expect(emulator.deliveries.filter((d) => d.channelId === channel.id).at(-1)).toMatchObject({
      state: 'exists',
      outcome: 'failed',
      status: 404,
      attempts: 1,
    });
  });

  it('can duplicate, reorder, replay and drop notifications for tests', async () => {
    const { account, calendar } = freshCalendar();
    const channel = await watch(calendar);
    await receiver.waitFor(1, channel.id!);
    const { data: series } = await calendar.events.insert({ calendarId: 'primary', requestBody: weeklyOneOnOne() });
    await receiver.waitFor(2, channel.id!);

    emulator.duplicateNextNotifications(3);
    emulator.cancelInstance(account.calendarId, series.id!, '2026-10-20T13:00:00Z');
    const afterDup = await receiver.waitFor(5, channel.id!);
    const dupNumbers = numbers(afterDup.slice(2));
    expect(new Set(dupNumbers).size).toBe(1);

    emulator.holdNotifications();
    emulator.cancelInstance(account.calendarId, series.id!, '2026-10-27T13:00:00Z');
    emulator.cancelInstance(account.calendarId, series.id!, '2026-11-03T14:00:00Z');
    emulator.releaseNotifications('reverse');
    const reordered = numbers((await receiver.waitFor(7, channel.id!)).slice(5));
    expect(reordered[0]).toBeGreaterThan(reordered[1]!);

    emulator.replayNotification(channel.id!, 1);
    const replayed = (await receiver.waitFor(8, channel.id!)).at(-1)!;
    expect(replayed.headers).toMatchObject({ 'x-goog-resource-state': 'sync', 'x-goog-message-number': '1' });

    emulator.setChaos({ notificationDropRate: 1 });
    emulator.cancelInstance(account.calendarId, series.id!, '2026-11-10T14:00:00Z');
    emulator.setChaos({ notificationDropRate: 0 });
    emulator.cancelInstance(account.calendarId, series.id!, '2026-11-17T14:00:00Z');
    const last = (await receiver.waitFor(9, channel.id!)).at(-1)!;
    const dropped = emulator.deliveries.filter((d) => d.channelId === channel.id && d.outcome === 'dropped');
    expect(dropped).toHaveLength(1);
    // the dropped message used up its number: a gap the client can notice
    expect(Number(last.headers['x-goog-message-number'])).toBeGreaterThan(dropped[0]!.messageNumber);
  });
});
