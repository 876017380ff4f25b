import express from 'express';
import type { Router } from 'express';
import type { Calendar } from './calendar.js';
import type { DeltaTracker } from './delta.js';
import { GraphError } from './errors.js';
import { parseEventInput } from './event-input.js';
import type { CallRecord, Chaos, FailureSpec, Faults } from './faults.js';
import type { Identity } from './identity.js';
import type { Delivery, Notifier } from './notifier.js';
import { renderEvent } from './representation.js';
import type { LifecycleEvent, Subscription, Subscriptions } from './subscriptions.js';
import { graphOriginalStart, parseInstant } from './time.js';

export interface AccountHandle {
  userId: string;
  email: string;
  /** Valid for the account; exchange it at tokenUrl() with grant_type=refresh_token. */
  refreshToken: string;
  /** Ready to use as a Bearer token (expires after an hour of emulator time). */
  accessToken: string;
  clientId: string;
  clientSecret: string;
  tenantId: string;
}

/** An instant as the control API accepts it: Date, ISO string, or Cadence's key `YYYYMMDDTHHMMSSZ`. */
export type InstantLike = Date | string;

export interface ControlDeps {
  calendar: Calendar;
  identity: Identity;
  delta: DeltaTracker;
  subscriptions: Subscriptions;
  faults: Faults;
  notifier: Notifier;
  caPem: string;
}

/**
 * What a person (or Microsoft itself) does outside the API. Event actions run through the same
 * Calendar operations as the Graph routes, so state, delta and notifications come out identical.
 */
export class Control {
  constructor(private readonly d: ControlDeps) {}

  addAccount(input: { email: string; displayName?: string }): AccountHandle {
    const account = this.d.calendar.addAccount(input.email, input.displayName);
    const { app } = this.d.identity;
    return {
      userId: account.userId,
      email: account.email,
      refreshToken: this.d.identity.issueRefreshToken(account.userId),
      accessToken: this.d.identity.issueAccessToken({ userId: account.userId, clientId: app.clientId }),
      clientId: app.clientId,
      clientSecret: app.clientSecret,
      tenantId: app.tenantId,
    };
  }

  accessToken(userId: string): string {
    this.d.calendar.account(userId);
    return this.d.identity.issueAccessToken({ userId, clientId: this.d.identity.app.clientId });
  }

  /** The organizer cancels one occurrence in Outlook: it leaves instances, delta reports it removed. */
  cancelOccurrence(userId: string, masterId: string, originalStartUtc: InstantLike): void {
    this.d.calendar.cancel(userId, this.occurrence(userId, masterId, originalStartUtc));
  }

  /** The organizer drags one occurrence: it becomes an exception with the new times. */
  moveOccurrence(
    userId: string,
    masterId: string,
    originalStartUtc: InstantLike,
    newStart: InstantLike,
    newEnd?: InstantLike,
  ): void {
    const start = parseInstant(newStart);
    this.d.calendar.update(userId, this.occurrence(userId, masterId, originalStartUtc), {
      fields: { start, ...(newEnd === undefined ? {} : { end: parseInstant(newEnd) }) },
    });
  }

  /** An attendee declines one occurrence; the organizer's copy shows the response there. */
  declineOccurrence(userId: string, masterId: string, originalStartUtc: InstantLike, attendeeEmail: string): void {
    this.d.calendar.respondToOccurrence(userId, masterId, parseInstant(originalStartUtc).toMillis(), attendeeEmail, 'declined');
  }

  deleteSeries(userId: string, masterId: string): void {
    this.d.calendar.resolveMaster(userId, masterId);
    this.d.calendar.delete(userId, masterId);
  }

  /** Any edit in Graph's JSON shape (subject, start/end, recurrence …), on a master or an instance. */
  editEvent(userId: string, eventId: string, patch: Record<string, unknown>): void {
    this.d.calendar.update(userId, eventId, parseEventInput(patch));
  }

  /** Stored state with every extended property, plus the series' removed and changed slots. */
  getEventRaw(userId: string, id: string): Record<string, unknown> | undefined {
    let item;
    try {
      item = this.d.calendar.resolve(userId, id);
    } catch {
      return undefined;
    }
    const event = item.kind === 'event' ? item.event : item.master;
    const out = renderEvent(item, { extendedIds: event.extendedProperties.map((p) => p.id) });
    if (item.kind === 'event') {
      out.singleValueExtendedProperties = event.extendedProperties;
      const iso = (ms: number) => graphOriginalStart(parseInstant(new Date(ms)));
      out.removedOccurrences = [...event.removed].sort((a, b) => a - b).map(iso);
      out.modifiedOccurrences = [...event.overrides.keys()].sort((a, b) => a - b).map(iso);
    }
    return out;
  }

