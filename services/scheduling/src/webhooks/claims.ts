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
    readonly leaseMs: number,
    private readonly clock: () => Date,
  ) {}

  /** What is left of a claim's lease, in ms (≤ 0: ended). */
  leaseLeft(claim: Claim): number {
    return claim.leaseUntil.getTime() - this.clock().getTime();
  }

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

  /**
   * Takes several unclaimed keys in one write (the generation after each one's `latest`, which the
   * caller has just read); returns those taken. A key another worker took meanwhile collides.
   */
  async takeMany(wanted: { key: string; subscriptionId: string; latest: Claim | null }[]): Promise<Map<string, Claim>> {
    const now = this.clock();
    const leaseUntil = new Date(now.getTime() + this.leaseMs);
    const docs = wanted.map(({ key, subscriptionId, latest }) => {
      const generation = latest ? latest.generation + 1 : 0;
      return { _id: `${key}#${generation}`, key, generation, subscriptionId, owner: this.owner, leaseUntil, createdAt: now };
    });
    const failed = new Set<number>();
    try {
      if (docs.length) await this.model.insertMany(docs, { ordered: false });
    } catch (err) {
      const errors = (err as { writeErrors?: { index: number }[] }).writeErrors;
      if (!isDuplicateKeyError(err) || !errors) throw err;
      for (const e of errors) failed.add(e.index);
    }
    return new Map(docs.filter((_, i) => !failed.has(i)).map((d) => [d.key, d]));
  }

  /** Ends this worker's claim; the next worker takes the following generation. */
  async release(claim: Claim): Promise<void> {
    await this.model.updateOne({ _id: claim._id, owner: this.owner }, { $set: { leaseUntil: new Date(0) } });
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
  async liveFor(subscriptionIds: string[]): Promise<{ _id: string; key: string; subscriptionId: string }[]> {
    return (await this.model
      .find({ subscriptionId: { $in: subscriptionIds }, leaseUntil: { $gt: this.clock() } }, { key: 1, subscriptionId: 1 })
      .lean()) as { _id: string; key: string; subscriptionId: string }[];
  }

  /** Deletes claims by id (those on deliveries that have ended). */
  async remove(ids: string[]): Promise<void> {
    if (ids.length) await this.model.deleteMany({ _id: { $in: ids } });
  }
}
