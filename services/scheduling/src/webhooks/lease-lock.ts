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
    // renewed once half the lease is gone, not at every pass: no one else can take it before it ends
    if (this.held && this.claims.leaseLeft(this.held) > this.claims.leaseMs / 2) return 'renewed';
    const before = this.held?._id;
    this.held = await this.claims.take(`lock:${this.name}`);
    if (!this.held) return false;
    return this.held._id === before ? 'renewed' : 'taken';
  }

  /** Whether this worker held the lock at its last acquire, and its lease has not ended since. */
  holds(): boolean {
    return this.held !== undefined && this.claims.leaseLeft(this.held) > 0;
  }

  async release(): Promise<void> {
    if (this.held) await this.claims.release(this.held);
    this.held = undefined;
  }
}
