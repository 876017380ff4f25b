import type { Logger } from '@cadence/shared/logging';
import type { Claim, Claims } from './claims.js';
import type { QueueItemDoc, SubscriptionDoc, WebhookModels } from './models.js';
import type { DeliveryRecorder } from './record.js';
import { decide } from './retry.js';
import type { SigningSecrets } from './secrets.js';
import { claimStands, dueDeliveries, type QueuedRef } from './selection.js';
import { signedHeaders } from './signing.js';
import type { TargetGuard } from './target-guard.js';
import { postJson } from './transport.js';
import type { WebhookSettings } from './settings.js';

/** Sends in flight at once in one process, over all subscriptions. */
const MAX_SENDS_PER_PROCESS = 100;
/** Answer bytes read per attempt; what is kept in the log. */
const MAX_RESPONSE_BYTES = 4096;
const LOGGED_RESPONSE_CHARS = 1000;
/** On shutdown, sends get this long to finish before they are cut off. */
const STOP_GRACE_MS = 2000;

type QueueItem = QueueItemDoc & { _id: string };

const REF_FIELDS = { _id: 1, subscriptionId: 1, seriesId: 1, sequence: 1, nextAttemptAt: 1 };
type Subscription = SubscriptionDoc & { _id: string };

/**
 * The delivery worker. Each tick reads the (small) queue and the live claims, picks what may go
 * now — due, unclaimed, first of its series, within each subscription's in-flight limit — and
 * claims each pick (claims.ts: an insert, so replicas never send the same delivery at once). A
 * replica that dies loses its claims when their leases end, and those deliveries go again (at
 * least once). Sends run in the background; each outcome is recorded before its claim is let
 * go, and the worker is woken to send what that unblocked.
 */
export class Sender {
  private readonly inFlight = new Map<string, { abort: AbortController; done: Promise<void> }>();
  private stopping = false;
  /** Woken after each send, for what it unblocked. */
  onSettled: () => void = () => undefined;

  constructor(
    private readonly models: WebhookModels,
    private readonly claims: Claims,
    private readonly settings: WebhookSettings,
    private readonly secrets: SigningSecrets,
    private readonly guard: TargetGuard,
    private readonly recorder: DeliveryRecorder,
    private readonly logger: Logger,
    private readonly clock: () => Date,
  ) {}

  get sending(): number {
    return this.inFlight.size;
  }

  async tick(): Promise<void> {
    if (this.stopping || this.inFlight.size >= MAX_SENDS_PER_PROCESS) return;
    const { Queue, Subscriptions } = this.models;
    const items = (await Queue.find({}, REF_FIELDS).lean()) as QueuedRef[];
    if (!items.length) return;
    const claimed = await this.claims.liveKeys();
    const subscriptionIds = [...new Set(items.map((i) => i.subscriptionId))];
    const subscriptions = new Map(
      (await Subscriptions.find({ _id: { $in: subscriptionIds } }).lean()).map((s) => [s._id, s as Subscription]),
    );
    // a subscription deleted while its deliveries were queued: nothing will ever send them
    const orphans = subscriptionIds.filter((id) => !subscriptions.has(id));
    if (orphans.length) await Queue.deleteMany({ subscriptionId: { $in: orphans } });

    const enabled = new Set([...subscriptions.values()].filter((s) => s.status === 'enabled').map((s) => s._id));
    for (const pick of dueDeliveries(items, claimed, enabled, this.clock(), this.settings.maxInFlight)) {
      if (this.stopping || this.inFlight.size >= MAX_SENDS_PER_PROCESS) break;
      if (this.inFlight.has(pick._id)) continue;
      const taken = await this.claim(pick);
      if (taken) this.launch(taken.item, taken.claim, subscriptions.get(pick.subscriptionId)!);
    }
  }

  /**
   * Claims a delivery, then reads it again: it must still be queued and due (a stale pick of one
   * another worker just sent is dropped here), and the subscription's limit and series order
   * must still hold. Otherwise the claim is given back.
   */
  private async claim(pick: QueuedRef): Promise<{ item: QueueItem; claim: Claim } | undefined> {
    const claim = await this.claims.take(pick._id, pick.subscriptionId);
    if (!claim) return undefined;
    const now = this.clock();
    const item = (await this.models.Queue.findById(pick._id).lean()) as QueueItem | null;
    if (item && item.nextAttemptAt <= now) {
      const [queued, live] = await Promise.all([
        this.models.Queue.find({ subscriptionId: item.subscriptionId }, REF_FIELDS).lean() as Promise<QueuedRef[]>,
        this.claims.liveFor(item.subscriptionId),
      ]);
      if (claimStands(item, queued, live.length, this.settings.maxInFlight)) return { item, claim };
    }
    await this.claims.release(claim);
    return undefined;
  }

  private launch(item: QueueItem, claim: Claim, subscription: Subscription): void {
    const abort = new AbortController();
    const done = this.attempt(item, claim, subscription, abort.signal)
      .catch((err: unknown) => {
        // the claim's lease runs out and the delivery is tried again; nothing is lost
        this.logger.error({ err, deliveryId: item._id }, 'webhook attempt could not be recorded');
      })
      .finally(() => {
        this.inFlight.delete(item._id);
        if (!this.stopping) this.onSettled();
      });
    this.inFlight.set(item._id, { abort, done });
  }

  private async attempt(item: QueueItem, claim: Claim, subscription: Subscription, signal: AbortSignal): Promise<void> {
    const at = this.clock();
    const keys = this.secrets.active(subscription._id, subscription.secrets, at);
    const headers = signedHeaders(item.eventId, item.body, keys, at);
    const outcome = await postJson(
      new URL(subscription.url),
      item.body,
      { ...headers },
      {
        guard: this.guard,
        timeoutMs: this.settings.timeoutMs,
        maxResponseBytes: MAX_RESPONSE_BYTES,
        signal,
      },
    );
    if (signal.aborted) {
      // shutting down: another worker (or this one, restarted) sends it again
      await this.claims.release(claim);
      return;
    }
    const finished = this.clock();
    const decision = decide(outcome, item.round + 1, this.settings.retrySchedule, finished);
    const attempt = {
      at,
      durationMs: outcome.durationMs,
      responseStatus: outcome.responseStatus,
      error: outcome.error,
      responseBody: outcome.responseBody?.slice(0, LOGGED_RESPONSE_CHARS) ?? null,
    };
    await this.recorder.record(item, subscription, attempt, decision);
    // the claim is held until the outcome is written, so no one sends this attempt twice
    if (decision.kind === 'retry') await this.claims.release(claim);
    else await this.claims.forget(claim.key);
    const log = decision.kind === 'succeeded' ? this.logger.debug.bind(this.logger) : this.logger.info.bind(this.logger);
    log(
      {
        deliveryId: item._id,
        subscriptionId: subscription._id,
        eventId: item.eventId,
        status: outcome.responseStatus,
        error: outcome.error,
        outcome: decision.kind,
      },
      'webhook attempt',
    );
  }

  /** Stops claiming, lets sends finish for a moment, cuts off the rest and gives their leases back. */
  async stop(): Promise<void> {
    this.stopping = true;
    const pending = () => Promise.allSettled([...this.inFlight.values()].map((f) => f.done));
    const grace = new Promise<void>((resolve) => setTimeout(resolve, STOP_GRACE_MS).unref());
    await Promise.race([pending(), grace]);
    for (const f of this.inFlight.values()) f.abort.abort();
    await pending();
  }
}
