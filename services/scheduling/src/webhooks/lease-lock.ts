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

  /** True when this worker holds the lock (taking or renewing it). */
  async acquire(): Promise<boolean> {
    this.held = await this.claims.take(`lock:${this.name}`);
    return this.held !== undefined;
  }

  async release(): Promise<void> {
    if (this.held) await this.claims.release(this.held);
    this.held = undefined;
  }
}
