import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { apiRouter } from './api-routes.js';
import { controlRouter } from './control-routes.js';
import { deleteTarget, find, patchTarget, respond, splitSeries, type OpsContext, type Target } from './event-ops.js';
import { etagOf, renderEvent, renderInstance, type GoogleEvent } from './event-render.js';
import { Faults, seededRandom, type CallRecord, type ChaosSettings, type FailureSpec } from './faults.js';
import type { CalendarState, ResponseStatus } from './model.js';
import { DEFAULT_CHANNEL_TTL_S, Notifier, type Channel, type Delivery } from './notifications.js';
import { OAuthService, SCOPES, type OAuthClient } from './oauth.js';
import { oauthRouter } from './oauth-routes.js';
import { instanceId, isRecurring } from './series.js';
import { CalendarStore } from './store.js';
import { isValidZone, toInstant, type TimeInput } from './time.js';

export interface GoogleEmulatorOptions {
  /** the emulator's clock (event timestamps, token and channel expiry); defaults to the real one */
  now?: () => Date;
  /** the OAuth client every account is issued tokens for unless told otherwise */
  clientId?: string;
  clientSecret?: string;
  /** how far never-ending series are expanded when a listing has no timeMax; default 730 days */
  horizonDays?: number;
  /** seed for chaos and message-number gaps */
  seed?: number;
  notifications?: {
    /** retries after a 5xx or network error; default 3 */
    retries?: number;
    /** first backoff, doubled each retry; default 50 ms */
    retryBaseDelayMs?: number;
    timeoutMs?: number;
    /** default and maximum channel lifetime; default one week */
    maxTtlSeconds?: number;
    /** message numbers jump by 1–3, as Google's may; default true */
    messageNumberGaps?: boolean;
  };
}

export interface AddAccountOptions {
  email: string;
  /** the primary calendar's time zone, used to write `dateTime` offsets; default UTC */
  timeZone?: string;
  /** granted scope(s), space separated; default `calendar.events` */
  scope?: string;
  /** OAuth client the refresh token belongs to; default the emulator's client */
  clientId?: string;
}

export interface Account {
  email: string;
  /** the primary calendar id (the email); `primary` works too */
  calendarId: string;
  refreshToken: string;
  /** a ready access token (valid 3599 s), for raw HTTP tests */
  accessToken: string;
  clientId: string;
  clientSecret: string;
  scope: string;
}

/**
 * A loopback Google Calendar v3 + OAuth server with hands: the methods below act like a person at
 * the calendar (or the attendee answering an invitation) and leave exactly the state, sync-token
 * movement and push notifications the equivalent API call would.
 */
export class GoogleEmulator {
  readonly store: CalendarStore;
  readonly oauth: OAuthService;
  readonly notifier: Notifier;
  readonly faults: Faults;
  /** errors inside the emulator (answered as 500 backendError); a test can assert there are none */
  readonly internalErrors: unknown[] = [];
  private server: Server | undefined;
  private root = '';

  constructor(private readonly options: GoogleEmulatorOptions = {}) {
    const clock = options.now ?? (() => new Date());
    const random = seededRandom(options.seed ?? 20261020);
    this.store = new CalendarStore(clock);
    this.oauth = new OAuthService(() => clock().getTime(), {
      clientId: options.clientId ?? 'cadence-emulator.apps.googleusercontent.com',
      clientSecret: options.clientSecret ?? `GOCSPX-${randomBytes(18).toString('base64url')}`,
    });
    this.faults = new Faults(random, clock);
    const n = options.notifications ?? {};
    this.notifier = new Notifier({
      now: () => clock().getTime(),
      random,
      retries: n.retries ?? 3,
      retryBaseDelayMs: n.retryBaseDelayMs ?? 50,
      timeoutMs: n.timeoutMs ?? 5000,
      maxTtlSeconds: n.maxTtlSeconds ?? DEFAULT_CHANNEL_TTL_S,
      messageNumberGaps: n.messageNumberGaps ?? true,
    });
    this.store.onChange((calendarId) => this.notifier.calendarChanged(calendarId));
  }

  /** rootUrl for googleapis, with the trailing slash: `http://127.0.0.1:PORT/` */
  get url(): string {
    return this.root;
  }

  /** for `new google.auth.OAuth2({endpoints: {oauth2TokenUrl}})` */
  get tokenUrl(): string {
    return `${this.root}token`;
  }

  /** for `endpoints.oauth2AuthBaseUrl` */
  get authUrl(): string {
    return `${this.root}o/oauth2/v2/auth`;
  }

  get revokeUrl(): string {
    return `${this.root}revoke`;
  }

  get clientId(): string {
    return this.oauth.defaultClient.clientId;
  }

  get clientSecret(): string {
    return this.oauth.defaultClient.clientSecret;
  }

  /** Every call to the Google endpoints (API and OAuth), in arrival order. */
  get calls(): readonly CallRecord[] {
    return this.faults.calls;
  }

