import type { SchedulingDeps } from '@cadence/scheduling/app';
import type { Env } from '@cadence/shared/config';
import { startGoogleEmulator, type GoogleEmulator } from '../../test/emulators/google/index.js';
import { startMicrosoftEmulator } from '../../test/emulators/microsoft/index.js';
import { googleEmulatorSettings, microsoftEmulatorSettings } from '../../test/providers/settings.js';
import type { Api } from './stack.js';

/**
 * One calendar provider in a benchmark: its emulator, how the service is configured for it, how
 * a manager connects, how a person cancels an occurrence, and the emulator's call count. A
 * benchmark runs over a list of drivers; Outlook joins by adding a driver beside Google's.
 */
export interface ProviderDriver {
  /** The `calendar` value of a series on this provider. */
  readonly name: 'google' | 'microsoft';
  /** What createSchedulingApp needs for this provider. */
  deps(): Partial<SchedulingDeps>;
  /** The service listens at `serviceUrl` now: consent callbacks and notifications can point there. */
  serviceListening(serviceUrl: string): void;
  /** The environment a service process at `serviceUrl` needs for this provider (its settings as variables). */
  serviceEnv(serviceUrl: string): Env;
  /** Connects a manager's calendar the way a browser would (consent through the emulator). */
  connect(api: Api, manager: { id: string; email: string }): Promise<void>;
  /**
   * Cancels one occurrence as the manager would in their calendar: the emulator's own operation,
   * called in this process. Its control API over HTTP does the same, but 200 requests at once cost
   * this process (client and server of them) ~1 s of a core before the last cancellation was even
   * made — harness work on the two cores the services share, counted in their latencies; a real
   * calendar's users cancel on the provider's machines.
   */
  cancel(manager: { email: string }, eventId: string, occurrenceKey: string): Promise<void>;
  /** Calls to the provider's calendar API so far (OAuth token calls not included). */
  apiCalls(): number;
  /** When each calendar's change notifications were answered by the service: `manager email → times`. */
  notifiedAt(): Map<string, number[]>;
  /** Resolves when no notification is in flight. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const CLIENT_ID = 'cadence-bench-client';
const CLIENT_SECRET = 'cadence-bench-secret';

/** Google Calendar through the loopback Google emulator (test/emulators/google). */
export async function googleDriver(): Promise<ProviderDriver> {
  const emulator: GoogleEmulator = await startGoogleEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
  const { settings, listening } = googleEmulatorSettings(emulator, { id: CLIENT_ID, secret: CLIENT_SECRET });
  const control = async (path: string, body: object) => {
    const res = await fetch(`${emulator.url}_emulator${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`emulator ${path}: ${res.status} ${await res.text()}`);
  };
  return {
    name: 'google',
    deps: () => ({ google: settings }),
    serviceListening: listening,
    serviceEnv: (serviceUrl) => {
      listening(serviceUrl);
      return asEnv(settings);
    },
    connect: async (api, manager) => {
      await control('/accounts', { email: manager.email, timeZone: 'America/Chicago' });
      const { url } = await api<{ url: string }>('POST', '/v1/connections/google/start', { personId: manager.id });
      const consent = await fetch(url, { redirect: 'manual' });
      const back = await fetch(consent.headers.get('location') ?? 'about:blank');
      if (!back.ok) throw new Error(`Google consent for ${manager.email} ended with ${back.status}: ${await back.text()}`);
    },
    cancel: async (manager, eventId, key) => {
      emulator.cancelInstance(manager.email.toLowerCase(), eventId, key);
    },
    apiCalls: () => emulator.calls.filter((c) => c.kind === 'api').length,
    notifiedAt: () => {
      const calendarOf = new Map(emulator.channels().map((c) => [c.id, c.calendarId]));
      const out = new Map<string, number[]>();
      for (const d of emulator.deliveries) {
        if (d.outcome !== 'delivered' || d.state !== 'exists') continue;
        const calendar = calendarOf.get(d.channelId);
        if (calendar) out.set(calendar, [...(out.get(calendar) ?? []), new Date(d.at).getTime()]);
      }
      return out;
    },
    idle: () => emulator.notificationsIdle(),
    close: () => emulator.close(),
  };
}

/** Outlook through the loopback Microsoft Graph emulator (test/emulators/microsoft, HTTPS with a test CA this process trusts). */
export async function microsoftDriver(): Promise<ProviderDriver> {
  const emulator = await startMicrosoftEmulator();
  // one TLS context for the many connections a benchmark opens (see trust.ts)
  const untrust = emulator.trustInThisProcess({ oneContext: true });
  const { settings, listening } = microsoftEmulatorSettings(emulator);
  const users = new Map<string, string>(); // email → Graph user id
  const control = async (action: string, body: object) => {
    const res = await fetch(`${emulator.controlUrl}/${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`emulator ${action}: ${res.status} ${await res.text()}`);
    return res;
  };
  return {
    name: 'microsoft',
    deps: () => ({ microsoft: settings }),
    serviceListening: listening,
    serviceEnv: (serviceUrl) => {
      listening(serviceUrl);
      // the emulator serves HTTPS under a test CA: the service process trusts it beside the system's
      return { ...asEnv(settings), NODE_EXTRA_CA_CERTS: emulator.caBundlePath };
    },
    connect: async (api, manager) => {
      const account = (await (await control('accounts', { email: manager.email })).json()) as { userId: string };
      users.set(manager.email.toLowerCase(), account.userId);
      const { url } = await api<{ url: string }>('POST', '/v1/connections/microsoft/start', { personId: manager.id });
      const consent = await fetch(url, { redirect: 'manual' });
      const back = await fetch(consent.headers.get('location') ?? 'about:blank');
      if (!back.ok) throw new Error(`Microsoft consent for ${manager.email} ended with ${back.status}: ${await back.text()}`);
    },
    cancel: async (manager, eventId, key) => {
      const userId = users.get(manager.email.toLowerCase());
      if (!userId) throw new Error(`${manager.email} has no Microsoft account in the emulator`);
      emulator.cancelOccurrence(userId, eventId, key);
    },
    apiCalls: () => emulator.calls.filter((c) => c.path.startsWith('/v1.0') && !c.inBatch).length,
    notifiedAt: () => {
      const emailOf = new Map([...users].map(([email, id]) => [id, email]));
      const userOf = new Map(emulator.subscriptions().map((x) => [x.id, x.userId]));
      const out = new Map<string, number[]>();
      for (const d of emulator.deliveries) {
        if (d.kind !== 'change' || d.outcome !== 'delivered') continue;
        const email = emailOf.get(userOf.get(d.subscriptionId) ?? '');
        if (email) out.set(email, [...(out.get(email) ?? []), new Date(d.at).getTime()]);
      }
      return out;
    },
    idle: () => emulator.flushNotifications(),
    close: async () => {
      untrust();
      await emulator.close();
    },
  };
}

/** Settings named after their variables, as the variables (unset ones left out). */
const asEnv = (settings: object): Env =>
  Object.fromEntries(
    Object.entries(settings)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, String(v)]),
  );

/** The drivers a benchmark runs over: BENCH_PROVIDERS (comma list), default every one available. */
export async function providerDrivers(wanted: string | undefined): Promise<ProviderDriver[]> {
  const available: Record<string, () => Promise<ProviderDriver>> = { google: googleDriver, microsoft: microsoftDriver };
  const names = (wanted ?? Object.keys(available).join(',')).split(',').map((n) => n.trim());
  const unknown = names.filter((n) => !available[n]);
  if (unknown.length)
    throw new Error(`unknown provider(s) ${unknown.join(', ')}; available: ${Object.keys(available).join(', ')}`);
  return Promise.all(names.map((n) => available[n]!()));
}