  dropSubscription(subscriptionId: string): boolean {
    return this.d.subscriptions.drop(subscriptionId);
  }

  sendLifecycle(subscriptionId: string, event: LifecycleEvent): boolean {
    return this.d.subscriptions.sendLifecycle(subscriptionId, event);
  }

  subscriptions(): Subscription[] {
    return this.d.subscriptions.list().map((s) => ({ ...s }));
  }

  invalidateDeltaLinks(userId?: string): number {
    return this.d.delta.invalidate(userId);
  }

  revokeRefreshToken(token: string): boolean {
    return this.d.identity.revokeRefreshToken(token);
  }

  failNext(n: number, spec: FailureSpec): void {
    this.d.faults.failNext(n, spec);
  }

  setChaos(chaos: Partial<Chaos>): void {
    Object.assign(this.d.faults.chaos, chaos);
  }

  get calls(): CallRecord[] {
    return this.d.faults.calls;
  }

  get deliveries(): Delivery[] {
    return this.d.notifier.deliveries;
  }

  flushNotifications(): Promise<void> {
    return this.d.notifier.idle();
  }

  private occurrence(userId: string, masterId: string, originalStartUtc: InstantLike): string {
    const master = this.d.calendar.resolveMaster(userId, masterId);
    const instance = this.d.calendar.instanceAt(master, parseInstant(originalStartUtc).toMillis());
    if (!instance)
      throw new GraphError(404, 'ErrorItemNotFound', `No occurrence of ${masterId} starts at ${String(originalStartUtc)}.`);
    return instance.id;
  }
}

type Body = Record<string, unknown>;
const s = (b: Body, k: string) => (typeof b[k] === 'string' ? (b[k] as string) : '');

/** The same actions as JSON over HTTP, for tests that drive the emulator from another process. */
export function controlRouter(control: Control, caPem: string): Router {
  const r = express.Router();
  r.use(express.json());
  const post = (name: string, act: (b: Body) => unknown) =>
    r.post(`/${name}`, async (req, res) => {
      const result = await act((req.body ?? {}) as Body);
      res.json(result === undefined ? { ok: true } : result);
    });
  post('accounts', (b) =>
    control.addAccount({ email: s(b, 'email'), ...(b.displayName ? { displayName: s(b, 'displayName') } : {}) }),
  );
  post('accessToken', (b) => ({ accessToken: control.accessToken(s(b, 'userId')) }));
  post('cancelOccurrence', (b) => control.cancelOccurrence(s(b, 'userId'), s(b, 'masterId'), s(b, 'originalStartUtc')));
  post('moveOccurrence', (b) =>
    control.moveOccurrence(
      s(b, 'userId'),
      s(b, 'masterId'),
      s(b, 'originalStartUtc'),
      s(b, 'newStart'),
      b.newEnd ? s(b, 'newEnd') : undefined,
    ),
  );
  post('declineOccurrence', (b) =>
    control.declineOccurrence(s(b, 'userId'), s(b, 'masterId'), s(b, 'originalStartUtc'), s(b, 'attendeeEmail')),
  );
  post('deleteSeries', (b) => control.deleteSeries(s(b, 'userId'), s(b, 'masterId')));
  post('editEvent', (b) => control.editEvent(s(b, 'userId'), s(b, 'eventId'), (b.patch ?? {}) as Body));
  post('dropSubscription', (b) => ({ lifecycleSent: control.dropSubscription(s(b, 'subscriptionId')) }));
  post('sendLifecycle', (b) => ({ sent: control.sendLifecycle(s(b, 'subscriptionId'), s(b, 'event') as LifecycleEvent) }));
  post('invalidateDeltaLinks', (b) => ({ invalidated: control.invalidateDeltaLinks(b.userId ? s(b, 'userId') : undefined) }));
  post('revokeRefreshToken', (b) => ({ revoked: control.revokeRefreshToken(s(b, 'refreshToken')) }));
  post('failNext', (b) => control.failNext(Number(b.n ?? 1), b as unknown as FailureSpec));
  post('setChaos', (b) => control.setChaos(b as Partial<Chaos>));
  post('flushNotifications', () => control.flushNotifications());
  r.get('/calls', (_req, res) => {
    res.json(control.calls);
  });
  r.get('/deliveries', (_req, res) => {
    res.json(control.deliveries);
  });
  r.get('/subscriptions', (_req, res) => {
    res.json(control.subscriptions());
  });
  r.get('/events/:userId/:id', (req, res) => {
    const raw = control.getEventRaw(req.params.userId, req.params.id);
    if (!raw) throw new GraphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
    res.json(raw);
  });
  r.get('/ca.pem', (_req, res) => {
    res.type('application/x-pem-file').send(caPem);
  });
  return r;
}
