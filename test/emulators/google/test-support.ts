import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { google, type calendar_v3 } from '@cadence/scheduling/calendars/google/googleapis';
import type { Account, GoogleEmulator } from './index.js';

/** The real googleapis client, pointed at the emulator, authenticated by refresh token. */
export function calendarFor(emulator: GoogleEmulator, account: Account): calendar_v3.Calendar {
  return google.calendar({ version: 'v3', auth: oauthFor(emulator, account), rootUrl: emulator.url });
}

export function oauthFor(emulator: GoogleEmulator, account: Pick<Account, 'clientId' | 'clientSecret' | 'refreshToken'>) {
  const auth = new google.auth.OAuth2({
    clientId: account.clientId,
    clientSecret: account.clientSecret,
    endpoints: { oauth2TokenUrl: emulator.tokenUrl, oauth2AuthBaseUrl: emulator.authUrl, oauth2RevokeUrl: emulator.revokeUrl },
  });
  auth.setCredentials({ refresh_token: account.refreshToken });
  return auth;
}

/** What googleapis throws for an HTTP error, as far as tests look at it. */
export interface ApiFailure {
  status?: number;
  message: string;
  response?: {
    status: number;
    data: { error?: { code?: number; message?: string; errors?: { domain: string; reason: string; message: string }[] } };
  };
}

/** Runs a call that must fail and returns googleapis' error. */
export async function failure(call: Promise<unknown>): Promise<ApiFailure> {
  try {
    await call;
  } catch (e) {
    return e as ApiFailure;
  }
  throw new Error('expected the call to fail');
}

export interface ReceivedNotification {
  headers: IncomingHttpHeaders;
  body: string;
  method: string;
}

/** A loopback webhook receiver that records what arrives and answers with scripted statuses. */
export class Receiver {
  readonly received: ReceivedNotification[] = [];
  /** statuses to answer with, in order; 200 once they run out */
  readonly script: number[] = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), method: req.method ?? '' });
        res.statusCode = this.script.shift() ?? 200;
        res.end();
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/google/notifications`;
    return this;
  }

  /** Waits (bounded) until `count` notifications arrived for a channel (or at all). */
  async waitFor(count: number, channelId?: string, timeoutMs = 5000): Promise<ReceivedNotification[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const matching = this.received.filter((n) => !channelId || n.headers['x-goog-channel-id'] === channelId);
      if (matching.length >= count) return matching;
      if (Date.now() > deadline)
        throw new Error(`only ${matching.length} of ${count} notifications arrived within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** A weekly one-on-one as Cadence creates it. */
export function weeklyOneOnOne(overrides: Partial<calendar_v3.Schema$Event> = {}): calendar_v3.Schema$Event {
  return {
    summary: 'Alice / Bob weekly one-on-one',
    description: '<a href="https://cadence.example/agenda/abc">Agenda</a>',
    location: 'Room 4',
    start: { dateTime: '2026-10-20T09:00:00', timeZone: 'America/New_York' },
    end: { dateTime: '2026-10-20T10:00:00', timeZone: 'America/New_York' },
    recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=TU'],
    attendees: [{ email: 'alice@example.com' }, { email: 'bob@example.com' }],
    extendedProperties: {
      private: { cadence: '1', seriesId: 'ser_1' },
      shared: { cadenceAgenda: 'https://cadence.example/agenda/abc' },
    },
    guestsCanModify: false,
    guestsCanInviteOthers: false,
    reminders: { useDefault: false, overrides: [{ method: 'popup', minutes: 10 }] },
    source: { title: 'Cadence agenda', url: 'https://cadence.example/agenda/abc' },
    ...overrides,
  };
}
