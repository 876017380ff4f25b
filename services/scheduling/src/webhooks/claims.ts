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

  /** Takes `key` for this worker (or renews this worker's live claim); undefined while another holds it. */
  async take(key: string, subscriptionId: string | null = null): Promise<Claim | undefined> {
    const now = this.clock();
    const leaseUntil = new Date(now.getTime() + this.leaseMs);
    const latest = await this.model.findOne({ key }).sort({ generation: -1 }).lean();
    if (latest && latest.leaseUntil > now) {
      if (latest.owner !== this.owner) return undefined;
      // only its owner writes a claim, so a plain update is safe here
      await this.model.updateOne({ _id: latest._id }, { $set: { leaseUntil } });
      return { ...latest, leaseUntil };
    }
    const generation = latest ? latest.generation + 1 : 0;
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

  /** Drops every generation of a key whose work is over (a delivery that ended). */
  async forget(key: string): Promise<void> {
    await this.model.deleteMany({ key });
  }

  /** Live claims on deliveries of one subscription: its sends in flight, on every replica. */
  async liveFor(subscriptionId: string): Promise<Claim[]> {
    return this.model.find({ subscriptionId, leaseUntil: { $gt: this.clock() } }).lean();
  }

  /** Keys of every live delivery claim. */
  async liveKeys(): Promise<Set<string>> {
    const live = await this.model.find({ subscriptionId: { $ne: null }, leaseUntil: { $gt: this.clock() } }, { key: 1 }).lean();
    return new Set(live.map((c) => c.key));
  }
}