  clearCalls(): void {
    this.faults.calls.length = 0;
  }

  /** Push delivery attempts and their outcomes. */
  get deliveries(): readonly Delivery[] {
    return this.notifier.deliveries;
  }

  app(): express.Express {
    const app = express();
    app.disable('x-powered-by');
    app.set('etag', false);
    app.use(this.faults.middleware());
    app.use(oauthRouter(this.oauth));
    app.use(
      '/calendar/v3',
      apiRouter({
        store: this.store,
        oauth: this.oauth,
        notifier: this.notifier,
        horizonMs: (this.options.horizonDays ?? 730) * 86_400_000,
        rootUrl: () => this.root,
        onInternalError: (e) => this.internalErrors.push(e),
      }),
    );
    app.use('/_emulator', controlRouter(this));
    return app;
  }

  async listen(port = 0): Promise<void> {
    const server = createServer(this.app());
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    this.server = server;
    this.root = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  }

  async close(): Promise<void> {
    this.notifier.close();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = once(server, 'close');
    server.close();
    server.closeAllConnections();
    await closed;
  }

  // ---- accounts and credentials ----

  addAccount(options: AddAccountOptions): Account {
    const email = options.email.toLowerCase();
    const timeZone = options.timeZone ?? 'UTC';
    if (!isValidZone(timeZone)) throw new Error(`unknown time zone ${timeZone}`);
    const client = this.client(options.clientId);
    const scope = options.scope ?? SCOPES.events;
    this.oauth.addAccount(email);
    this.store.create(email, timeZone);
    const refreshToken = this.oauth.issueRefreshToken(email, client.clientId, scope);
    const accessToken = this.oauth.issueAccessToken(email, client.clientId, scope, refreshToken).token;
    return {
      email,
      calendarId: email,
      refreshToken,
      accessToken,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      scope,
    };
  }

  registerClient(client: OAuthClient): void {
    this.oauth.registerClient(client);
  }

  private client(clientId?: string): OAuthClient {
    if (!clientId || clientId === this.oauth.defaultClient.clientId) return this.oauth.defaultClient;
    throw new Error(`register OAuth client ${clientId} first (registerClient) and pass its secret there`);
  }

  /** Revokes a refresh token as the user would from their Google account page. */
  revokeRefreshToken(token: string): void {
    if (!this.oauth.revoke(token)) throw new Error('unknown token');
  }

  /** Whether the consent screen approves (the default) or the person refuses. */
  setConsent(decision: 'approve' | 'deny'): void {
    this.oauth.consentDecision = decision;
  }

  // ---- a person at the calendar ----

  /** Deletes one occurrence ("delete this event"), like `events.delete` on the instance id. */
  cancelInstance(calendarId: string, eventId: string, originalStartUtc: TimeInput): string {
    const { ctx, target, id } = this.instance(calendarId, eventId, originalStartUtc);
    deleteTarget(ctx, target);
    return id;
  }

  /** Brings a cancelled occurrence back (PATCH status "confirmed"). */
  restoreInstance(calendarId: string, eventId: string, originalStartUtc: TimeInput): string {
    const { ctx, target, id } = this.instance(calendarId, eventId, originalStartUtc);
    patchTarget(ctx, target, { status: 'confirmed' });
    return id;
  }

  /** Drags one occurrence elsewhere; the end keeps the duration unless given. */
  moveInstance(
    calendarId: string,
    eventId: string,
    originalStartUtc: TimeInput,
    newStart: TimeInput,
    newEnd?: TimeInput,
  ): string {
    const { ctx, target, id } = this.instance(calendarId, eventId, originalStartUtc);
    if (target.kind !== 'instance') throw new Error('not an instance');
    const master = target.ref.master;
    const start = toInstant(newStart);
    const end = newEnd === undefined ? start + (master.end.ms - master.start.ms) : toInstant(newEnd);
    const zone = master.start.kind === 'dateTime' ? master.start.timeZone : undefined;
    const when = (ms: number) => ({ dateTime: new Date(ms).toISOString(), ...(zone ? { timeZone: zone } : {}) });
    patchTarget(ctx, target, { start: when(start), end: when(end) });
    return id;
  }

  declineInstance(calendarId: string, eventId: string, originalStartUtc: TimeInput, attendeeEmail: string): string {
    return this.respondInstance(calendarId, eventId, originalStartUtc, attendeeEmail, 'declined');
  }

  declineSeries(calendarId: string, eventId: string, attendeeEmail: string): void {
    this.respondSeries(calendarId, eventId, attendeeEmail, 'declined');
  }

  /** An attendee answers for one occurrence. */
  respondInstance(
    calendarId: string,
    eventId: string,
    originalStartUtc: TimeInput,
    attendeeEmail: string,
    status: ResponseStatus,
  ): string {
    const { ctx, target, id } = this.instance(calendarId, eventId, originalStartUtc);
    respond(ctx, target, attendeeEmail, status);
    return id;
  }

