import { isDuplicateKeyError } from '@cadence/shared/http';
import type { ClaimDoc, WebhookModels } from './models.js';

export type Claim = Pick<ClaimDoc, '_id' | 'key' | 'generation' | 'owner' | 'leaseUntil'>;

/**
 * Leases that hold on FerretDB as well as MongoDB. A claim on a key is a chain of generations;
 * taking it inserts the generation after the latest one, allowed only when that one's lease has
 * ended. Two workers taking it at once insert the same `_id`: one insert fails. Generations are
 * never reused while the key can still be claimed (`forget` is for keys whose work is over), so a
 * worker acting on a stale read collides instead of slipping in.
 */
export class Claims {
  constructor(
    private readonly model: WebhookModels['Claims'],
    readonly owner: string,
    private readonly leaseMs: number,
    private readonly clock: () => Date,
  ) {}

  /**
   * Takes `key` for this worker (or renews this worker's live claim); undefined while another
   * holds it. `latest`, when the caller has just read the claims (`snapshot`), saves a read: if it
   * is stale the insert collides, or the caller's fresh look at the work shows it is done.
   */
  async take(key: string, subscriptionId: string | null = null, latest?: Claim | null): Promise<Claim | undefined> {
    const now = this.clock();
    const leaseUntil = new Date(now.getTime() + this.leaseMs);
    const current = latest !== undefined ? latest : await this.model.findOne({ key }).sort({ generation: -1 }).lean();
    if (current && current.leaseUntil > now) {
      if (current.owner !== this.owner) return undefined;
      // only its owner writes a claim, so a plain update is safe here
      await this.model.updateOne({ _id: current._id }, { $set: { leaseUntil } });
      return { ...current, leaseUntil };
    }
    const generation = current ? current.generation + 1 : 0;
    const claim = { _id: `${key}#${generation}`, key, generation, subscriptionId, owner: this.owner, leaseUntil, createdAt: now };
    try {
      await this.model.create(claim);
      return claim;
    } catch (err) {
      if (isDuplicateKeyError(err)) return undefined;
      throw err;
    }
  }

  /** Ends this worker's claim; the next worker takes the following generation. */
  async release(claim: Claim): Promise<void> {
    await this.model.updateOne({ _id: claim._id, owner: this.owner }, { $set: { leaseUntil: new Date(0) } });
  }

  /**
   * Ends this worker's claim on work that is over (a delivery that left the queue). Deleted, not
   * kept: a worker acting on a stale read may then take the key again, but finds the work gone.
   */
  async end(claim: Claim): Promise<void> {
    await this.model.deleteOne({ _id: claim._id });
  }

  /** Drops every generation of a key, before its work starts over (a replayed delivery). */
  async forget(key: string): Promise<void> {
    await this.model.deleteMany({ key });
  }

  /** Every delivery claim (live or ended), in one read. */
  async deliveryClaims(): Promise<(Claim & { subscriptionId: string })[]> {
    return (await this.model
      .find({ subscriptionId: { $ne: null } }, { key: 1, generation: 1, owner: 1, leaseUntil: 1, subscriptionId: 1 })
      .lean()) as (Claim & { subscriptionId: string })[];
  }

  /** Live claims on deliveries of these subscriptions, on every replica. */
  async liveFor(subscriptionIds: string[]): Promise<{ key: string; subscriptionId: string }[]> {
    return (await this.model
      .find({ subscriptionId: { $in: subscriptionIds }, leaseUntil: { $gt: this.clock() } }, { key: 1, subscriptionId: 1 })
      .lean()) as { key: string; subscriptionId: string }[];
  }

  /** Deletes claims by id (those a worker that died left on deliveries that have ended since). */
  async remove(ids: string[]): Promise<void> {
    if (ids.length) await this.model.deleteMany({ _id: { $in: ids } });
  }
}
