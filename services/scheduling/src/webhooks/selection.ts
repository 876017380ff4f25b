/** What the sender needs to know about a queued delivery to decide whether it may go now. */
export interface QueuedRef {
  _id: string;
  subscriptionId: string;
  seriesId: string | null;
  sequence: number;
  nextAttemptAt: Date;
}

const laneOf = (item: Pick<QueuedRef, 'subscriptionId' | 'seriesId'>) => `${item.subscriptionId}|${item.seriesId}`;

/**
 * Which queued deliveries may be sent now, in order: due, not claimed, of an enabled
 * subscription, the earliest of their subscription and series (a later event waits while an
 * earlier one is pending, retrying or in flight), and within the subscription's in-flight limit.
 */
export function dueDeliveries(
  items: readonly QueuedRef[],
  claimed: ReadonlySet<string>,
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
    if (claimed.has(item._id)) inFlight.set(item.subscriptionId, (inFlight.get(item.subscriptionId) ?? 0) + 1);
  }
  const ready = items
    .filter(
      (item) =>
        enabled.has(item.subscriptionId) &&
        item.nextAttemptAt <= now &&
        !claimed.has(item._id) &&
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
 * Checked again after claiming, against fresh reads (another replica may have claimed
 * meanwhile; of two that claim at once, the later one sees both): the claim stands only if the
 * subscription is still within its limit and nothing earlier of the same series is queued.
 */
export function claimStands(claimed: QueuedRef, queued: readonly QueuedRef[], liveClaims: number, maxInFlight: number): boolean {
  const earlier =
    claimed.seriesId !== null && queued.some((q) => q.seriesId === claimed.seriesId && q.sequence < claimed.sequence);
  return liveClaims <= maxInFlight && !earlier;
}
