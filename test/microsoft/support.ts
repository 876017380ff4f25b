import { afterAll, expect } from 'vitest';
import { startMicrosoftEmulator, type MicrosoftEmulatorOptions } from '../emulators/microsoft/index.js';
import { pair, type TestOrg } from '../harness/scheduling.js';
import { eventually, type WebhookReceiver } from '../harness/webhook-receiver.js';
import { calendarService } from '../providers/service.js';
import { microsoftEmulatorSettings } from '../providers/settings.js';

/** Occurrence keys of the Tuesday 09:00 New York series from 2026-10-20 (daylight saving ends on 1 November). */
export const KEYS = ['20261020T130000Z', '20261027T130000Z', '20261103T140000Z', '20261110T140000Z', '20261117T140000Z'];

/** One clock for Cadence and Graph (tokens and subscriptions compare), before the series starts; tests move it. */
export class TestClock {
  private offsetMs = 0;
  constructor(private readonly base = Date.parse('2026-10-01T12:00:00Z')) {}
  readonly now = () => new Date(this.base + this.offsetMs);
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

/**
 * The scheduling service with Outlook configured against the loopback Graph emulator (HTTPS with
 * a test CA this process trusts), its own HTTP address for consent callbacks and notifications,
 * running sync and webhook workers, and a webhook receiver.
 */
export async function microsoftSetup(label: string, emulatorOptions: MicrosoftEmulatorOptions = {}) {
  const clock = new TestClock();
  const emulator = await startMicrosoftEmulator({
    now: clock.now,
    notificationRetryDelaysMs: [100, 200],
    validationTimeoutMs: 2000,
    ...emulatorOptions,
  });
  const untrust = emulator.trustInThisProcess();
  afterAll(async () => {
    untrust();
    await emulator.close();
  });
  const { settings, listening } = microsoftEmulatorSettings(emulator);
  // the addresses Microsoft calls back are only known once the service listens
  const { h, server, receiver } = await calendarService(label, { now: clock.now, microsoft: settings }, (server) =>
    listening(server.url),
  );
  return { emulator, settings, clock, h, server, receiver };
}
export type MicrosoftSetup = Awaited<ReturnType<typeof microsoftSetup>>;

/** Connects a person's Microsoft account the way a browser would: consent page, then our callback. */
export async function connectMicrosoft(s: MicrosoftSetup, org: TestOrg, personId: string, email: string) {
  const account = s.emulator.addAccount({ email });
  const start = await org.api.post('/v1/connections/microsoft/start', { personId }).expect(201);
  const consent = await fetch(start.body.url as string, { redirect: 'manual' });
  expect(consent.status).toBe(302);
  const back = await fetch(consent.headers.get('location')!);
  expect(back.status, await back.clone().text()).toBe(200);
  return account;
}

/** An organization with a manager whose Outlook calendar is connected, a rep, and a webhook subscription. */
export async function microsoftOrg(s: MicrosoftSetup, name: string, suffix: string) {
  const org = await s.h.newOrg(name);
  const { manager, rep } = await pair(org, 'America/New_York', suffix);
  const account = await connectMicrosoft(s, org, manager.id, manager.email);
  const hook = (
    await org.api
      .post('/v1/webhooks', { url: `${s.receiver.url}/${suffix}`, eventTypes: ['occurrence.*', 'series.*', 'connection.*'] })
      .expect(201)
  ).body as { id: string; secret: string };
  return { org, manager, rep, hook, path: `/${suffix}`, userId: account.userId };
}

export async function microsoftSeries(org: TestOrg, managerId: string, repId: string, extra: object = {}) {
  const res = await org.api
    .post('/v1/series', {
      managerId,
      repId,
      weekday: 'tuesday',
      startTime: '09:00',
      timeZone: 'America/New_York',
      startDate: '2026-10-20',
      location: 'Room 4',
      calendar: 'microsoft',
      ...extra,
    })
    .expect(201);
  return res.body as { id: string; calendar: { eventId: string }; agendaUrl: string | null };
}

/** The event types that reached the receiver at `path`, in arrival order. */
export const typesAt = (s: { receiver: WebhookReceiver }, path: string) =>
  s.receiver.at(path).map((r) => (JSON.parse(r.body) as { type: string }).type);

export const waitForType = (s: MicrosoftSetup, path: string, type: string, count = 1) =>
  eventually(
    `${count} × ${type} at ${path}`,
    () => (typesAt(s, path).filter((t) => t === type).length >= count ? true : undefined),
    15_000,
  ).catch(async (err: unknown) => {
    // what the service and Graph were doing, so a timeout explains itself
    const logs = s.h.logs
      .lines()
      .filter((l) => (l.level as number) >= 40)
      .slice(-5);
    const calls = s.emulator.calls.slice(-8).map((c) => `${c.method} ${c.path} ${c.status ?? ''}`);
    const states = await s.h.ctx.models.SyncStates.find({}, { cursor: 0 }).lean();
    throw new Error(
      `${(err as Error).message}\nlogs: ${JSON.stringify(logs)}\ncalls: ${calls.join(', ')}\nsync: ${JSON.stringify(states)}`,
    );
  });

/** Lets every pending notification, sync and delivery finish. */
export async function settle(s: MicrosoftSetup): Promise<void> {
  await s.emulator.flushNotifications();
  await new Promise((r) => setTimeout(r, 100));
  await s.h.sync.drain();
  await s.emulator.flushNotifications();
  await s.h.sync.drain();
  await new Promise((r) => setTimeout(r, 300));
}

export const outboxTypes = async (s: MicrosoftSetup, seriesId: string) =>
  (await s.h.ctx.models.Outbox.find({ seriesId }).sort({ sequence: 1 }).lean()).map((e) => e.type);
