import { createHash } from 'node:crypto';
import { errors, GoogleApiError } from './errors.js';
import type { Body } from './event-input.js';
import type { CalendarState } from './model.js';
import { formatRfc1123, type Instant } from './time.js';

/**
 * Push notification channels (`events.watch`, `channels.stop`) and their delivery: an empty
 * POST with Google's X-Goog-* headers, a `sync` message (number 1) when the channel opens and an
 * `exists` message after every change to the calendar. Message numbers increase with gaps.
 * 200/201/202/204/102 are success; 500/502/503/504 and network errors are retried with backoff;
 * anything else is given up. Stopped and expired channels stay silent.
 *
 * Tests can hold messages and release them out of order, duplicate them, replay old ones and drop
 * a share at random: delivery is not guaranteed with Google either.
 */

export const DEFAULT_CHANNEL_TTL_S = 604_800;
const SUCCESS = new Set([200, 201, 202, 204, 102]);
const RETRYABLE = new Set([500, 502, 503, 504]);

export type ChannelState = 'active' | 'stopped' | 'expired';

export interface Channel {
  id: string;
  resourceId: string;
  resourceUri: string;
  token?: string;
  address: string;
  expiration: Instant;
  calendarId: string;
  account: string;
  clientId: string;
  params?: Record<string, string>;
  createdAt: Instant;
  state: ChannelState;
  lastMessageNumber: number;
}

export type ResourceState = 'sync' | 'exists';

export interface Notification {
  channelId: string;
  messageNumber: number;
  state: ResourceState;
}

export interface Delivery extends Notification {
  outcome: 'delivered' | 'failed' | 'dropped' | 'skipped';
  status?: number;
  attempts: number;
  error?: string;
  at: Instant;
}

export interface NotifierOptions {
  now: () => Instant;
  random: () => number;
  retries: number;
  retryBaseDelayMs: number;
  timeoutMs: number;
  maxTtlSeconds: number;
  messageNumberGaps: boolean;
}

export class Notifier {
  private readonly channels = new Map<string, Channel>();
  private readonly queues = new Map<string, Promise<void>>();
  private readonly sent = new Map<string, Notification>();
  private readonly sleepers = new Map<NodeJS.Timeout, () => void>();
  private held: Notification[] | undefined;
  private duplicates: { times: number; remaining: number } | undefined;
  private pending = 0;
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  readonly deliveries: Delivery[] = [];
  dropRate = 0;

  constructor(private readonly options: NotifierOptions) {}

  watch(
    calendar: CalendarState,
    calendarParam: string,
    rootUrl: string,
    who: { email: string; clientId: string },
    raw: Body,
  ): Channel {
    const now = this.options.now();
    const id = raw.id;
    if (typeof id !== 'string' || id.length === 0) throw errors.required('Required', 'id');
    if (id.length > 64 || !/^[A-Za-z0-9\-_+/=]+$/.test(id)) throw errors.invalid(`Invalid channel id: ${id}`, 'id');
    const existing = this.channels.get(id);
    if (existing && this.isLive(existing)) throw new GoogleApiError(400, 'channelIdNotUnique', `Channel id ${id} not unique`);
    if (raw.type !== 'web_hook' && raw.type !== 'webhook') throw errors.invalid('Invalid value for: type', 'type');
    const address = this.checkAddress(raw.address);
    if (raw.token !== undefined && (typeof raw.token !== 'string' || raw.token.length > 256))
      throw errors.invalid('Invalid value for: token', 'token');
    const params = (raw.params ?? undefined) as Record<string, string> | undefined;
    const expiration = this.expiration(now, raw.expiration, params?.ttl);
    const channel: Channel = {
      id,
      resourceId: resourceIdOf(calendar),
      resourceUri: `${rootUrl}calendar/v3/calendars/${encodeURIComponent(calendarParam)}/events?alt=json`,
      ...(typeof raw.token === 'string' ? { token: raw.token } : {}),
      address,
      expiration,
      calendarId: calendar.id,
      account: who.email,
      clientId: who.clientId,
      params,
      createdAt: now,
      state: 'active',
      lastMessageNumber: 0,
    };
    this.channels.set(id, channel);
    // the sync message may well arrive before the watch response
    this.enqueue(channel, 'sync');
    return channel;
  }

