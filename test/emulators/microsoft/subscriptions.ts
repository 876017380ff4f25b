import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Calendar } from './calendar.js';
import { badRequest, GraphError } from './errors.js';
import type { Principal } from './identity.js';
import type { EventChange } from './model.js';
import type { Notifier } from './notifier.js';
import type { Outbound } from './outbound.js';
import { isTimeout } from './outbound.js';
import { graphTimestamp } from './time.js';

export type LifecycleEvent = 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed';

export interface Subscription {
  id: string;
  userId: string;
  resource: string;
  changeType: string;
  notificationUrl: string;
  lifecycleNotificationUrl: string | null;
  expirationDateTime: Date;
  clientState: string | null;
  applicationId: string;
  creatorId: string;
  /** Set by a reauthorizationRequired challenge, cleared by reauthorize or a renewal. */
  reauthorizationRequired: boolean;
}

export interface SubscriptionOptions {
  tenantId: string;
  now: () => Date;
  validationTimeoutMs: number;
  maxSubscriptionMinutes: number;
}

const CHANGE_TYPES = new Set(['created', 'updated', 'deleted']);
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * Change-notification subscriptions on Outlook events: the validation handshake on create, the
 * lifetime cap, renewals, and turning calendar changes into notification POSTs.
 */
export class Subscriptions {
  private readonly subs = new Map<string, Subscription>();

  constructor(
    private readonly calendar: Calendar,
    private readonly outbound: Outbound,
    private readonly notifier: Notifier,
    private readonly options: SubscriptionOptions,
  ) {}

  list(): Subscription[] {
    this.expire();
    return [...this.subs.values()];
  }

  get(id: string): Subscription {
    this.expire();
    const sub = this.subs.get(id);
    if (!sub) throw new GraphError(404, 'ResourceNotFound', `The object was not found. Subscription '${id}' does not exist.`);
    return sub;
  }

  async create(body: unknown, principal: Principal): Promise<Subscription> {
    const input = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const changeType = requiredString(input.changeType, 'changeType');
    const types = changeType.split(',').map((t) => t.trim());
    if (types.length === 0 || !types.every((t) => CHANGE_TYPES.has(t))) {
      throw badRequest('InvalidRequest', `Invalid changeType '${changeType}'. Allowed: created, updated, deleted.`);
    }
    const notificationUrl = checkUrl(requiredString(input.notificationUrl, 'notificationUrl'), 'notificationUrl');
    const lifecycleNotificationUrl =
      input.lifecycleNotificationUrl == null
        ? null
        : checkUrl(requiredString(input.lifecycleNotificationUrl, 'lifecycleNotificationUrl'), 'lifecycleNotificationUrl');
    const resource = requiredString(input.resource, 'resource');
    const userId = this.resourceUser(resource, principal);
    const expirationDateTime = this.checkExpiration(input.expirationDateTime);
    let clientState: string | null = null;
    if (input.clientState != null) {
      clientState = requiredString(input.clientState, 'clientState');
      if (clientState.length > 128) throw badRequest('InvalidRequest', 'clientState must be at most 128 characters long.');
    }
    // Graph validates both endpoints before it answers the create.
    await this.validateEndpoint(notificationUrl);
    if (lifecycleNotificationUrl) await this.validateEndpoint(lifecycleNotificationUrl);
    const sub: Subscription = {
      id: randomUUID(),
      userId,
      resource,
      changeType: types.join(','),
      notificationUrl,
      lifecycleNotificationUrl,
      expirationDateTime,
      clientState,
      applicationId: principal.clientId,
      creatorId: principal.userId ?? principal.clientId,
      reauthorizationRequired: false,
    };
    this.subs.set(sub.id, sub);
    return sub;
  }

  /** PATCH renews (and thereby reauthorizes); only expirationDateTime can change here. */
  update(id: string, body: unknown): Subscription {
    const sub = this.get(id);
    const input = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    if (input.lifecycleNotificationUrl !== undefined) {
      throw badRequest('InvalidRequest', 'lifecycleNotificationUrl can only be set when the subscription is created.');
    }
    sub.expirationDateTime = this.checkExpiration(input.expirationDateTime);
    sub.reauthorizationRequired = false;
    return sub;
  }

  delete(id: string): void {
    this.get(id);
    this.subs.delete(id);
  }

  reauthorize(id: string): void {
    this.get(id).reauthorizationRequired = false;
  }

  /** Graph removed the subscription: tell the lifecycle endpoint, then forget it. */
  drop(id: string): boolean {
    const sent = this.sendLifecycle(id, 'subscriptionRemoved');
    this.subs.delete(id);
    return sent;
  }

  /** Sends a lifecycle notification; false when the subscription has no lifecycle URL. */
  sendLifecycle(id: string, event: LifecycleEvent): boolean {
    const sub = this.get(id);
    if (event === 'reauthorizationRequired') sub.reauthorizationRequired = true;
    if (!sub.lifecycleNotificationUrl) return false;
    const body = {
      value: [
        {
          subscriptionId: sub.id,
          subscriptionExpirationDateTime: graphTimestamp(sub.expirationDateTime),
          tenantId: this.options.tenantId,
          clientState: sub.clientState,
          lifecycleEvent: event,
        },
      ],
    };
    this.notifier.enqueue('lifecycle', sub.id, sub.lifecycleNotificationUrl, body);
    return true;
  }

