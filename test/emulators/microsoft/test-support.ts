import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, GraphError } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, expect } from 'vitest';
import type { AccountHandle, MicrosoftEmulator, MicrosoftEmulatorOptions } from './index.js';
import { startMicrosoftEmulator } from './index.js';

/** The real graph client pointed at the emulator, as CALENDAR-APIS.md says to configure it. */
export function graphClient(emulator: MicrosoftEmulator, token: string): Client {
  return Client.init({
    authProvider: (done) => done(null, token),
    baseUrl: emulator.url,
    customHosts: new Set([emulator.host]),
  });
}

export interface EmulatorFixture {
  emulator: MicrosoftEmulator;
  manager: AccountHandle;
  client: Client;
}

/** One emulator per test file, its CA trusted by this process's fetch, closed afterwards. */
export function useEmulator(opts: MicrosoftEmulatorOptions = {}): EmulatorFixture {
  const fixture = {} as EmulatorFixture;
  let untrust: (() => void) | undefined;
  beforeAll(async () => {
    fixture.emulator = await startMicrosoftEmulator(opts);
    untrust = fixture.emulator.trustInThisProcess();
    fixture.manager = fixture.emulator.addAccount({ email: 'manager@contoso.example', displayName: 'Morgan Manager' });
    fixture.client = graphClient(fixture.emulator, fixture.manager.accessToken);
  });
  afterAll(async () => {
    untrust?.();
    await fixture.emulator?.close();
  });
  return fixture;
}

/** Awaits a graph call expected to fail and returns the client's GraphError. */
export async function graphFailure(call: Promise<unknown>): Promise<GraphError> {
  try {
    await call;
  } catch (err) {
    expect(err).toBeInstanceOf(GraphError);
    return err as GraphError;
  }
  throw new Error('expected the Graph call to fail');
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>;

export const PROP_ID = 'String {66f5a359-4659-4830-9070-00047ec6ac6e} Name CadenceSeriesId';

/** A weekly one-on-one like the one Cadence creates: Tuesday 09:00 New York from 2026-10-20. */
export function weeklyOneOnOne(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    subject: 'Weekly one-on-one',
    body: { contentType: 'html', content: '<p>Agenda: <a href="https://cadence.example/a/x">this week</a></p>' },
    start: { dateTime: '2026-10-20T09:00:00', timeZone: 'America/New_York' },
    end: { dateTime: '2026-10-20T10:00:00', timeZone: 'America/New_York' },
    location: { displayName: 'Room 4' },
    attendees: [{ emailAddress: { address: 'rep@contoso.example', name: 'Riley Rep' }, type: 'required' }],
    recurrence: {
      pattern: { type: 'weekly', interval: 1, daysOfWeek: ['tuesday'], firstDayOfWeek: 'monday' },
      range: { type: 'noEnd', startDate: '2026-10-20', recurrenceTimeZone: 'America/New_York' },
    },
    allowNewTimeProposals: false,
    isReminderOn: true,
    singleValueExtendedProperties: [{ id: PROP_ID, value: 'series-1' }],
    ...overrides,
  };
}

export interface ReceivedRequest {
  path: string;
  query: URLSearchParams;
  contentType: string;
  body: string;
}

export type ValidationMode = 'echo' | 'no-answer' | 'wrong-status' | 'encoded' | 'json';

/**
 * A loopback webhook receiver (plain http on 127.0.0.1, accepted by the emulator) that answers
 * validation requests per `mode`, records everything, and answers notifications with `status`.
 */
export class Receiver {
  readonly received: ReceivedRequest[] = [];
  mode: ValidationMode = 'echo';
  notificationStatus = 202;
  /** Answer this many of the next notifications with 500 before using notificationStatus. */
  failNotifications = 0;
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void readBody(req).then((body) => {
        const parsed = new URL(req.url ?? '/', 'http://127.0.0.1');
        this.received.push({
          path: parsed.pathname,
          query: parsed.searchParams,
          contentType: req.headers['content-type'] ?? '',
          body,
        });
        const token = parsed.searchParams.get('validationToken');
        if (token === null) {
          const status = this.failNotifications > 0 ? 500 : this.notificationStatus;
          if (this.failNotifications > 0) this.failNotifications -= 1;
          res.writeHead(status).end();
          return;
        }
        if (this.mode === 'no-answer') return; // let the emulator's timeout fire
        if (this.mode === 'wrong-status') res.writeHead(500).end();
        else if (this.mode === 'encoded') res.writeHead(200, { 'content-type': 'text/plain' }).end(encodeURIComponent(token));
        else if (this.mode === 'json') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(token));
        else res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(token);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  notifications(path: string): { value: Json[] }[] {
    return this.received
      .filter((r) => r.path === path && !r.query.has('validationToken'))
      .map((r) => JSON.parse(r.body) as { value: Json[] });
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Reads every page of a collection by following @odata.nextLink (bounded). */
export async function allPages(
  client: Client,
  first: string,
  headers: Record<string, string> = {},
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let url: string | undefined = first;
  for (let i = 0; url && i < 100; i += 1) {
    const page = (await client.api(url).headers(headers).get()) as {
      value: Record<string, unknown>[];
      '@odata.nextLink'?: string;
    };
    items.push(...page.value);
    url = page['@odata.nextLink'];
  }
  return items;
}