  private checkAddress(value: unknown): string {
    if (typeof value !== 'string' || !value) throw errors.required('Required', 'address');
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw errors.invalid(`Invalid value for: address`, 'address');
    }
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
    // production requires HTTPS with a valid certificate; plain http is allowed for loopback receivers
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
      throw new GoogleApiError(400, 'push.webhookUrlNotHttps', `WebHook callback must be HTTPS: ${value}`, 'push');
    }
    return value;
  }

  private expiration(now: Instant, requested: unknown, ttl: string | undefined): Instant {
    const max = now + this.options.maxTtlSeconds * 1000;
    if (ttl !== undefined) {
      const seconds = Number(ttl);
      if (!Number.isFinite(seconds) || seconds <= 0) throw errors.invalid('Invalid value for: params.ttl', 'params.ttl');
      return Math.min(now + seconds * 1000, max);
    }
    if (requested === undefined || requested === null) return max;
    const ms = Number(requested);
    if (!Number.isFinite(ms)) throw errors.invalid('Invalid value for: expiration', 'expiration');
    if (ms <= now) throw errors.invalid('Invalid value for: expiration (in the past)', 'expiration');
    return Math.min(ms, max);
  }

  stop(raw: Body, who: { email: string }): void {
    const { id, resourceId } = raw;
    if (typeof id !== 'string') throw errors.required('Required', 'id');
    if (typeof resourceId !== 'string') throw errors.required('Required', 'resourceId');
    const channel = this.channels.get(id);
    if (!channel || channel.state === 'stopped' || channel.resourceId !== resourceId || channel.account !== who.email) {
      throw errors.notFound(`Channel '${id}' not found`);
    }
    channel.state = 'stopped';
  }

  calendarChanged(calendarId: string): void {
    for (const channel of this.channels.values()) {
      if (channel.calendarId === calendarId && this.isLive(channel)) this.enqueue(channel, 'exists');
    }
  }

  list(): Channel[] {
    for (const channel of this.channels.values()) this.isLive(channel);
    return [...this.channels.values()].map((c) => ({ ...c }));
  }

  private isLive(channel: Channel): boolean {
    if (channel.state === 'active' && channel.expiration <= this.options.now()) channel.state = 'expired';
    return channel.state === 'active';
  }

  private nextNumber(channel: Channel): number {
    const gap = this.options.messageNumberGaps && channel.lastMessageNumber > 0 ? Math.floor(this.options.random() * 3) : 0;
    channel.lastMessageNumber += 1 + gap;
    return channel.lastMessageNumber;
  }

  private enqueue(channel: Channel, state: ResourceState): void {
    const message: Notification = { channelId: channel.id, messageNumber: this.nextNumber(channel), state };
    this.sent.set(`${channel.id}#${message.messageNumber}`, message);
    if (this.options.random() < this.dropRate) {
      this.record(message, { outcome: 'dropped', attempts: 0 });
      return;
    }
    let copies = 1;
    if (this.duplicates && this.duplicates.remaining > 0) {
      copies = this.duplicates.times;
      this.duplicates.remaining -= 1;
    }
    for (let i = 0; i < copies; i++) {
      if (this.held) this.held.push(message);
      else this.schedule(message);
    }
  }

  /** Deliveries per channel go one after another, so they arrive in order unless a test says otherwise. */
  private schedule(message: Notification): void {
    this.pending += 1;
    const previous = this.queues.get(message.channelId) ?? Promise.resolve();
    const next = previous.then(() => this.deliver(message)).finally(() => this.settle());
    this.queues.set(message.channelId, next);
  }

  private settle(): void {
    this.pending -= 1;
    if (this.pending === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private async deliver(message: Notification): Promise<void> {
    const channel = this.channels.get(message.channelId);
    if (!channel || this.closed || !this.isLive(channel)) {
      this.record(message, { outcome: 'skipped', attempts: 0 });
      return;
    }
    let attempts = 0;
    for (;;) {
      attempts += 1;
      let status: number | undefined;
      let error: string | undefined;
      try {
        const response = await fetch(channel.address, {
          method: 'POST',
          headers: headersFor(channel, message),
          body: '',
          signal: AbortSignal.timeout(this.options.timeoutMs),
        });
        status = response.status;
        await response.arrayBuffer().catch(() => undefined);
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
      }
      if (status !== undefined && SUCCESS.has(status)) {
        this.record(message, { outcome: 'delivered', status, attempts });
        return;
      }
      const retryable = status === undefined || RETRYABLE.has(status);
      if (!retryable || attempts > this.options.retries || this.closed) {
        this.record(message, { outcome: 'failed', status, attempts, error });
        return;
      }
      await this.sleep(this.options.retryBaseDelayMs * 2 ** (attempts - 1));
    }
  }

  private record(message: Notification, result: Omit<Delivery, keyof Notification | 'at'>): void {
    this.deliveries.push({ ...message, ...result, at: this.options.now() });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleepers.delete(timer);
        resolve();
      }, ms);
      this.sleepers.set(timer, resolve);
    });
  }

  // ---- test controls ----

  /** The next `count` notifications are each delivered `times` times. */
  duplicateNext(times: number, count = 1): void {
    this.duplicates = { times, remaining: count };
  }

  /** Stops delivering; messages wait until `release`. */
  hold(): void {
    this.held ??= [];
  }

  /** Delivers held messages in the order asked for, then resumes normal delivery. */
  release(order: 'fifo' | 'reverse' = 'fifo'): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const message of order === 'reverse' ? [...held].reverse() : held) this.schedule(message);
  }

  /** Sends an earlier message again (same number): a late duplicate. */
  replay(channelId: string, messageNumber?: number): void {
    const channel = this.channels.get(channelId);
    if (!channel) throw new Error(`no channel ${channelId}`);
    const number = messageNumber ?? channel.lastMessageNumber;
    const message = this.sent.get(`${channelId}#${number}`);
    if (!message) throw new Error(`channel ${channelId} sent no message number ${number}`);
    this.schedule(message);
  }

  /** Resolves when nothing is being delivered or retried. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    // wake retries that are waiting so they give up now rather than after their backoff
    for (const [timer, wake] of this.sleepers) {
      clearTimeout(timer);
      wake();
    }
    this.sleepers.clear();
    this.held = undefined;
  }
}

/** Opaque, stable per watched calendar. */
function resourceIdOf(calendar: CalendarState): string {
  return createHash('sha1').update(`${calendar.nonce}/${calendar.id}/events`).digest('base64url').slice(0, 27);
}

function headersFor(channel: Channel, message: Notification): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json; utf-8',
    'User-Agent': 'APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)',
    'X-Goog-Channel-ID': channel.id,
    'X-Goog-Channel-Expiration': formatRfc1123(channel.expiration),
    'X-Goog-Resource-ID': channel.resourceId,
    'X-Goog-Resource-URI': channel.resourceUri,
    'X-Goog-Resource-State': message.state,
    'X-Goog-Message-Number': String(message.messageNumber),
  };
  if (channel.token !== undefined) headers['X-Goog-Channel-Token'] = channel.token;
  return headers;
}
