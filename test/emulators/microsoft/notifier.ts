import type { Outbound } from './outbound.js';

export interface Delivery {
  kind: 'change' | 'lifecycle';
  subscriptionId: string;
  url: string;
  body: unknown;
  attempts: number;
  /** 'delivered', 'failed' after the last retry, or 'dropped' by chaos. */
  outcome: 'delivered' | 'failed' | 'dropped';
  lastStatus?: number | undefined;
  at: Date;
}

export interface NotifierOptions {
  /** Delays before each retry; Graph retries for hours, the emulator a few times quickly. */
  retryDelaysMs: number[];
  /** Graph gives a notification endpoint 3 seconds to answer. */
  timeoutMs: number;
  dropRate: () => number;
  random: () => number;
  now: () => Date;
}

/**
 * Posts notifications in order per subscription, retrying non-2xx answers with a short backoff.
 * `idle()` lets a test wait until everything queued so far has been attempted.
 */
export class Notifier {
  readonly deliveries: Delivery[] = [];
  private readonly queues = new Map<string, Promise<void>>();
  private pending = 0;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly outbound: Outbound,
    private readonly options: NotifierOptions,
  ) {}

  /** Queues one POST; `onFailed` runs when every attempt failed (Graph then reports `missed`). */
  enqueue(kind: Delivery['kind'], subscriptionId: string, url: string, body: unknown, onFailed?: () => void): void {
    this.pending += 1;
    const previous = this.queues.get(subscriptionId) ?? Promise.resolve();
    const next = previous
      .then(() => this.deliver(kind, subscriptionId, url, body, onFailed))
      .finally(() => {
        this.pending -= 1;
        if (this.pending === 0) for (const wake of this.waiters.splice(0)) wake();
      });
    this.queues.set(subscriptionId, next);
  }

  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private async deliver(kind: Delivery['kind'], subscriptionId: string, url: string, body: unknown, onFailed?: () => void) {
    const record: Delivery = { kind, subscriptionId, url, body, attempts: 0, outcome: 'failed', at: this.options.now() };
    this.deliveries.push(record);
    if (kind === 'change' && this.options.random() < this.options.dropRate()) {
      record.outcome = 'dropped';
      return;
    }
    const payload = JSON.stringify(body);
    for (let attempt = 0; attempt <= this.options.retryDelaysMs.length; attempt += 1) {
      if (attempt > 0) await sleep(this.options.retryDelaysMs[attempt - 1] ?? 0);
      record.attempts = attempt + 1;
      try {
        const res = await this.outbound.post(url, payload, 'application/json; charset=utf-8', this.options.timeoutMs);
        record.lastStatus = res.status;
        if (res.status >= 200 && res.status < 300) {
          record.outcome = 'delivered';
          return;
        }
      } catch {
        record.lastStatus = undefined;
      }
    }
    onFailed?.();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
