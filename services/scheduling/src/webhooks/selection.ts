/** What the sender needs to know about a queued delivery to decide whether it may go now. */
export interface QueuedRef {
  _id: string;
  subscriptionId: string;
  seriesId: string | null;
  sequence: number;
  nextAttemptAt: Date;
  leaseUntil: Date | null;
}

const laneOf = (item: Pick<QueuedRef, 'subscriptionId' | 'seriesId'>) => `${item.subscriptionId}|${item.seriesId}`;
const leased = (item: QueuedRef, now: Date) => item.leaseUntil !== null && item.leaseUntil > now;

/**
 * Which queued deliveries may be sent now, in order: due, not leased, of an enabled
 * subscription, the earliest of their subscription and series (a later event waits while an
 * earlier one is pending, retrying or in flight), and within the subscription's in-flight limit.
 */
export function dueDeliveries(
  items: readonly QueuedRef[],
  enabled: ReadonlySet<string>,
  now: Date,
  maxInFlight: number,
): QueuedRef[] {
  const head = new Map<string, number>();
  const inFlight = new Map<string, number>();
  for (const item of items) {
    if (item.seriesId !== null) {
      const lane = laneOf(item);
      head.set(lane, Math.min(head.get(lane) ?? Infinity, item.sequence));
    }
    if (leased(item, now)) inFlight.set(item.subscriptionId, (inFlight.get(item.subscriptionId) ?? 0) + 1);
  }
  const ready = items
    .filter(
      (item) =>
        enabled.has(item.subscriptionId) &&
        item.nextAttemptAt <= now &&
        !leased(item, now) &&
        (item.seriesId === null || head.get(laneOf(item)) === item.sequence),
    )
    .sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime() || a.sequence - b.sequence);
  const chosen: QueuedRef[] = [];
  for (const item of ready) {
    const busy = inFlight.get(item.subscriptionId) ?? 0;
    if (busy >= maxInFlight) continue;
    inFlight.set(item.subscriptionId, busy + 1);
    chosen.push(item);
  }
  return chosen;
}

/**
 * Checked again after claiming, against a fresh read of the subscription's queue (another
 * replica may have claimed meanwhile): the claim stands only if the subscription is still
 * within its limit and nothing earlier of the same series is queued.
 */
export function claimStands(claimed: QueuedRef, peers: readonly QueuedRef[], now: Date, maxInFlight: number): boolean {
  const inFlight = peers.filter((p) => leased(p, now)).length;
  const earlier =
    claimed.seriesId !== null && peers.some((p) => p.seriesId === claimed.seriesId && p.sequence < claimed.sequence);
  return inFlight <= maxInFlight && !earlier;
}
