import { isDuplicateKeyError } from '@cadence/shared/http';
import type { WebhookModels } from './models.js';

/**
 * A named lock held for a lease: a replica that dies holding it loses it when the lease ends.
 * Taking it is one upsert: a free or expired lock matches and is taken; a held one does not
 * match, the upsert then collides with the existing `_id`, and the caller is told no.
 */
export class LeaseLock {
  constructor(
    private readonly Locks: WebhookModels['Locks'],
    private readonly name: string,
    private readonly owner: string,
    private readonly leaseMs: number,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async acquire(): Promise<boolean> {
    const now = this.clock();
    try {
      await this.Locks.findOneAndUpdate(
        { _id: this.name, $or: [{ leaseUntil: { $lt: now } }, { owner: this.owner }] },
        { $set: { owner: this.owner, leaseUntil: new Date(now.getTime() + this.leaseMs) } },
        { upsert: true },
      );
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
  }

  async release(): Promise<void> {
    await this.Locks.updateOne({ _id: this.name, owner: this.owner }, { $set: { leaseUntil: new Date(0) } });
  }
}