  /** Calendar changes → one notification POST per matching subscription and change. */
  onChanges(changes: EventChange[]): void {
    const live = this.list();
    for (const change of changes) {
      const etag = this.etagOf(change);
      for (const sub of live) {
        if (sub.userId !== change.userId || !sub.changeType.split(',').includes(change.changeType)) continue;
        const resource = `Users/${change.userId}/Events/${change.eventId}`;
        const body = {
          value: [
            {
              subscriptionId: sub.id,
              subscriptionExpirationDateTime: graphTimestamp(sub.expirationDateTime),
              changeType: change.changeType,
              resource,
              resourceData: {
                '@odata.type': '#Microsoft.Graph.Event',
                '@odata.id': resource,
                ...(etag ? { '@odata.etag': etag } : {}),
                id: change.eventId,
              },
              clientState: sub.clientState,
              tenantId: this.options.tenantId,
            },
          ],
        };
        this.notifier.enqueue('change', sub.id, sub.notificationUrl, body, () => {
          if (this.subs.has(sub.id)) this.sendLifecycle(sub.id, 'missed');
        });
      }
    }
  }

  private etagOf(change: EventChange): string | undefined {
    if (change.changeType === 'deleted') return undefined;
    try {
      const item = this.calendar.resolve(change.userId, change.eventId);
      return `W/"${item.kind === 'event' ? item.event.changeKey : item.changeKey}"`;
    } catch {
      return undefined;
    }
  }

  private expire(): void {
    const now = this.options.now().getTime();
    for (const [id, sub] of this.subs) if (sub.expirationDateTime.getTime() <= now) this.subs.delete(id);
  }

  private resourceUser(resource: string, principal: Principal): string {
    const m = /^\/?(me|users\/([^/]+))(\/calendar)?\/events$/i.exec(resource.trim());
    if (!m)
      throw badRequest(
        'InvalidRequest',
        `Resource '${resource}' is not supported by this emulator; use /me/events or /users/{id}/events.`,
      );
    if (m[1]?.toLowerCase() === 'me') {
      if (!principal.userId) throw badRequest('BadRequest', '/me request is only valid with delegated authentication flow.');
      return principal.userId;
    }
    const account = this.calendar.findAccount(decodeURIComponent(m[2] ?? ''));
    if (!account) throw new GraphError(404, 'ErrorInvalidUser', `The requested user '${m[2] ?? ''}' is invalid.`);
    if (principal.userId && principal.userId !== account.userId) {
      throw new GraphError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
    }
    return account.userId;
  }

  private checkExpiration(value: unknown): Date {
    const raw = requiredString(value, 'expirationDateTime');
    const dt = DateTime.fromISO(raw, { zone: 'UTC' });
    if (!dt.isValid) throw badRequest('InvalidRequest', `expirationDateTime '${raw}' is not a valid DateTimeOffset.`);
    const now = this.options.now().getTime();
    if (dt.toMillis() <= now) throw badRequest('InvalidRequest', 'Subscription expiration must be in the future.');
    const max = this.options.maxSubscriptionMinutes;
    if (dt.toMillis() > now + max * 60_000) {
      throw badRequest('ExtensionError', `Subscription expiration can only be ${max} minutes in the future.`);
    }
    return dt.toJSDate();
  }

  /**
   * POST {url}?validationToken=… and require, within the timeout, 200 + text/plain + the decoded
   * token. The messages are the ones Graph returns for each failure.
   */
  private async validateEndpoint(url: string): Promise<void> {
    const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
    const target = new URL(url);
    target.searchParams.append('validationToken', token);
    let res;
    try {
      res = await this.outbound.post(target.toString(), '', 'text/plain; charset=utf-8', this.options.validationTimeoutMs);
    } catch (err) {
      if (isTimeout(err)) throw badRequest('InvalidRequest', 'Subscription validation request timed out.');
      throw badRequest(
        'ValidationError',
        'Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.',
      );
    }
    if (res.status !== 200) {
      throw badRequest(
        'ValidationError',
        'Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.',
      );
    }
    if (!res.contentType.toLowerCase().startsWith('text/plain')) {
      throw badRequest('ValidationError', 'Subscription validation request failed. Response must have Content-Type text/plain.');
    }
    if (res.body !== token) {
      throw badRequest(
        'ValidationError',
        'Subscription validation request failed. Response must exactly match validationToken query parameter.',
      );
    }
  }
}

function requiredString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw badRequest('InvalidRequest', `The property '${name}' is required.`);
  return value;
}

/** Graph requires https; the emulator also accepts http on loopback so test receivers stay simple. */
function checkUrl(value: string, name: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw badRequest('InvalidRequest', `${name} '${value}' is not a valid URL.`);
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname))) return value;
  throw badRequest('InvalidRequest', `${name} must be an https URL (http is accepted only for loopback hosts by the emulator).`);
}
