import { afterAll, expect } from 'vitest';
import { startGoogleEmulator } from '../emulators/google/index.js';
import { pair, type TestOrg } from '../harness/scheduling.js';
import { eventually } from '../harness/webhook-receiver.js';
import { calendarService } from '../providers/service.js';
import { googleEmulatorSettings } from '../providers/settings.js';

/** The clock of the scheduling domain: before the series starts, so every meeting is upcoming. */
export const DOMAIN_NOW = () => new Date('2026-10-01T12:00:00Z');
export const KEYS = ['20261020T130000Z', '20261027T130000Z', '20261103T140000Z', '20261110T140000Z', '20261117T140000Z'];

/**
 * The scheduling service with Google configured against the loopback emulator (googleapis points
 * at it by root URL), its own HTTP address for consent callbacks and push notifications, running
 * sync and webhook workers, and a webhook receiver.
 */
export async function googleSetup(label: string) {
  // one clock for Cadence and Google, so channel lifetimes compare
  const emulator = await startGoogleEmulator({
    clientId: 'cadence-test-client',
    clientSecret: 'cadence-test-secret',
    now: DOMAIN_NOW,
  });
  afterAll(() => emulator.close());
  const { settings, listening } = googleEmulatorSettings(emulator, { id: 'cadence-test-client', secret: 'cadence-test-secret' });
  // the addresses Google calls back are only known once the service listens
  const { h, server, receiver } = await calendarService(label, { now: DOMAIN_NOW, google: settings }, (server) =>
    listening(server.url),
  );
  return { emulator, settings, h, server, receiver };
}
export type GoogleSetup = Awaited<ReturnType<typeof googleSetup>>;

/** Connects a person's Google account the way a browser would: consent page, then our callback. */
export async function connectGoogle(s: GoogleSetup, org: TestOrg, personId: string, email: string) {
  s.emulator.addAccount({ email, timeZone: 'America/New_York' });
  const start = await org.api.post('/v1/connections/google/start', { personId }).expect(201);
  const consent = await fetch(start.body.url as string, { redirect: 'manual' });
  expect(consent.status).toBe(302);
  const back = await fetch(consent.headers.get('location')!);
  expect(back.status, await back.clone().text()).toBe(200);
}

/** An organization with a manager whose Google calendar is connected, a rep, and a webhook subscription. */
export async function googleOrg(s: GoogleSetup, name: string, suffix: string) {
  const org = await s.h.newOrg(name);
  const { manager, rep } = await pair(org, 'America/New_York', suffix);
  await connectGoogle(s, org, manager.id, manager.email);
  const hook = (
    await org.api
      .post('/v1/webhooks', { url: `${s.receiver.url}/${suffix}`, eventTypes: ['occurrence.*', 'series.*', 'connection.*'] })
      .expect(201)
  ).body as { id: string; secret: string };
  return { org, manager, rep, hook, path: `/${suffix}` };
}

export async function googleSeries(org: TestOrg, managerId: string, repId: string, extra: object = {}) {
  const res = await org.api
    .post('/v1/series', {
      managerId,
      repId,
      weekday: 'tuesday',
      startTime: '09:00',
      timeZone: 'America/New_York',
      startDate: '2026-10-20',
      location: 'Room 4',
      calendar: 'google',
      ...extra,
    })
    .expect(201);
  return res.body as { id: string; calendar: { eventId: string }; agendaUrl: string | null };
}

/** The event types that reached the receiver at `path`, in arrival order. */
export const typesAt = (s: GoogleSetup, path: string) =>
  s.receiver.at(path).map((r) => (JSON.parse(r.body) as { type: string }).type);

export const waitForType = (s: GoogleSetup, path: string, type: string, count = 1) =>
  eventually(
    `${count} × ${type} at ${path}`,
    () => (typesAt(s, path).filter((t) => t === type).length >= count ? true : undefined),
    10_000,
  );
