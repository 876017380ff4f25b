import type { TestOrg } from '../harness/scheduling.js';
import type { WebhookReceiver } from '../harness/webhook-receiver.js';
import { googleOrg, googleSeries, googleSetup, waitForType as googleWait, type GoogleSetup } from '../google/support.js';
import {
  microsoftOrg,
  microsoftSeries,
  microsoftSetup,
  settle as microsoftSettle,
  waitForType as microsoftWait,
  type MicrosoftSetup,
} from '../microsoft/support.js';

/** A connected manager, a rep, a webhook subscription, and one series on the provider's calendar. */
export interface Meeting {
  org: TestOrg;
  rep: { id: string; email: string };
  path: string;
  seriesId: string;
}

/**
 * What the change-pipeline cases need from a provider, acting like a person at that calendar. Each
 * driver runs the real service against its emulator; only these few lines differ per provider.
 */
export interface ProviderDriver {
  readonly name: 'google' | 'microsoft';
  readonly receiver: WebhookReceiver;
  /** A new organization with a connected manager and a series (extra fields go to POST /v1/series). */
  meeting(suffix: string, extra?: object): Promise<Meeting>;
  cancel(m: Meeting, key: string): void;
  move(m: Meeting, key: string, newStart: string): void;
  decline(m: Meeting, key: string, email: string): void;
  deleteSeries(m: Meeting): void;
  /** Delivers the latest change notification of the meeting's calendar once more. */
  redeliver(m: Meeting): Promise<void>;
  waitForType(m: Meeting, type: string, count?: number): Promise<unknown>;
  /** Lets every pending notification, sync and webhook finish. */
  settle(): Promise<void>;
  outboxTypes(m: Meeting): Promise<string[]>;
}

const outboxTypes = async (h: GoogleSetup['h'], seriesId: string) =>
  (await h.ctx.models.Outbox.find({ seriesId }).sort({ sequence: 1 }).lean()).map((e) => e.type);

export async function googleDriver(): Promise<ProviderDriver> {
  const s = await googleSetup('providers_google');
  const calendars = new Map<string, { email: string; eventId: string }>();
  const at = (m: Meeting) => calendars.get(m.seriesId)!;
  return {
    name: 'google',
    receiver: s.receiver,
    async meeting(suffix, extra) {
      const { org, manager, rep, path } = await googleOrg(s, 'Acme', `g${suffix}`);
      const series = await googleSeries(org, manager.id, rep.id, extra);
      calendars.set(series.id, { email: manager.email, eventId: series.calendar.eventId });
      return { org, rep, path, seriesId: series.id };
    },
    cancel: (m, key) => void s.emulator.cancelInstance(at(m).email, at(m).eventId, key),
    move: (m, key, newStart) => void s.emulator.moveInstance(at(m).email, at(m).eventId, key, newStart),
    decline: (m, key, email) => void s.emulator.declineInstance(at(m).email, at(m).eventId, key, email),
    deleteSeries: (m) => s.emulator.deleteSeries(at(m).email, at(m).eventId),
    async redeliver(m) {
      const channel = s.emulator.channels().find((c) => c.account === at(m).email && c.state === 'active')!;
      s.emulator.replayNotification(channel.id);
      await s.emulator.notificationsIdle();
    },
    waitForType: (m, type, count) => googleWait(s, m.path, type, count),
    async settle() {
      await s.emulator.notificationsIdle();
      await s.h.sync.drain();
      await new Promise((r) => setTimeout(r, 300));
    },
    outboxTypes: (m) => outboxTypes(s.h, m.seriesId),
  };
}

export async function microsoftDriver(): Promise<ProviderDriver> {
  const s: MicrosoftSetup = await microsoftSetup('providers_microsoft');
  const calendars = new Map<string, { userId: string; eventId: string }>();
  const at = (m: Meeting) => calendars.get(m.seriesId)!;
  return {
    name: 'microsoft',
    receiver: s.receiver,
    async meeting(suffix, extra) {
      const { org, manager, rep, path, userId } = await microsoftOrg(s, 'Acme', `m${suffix}`);
      const series = await microsoftSeries(org, manager.id, rep.id, extra);
      calendars.set(series.id, { userId, eventId: series.calendar.eventId });
      return { org, rep, path, seriesId: series.id };
    },
    cancel: (m, key) => s.emulator.cancelOccurrence(at(m).userId, at(m).eventId, key),
    move: (m, key, newStart) => s.emulator.moveOccurrence(at(m).userId, at(m).eventId, key, newStart),
    decline: (m, key, email) => s.emulator.declineOccurrence(at(m).userId, at(m).eventId, key, email),
    deleteSeries: (m) => s.emulator.deleteSeries(at(m).userId, at(m).eventId),
    async redeliver(m) {
      const subs = new Set(
        s.emulator
          .subscriptions()
          .filter((x) => x.userId === at(m).userId)
          .map((x) => x.id),
      );
      const last = s.emulator.deliveries.filter((d) => d.kind === 'change' && subs.has(d.subscriptionId)).at(-1)!;
      const res = await fetch(last.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(last.body),
      });
      if (res.status !== 202) throw new Error(`redelivery answered ${res.status}`);
    },
    waitForType: (m, type, count) => microsoftWait(s, m.path, type, count),
    settle: () => microsoftSettle(s),
    outboxTypes: (m) => outboxTypes(s.h, m.seriesId),
  };
}
