import type { Claim, Claims } from './claims.js';

/**
 * A named lock held for a lease and renewed while its holder keeps working; a holder that dies
 * loses it when the lease ends, and another replica takes it over.
 */
export class LeaseLock {
  private held: Claim | undefined;

  constructor(
    private readonly claims: Claims,
    private readonly name: string,
  ) {}

  /**
   * Whether this worker holds the lock: `renewed` when it held it already, `taken` when it has
   * just taken it (maybe from a holder that died mid-way), false when another holds it.
   */
  async acquire(): Promise<'renewed' | 'taken' | false> {
    const before = this.held?._id;
    this.held = await this.claims.take(`lock:${this.name}`);
    if (!this.held) return false;
    return this.held._id === before ? 'renewed' : 'taken';
  }

  async release(): Promise<void> {
    if (this.held) await this.claims.release(this.held);
    this.held = undefined;
  }
}