  /** An attendee answers for the whole series. */
  respondSeries(calendarId: string, eventId: string, attendeeEmail: string, status: ResponseStatus): void {
    const ctx = this.ctx(calendarId);
    respond(ctx, this.event(ctx, eventId), attendeeEmail, status);
  }

  /** Deletes the whole series (or a single event). */
  deleteSeries(calendarId: string, eventId: string): void {
    const ctx = this.ctx(calendarId);
    deleteTarget(ctx, this.event(ctx, eventId));
  }

  /** "This and following": ends the series before `fromOriginalStartUtc`; returns the new event's id. */
  truncateSeries(calendarId: string, eventId: string, fromOriginalStartUtc: TimeInput): string {
    const ctx = this.ctx(calendarId);
    const target = this.event(ctx, eventId);
    if (target.kind !== 'event') throw new Error('not an event');
    return splitSeries(ctx, target.event, toInstant(fromOriginalStartUtc)).id;
  }

  /** Any edit, with PATCH semantics, on an event or an instance id (e.g. `{location: 'Room 2'}`). */
  editEvent(calendarId: string, eventId: string, patch: Record<string, unknown>): void {
    const ctx = this.ctx(calendarId);
    patchTarget(ctx, find(ctx.calendar, eventId), patch);
  }

  /** The event as `events.get` would return it (cancelled ones included), or undefined. */
  getEventRaw(calendarId: string, eventId: string): GoogleEvent | undefined {
    const calendar = this.calendar(calendarId);
    try {
      const found = find(calendar, eventId);
      const options = { zone: calendar.timeZone, minimalCancelled: false };
      return found.kind === 'event' ? renderEvent(calendar, found.event, options) : renderInstance(calendar, found.ref, options);
    } catch {
      return undefined;
    }
  }

  /** Ids of the events stored on a calendar (masters and single events, cancelled ones too). */
  eventIds(calendarId: string): string[] {
    return [...this.calendar(calendarId).events.keys()];
  }

  // ---- sync, push, failures ----

  expireSyncTokens(calendarId?: string): void {
    this.store.expireSyncTokens(calendarId?.toLowerCase());
  }

  channels(): Channel[] {
    return this.notifier.list();
  }

  duplicateNextNotifications(times: number, count = 1): void {
    this.notifier.duplicateNext(times, count);
  }

  holdNotifications(): void {
    this.notifier.hold();
  }

  releaseNotifications(order: 'fifo' | 'reverse' = 'fifo'): void {
    this.notifier.release(order);
  }

  replayNotification(channelId: string, messageNumber?: number): void {
    this.notifier.replay(channelId, messageNumber);
  }

  /** Resolves once no notification is in flight or waiting for a retry. */
  notificationsIdle(): Promise<void> {
    return this.notifier.idle();
  }

  /** The next `count` calls fail as described (Calendar API calls unless `target` says otherwise). */
  failNext(count: number, spec: FailureSpec): void {
    this.faults.failNext(count, spec);
  }

  setChaos(settings: ChaosSettings): void {
    if (settings.seed !== undefined) this.faults.random = seededRandom(settings.seed);
    if (settings.apiErrorRate !== undefined) this.faults.apiErrorRate = settings.apiErrorRate;
    if (settings.notificationDropRate !== undefined) this.notifier.dropRate = settings.notificationDropRate;
  }

  // ---- helpers ----

  private calendar(calendarId: string): CalendarState {
    const calendar = this.store.get(calendarId.toLowerCase());
    if (!calendar) throw new Error(`no calendar ${calendarId}; add the account first`);
    return calendar;
  }

  private ctx(calendarId: string): OpsContext {
    return { store: this.store, calendar: this.calendar(calendarId), etag: etagOf };
  }

  private event(ctx: OpsContext, eventId: string): Target {
    const event = ctx.calendar.events.get(eventId);
    if (!event) throw new Error(`no event ${eventId} on ${ctx.calendar.id}`);
    return { kind: 'event', event };
  }

  private instance(
    calendarId: string,
    eventId: string,
    originalStartUtc: TimeInput,
  ): { ctx: OpsContext; target: Target; id: string } {
    const ctx = this.ctx(calendarId);
    const target = this.event(ctx, eventId);
    if (target.kind !== 'event' || !isRecurring(target.event)) throw new Error(`${eventId} is not a recurring event`);
    const id = instanceId(target.event, toInstant(originalStartUtc));
    const found = find(ctx.calendar, id);
    return { ctx, target: found, id };
  }
}

/** Starts an emulator on a loopback port the OS picks. */
export async function startGoogleEmulator(options: GoogleEmulatorOptions = {}): Promise<GoogleEmulator> {
  const emulator = new GoogleEmulator(options);
  await emulator.listen();
  return emulator;
}
