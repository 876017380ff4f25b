import { sha256 } from '@cadence/shared/ids';

interface Entry {
  organizationId: string;
  expiresAt: number;
}

/**
 * Positive answers of the scheduling service about API keys, kept briefly so every agenda request
 * does not cost a round trip. Keyed by a SHA-256 of the key: the key itself is never held here.
 * A revoked key keeps working for at most `ttlMs`.
 */
export class ApiKeyCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly clock: () => number = Date.now,
  ) {}

  get(apiKey: string): string | undefined {
    const id = sha256(apiKey);
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.clock()) {
      this.entries.delete(id);
      return undefined;
    }
    return entry.organizationId;
  }

  set(apiKey: string, organizationId: string): void {
    // a Map iterates in insertion order: dropping the first entry drops the oldest
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(sha256(apiKey), { organizationId, expiresAt: this.clock() + this.ttlMs });
  }
}
