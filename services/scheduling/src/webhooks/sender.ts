import type { Logger } from '@cadence/shared/logging';
import type { Claim, Claims } from './claims.js';
import type { QueueItemDoc, SubscriptionDoc, WebhookModels } from './models.js';
import type { DeliveryRecorder } from './record.js';
import { decide } from './retry.js';
import type { SigningSecrets } from './secrets.js';
import { dueDeliveries, standingClaims } from './selection.js';
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
  /**
   * Whether the last tick left a queued delivery unsent by this worker (behind another of its
   * series, over its subscription's limit, due later, or claimed elsewhere), and whether a tick is
   * under way: only then can a finished send unblock something. A burst of deliveries that each
   * went at once otherwise cost a tick (seven reads and writes) per send for nothing.
   */
  private waiting = true;
  private ticking = false;
  /** Woken after a send that may have unblocked another. */
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

  async tick(): Promise<void> {
    this.ticking = true;
    try {
      await this.send();
    } finally {
      this.ticking = false;
    }
  }

  private async send(): Promise<void> {
    this.waiting = true;
    if (this.stopping || this.inFlight.size >= MAX_SENDS_PER_PROCESS) return;
    const { Queue, Subscriptions } = this.models;
    // claims before the queue: a delivery that ends in between is then missing from the queue
    // read, rather than present and looking unclaimed
    const claims = await this.claims.deliveryClaims();
    const items = (await Queue.find({}, { attempts: 0, body: 0 }).lean()) as QueueItem[];
    const now = this.clock();
    // a delivery that ended keeps its claim (one write less per delivery); it holds nothing once
    // the delivery has left the queue, and goes here
    const queued = new Set(items.map((i) => i._id));
    await this.claims.remove(claims.filter((c) => !queued.has(c.key)).map((c) => c._id));
    // what this tick does not send waits for a send to end (or is due later: the poll's)
    const settle = () => (this.waiting = items.some((i) => !this.inFlight.has(i._id)));
    if (!items.length) return void settle();

    const subscriptionIds = [...new Set(items.map((i) => i.subscriptionId))];
    const subscriptions = new Map(
      (await Subscriptions.find({ _id: { $in: subscriptionIds } }).lean()).map((s) => [s._id, s as Subscription]),
    );
    // a subscription deleted while its deliveries were queued: nothing will ever send them
    const orphans = subscriptionIds.filter((id) => !subscriptions.has(id));
    if (orphans.length) await Queue.deleteMany({ subscriptionId: { $in: orphans } });

    const latest = new Map<string, Claim>();
    for (const c of claims) if ((latest.get(c.key)?.generation ?? -1) < c.generation) latest.set(c.key, c);
    const claimed = new Set([...latest.values()].filter((c) => c.leaseUntil > now).map((c) => c.key));
    const enabled = new Set([...subscriptions.values()].filter((s) => s.status === 'enabled').map((s) => s._id));
    const room = MAX_SENDS_PER_PROCESS - this.inFlight.size;
    const picks = dueDeliveries(items, claimed, enabled, now, this.settings.maxInFlight).slice(0, room) as QueueItem[];

    const taken = await this.claims.takeMany(
      picks.map((p) => ({ key: p._id, subscriptionId: p.subscriptionId, latest: latest.get(p._id) ?? null })),
    );
    if (!taken.size) return void settle();
    const going = await this.confirm(
      picks.filter((p) => taken.has(p._id)),
      items,
      new Set(claims.map((c) => c._id)),
    );
    await Promise.all([...taken].filter(([id]) => !going.has(id)).map(([, claim]) => this.claims.release(claim)));
    for (const item of going.values()) this.launch(item, taken.get(item._id)!, subscriptions.get(item.subscriptionId)!);
    settle();
  }

  /**
   * After claiming, looks again: each delivery must still be queued as it was picked (a stale
   * pick of one another worker just sent is dropped here) and the subscription's live claims —
   * other replicas' included — within its limit. One read by an `_id` list (it brings the payloads)
   * and one of the small claims collection.
   */
  private async confirm(mine: QueueItem[], snapshot: QueueItem[], known: Set<string>): Promise<Map<string, QueueItem>> {
    const read = new Map(
      ((await this.models.Queue.find({ _id: { $in: mine.map((p) => p._id) } }).lean()) as QueueItem[]).map((i) => [i._id, i]),
    );
    // in the order picked (sequence order), which is the order they are launched in
    const fresh = mine.flatMap((p) => read.get(p._id) ?? []);
    // busy: claims taken since the snapshot (other replicas), and older ones on deliveries still queued
    const queued = new Set(snapshot.map((i) => i._id));
    const live = (await this.claims.liveFor([...new Set(mine.map((p) => p.subscriptionId))])).filter(
      (c) => !known.has(c._id) || queued.has(c.key),
    );
    const standing = standingClaims(mine, snapshot, fresh, live, this.clock(), this.settings.maxInFlight);
    return new Map(fresh.filter((f) => standing.has(f._id)).map((f) => [f._id, f]));
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
        if (!this.stopping && (this.waiting || this.ticking)) this.onSettled();
      });
    this.inFlight.set(item._id, { abort, done });
  }

  private async attempt(item: QueueItem, claim: Claim, subscription: Subscription, signal: AbortSignal): Promise<void> {
    const body = item.body;
    const at = this.clock();
    const keys = this.secrets.active(subscription._id, subscription.secrets, at);
    const headers = signedHeaders(item.eventId, body, keys, at);
    const outcome = await postJson(
      new URL(subscription.url),
      body,
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
    // the claim is held until the outcome is written, so no one sends this attempt twice; an
    // ended delivery has left the queue, and its claim is swept by the next tick
    if (decision.kind === 'retry') await this.claims.release(claim);
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
