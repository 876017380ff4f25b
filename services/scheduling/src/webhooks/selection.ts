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
 * Which of this worker's new claims stand, checked against reads taken after claiming (another
 * replica may have claimed meanwhile; of two that claim at once, the later one sees both): the
 * delivery must be queued as it was picked and still due, nothing earlier of its series queued,
 * and the subscription's live claims — other workers', this worker's sends under way, then these
 * — within its limit.
 */
export function standingClaims(
  picks: readonly (QueuedRef & { round: number })[],
  queued: readonly QueuedRef[],
  fresh: readonly (QueuedRef & { round: number })[],
  live: readonly { key: string; subscriptionId: string }[],
  now: Date,
  maxInFlight: number,
): Set<string> {
  const current = new Map(fresh.map((q) => [q._id, q]));
  const picked = new Set(picks.map((p) => p._id));
  const busy = new Map<string, number>();
  for (const c of live) if (!picked.has(c.key)) busy.set(c.subscriptionId, (busy.get(c.subscriptionId) ?? 0) + 1);
  const standing = new Set<string>();
  for (const pick of picks) {
    const now_ = current.get(pick._id);
    if (!now_ || now_.round !== pick.round || now_.nextAttemptAt > now) continue;
    const earlier = queued.some(
      (q) =>
        q.subscriptionId === pick.subscriptionId &&
        q.seriesId !== null &&
        q.seriesId === pick.seriesId &&
        q.sequence < pick.sequence,
    );
    if (earlier) continue;
    const used = busy.get(pick.subscriptionId) ?? 0;
    if (used >= maxInFlight) continue;
    busy.set(pick.subscriptionId, used + 1);
    standing.add(pick._id);
  }
  return standing;
}
