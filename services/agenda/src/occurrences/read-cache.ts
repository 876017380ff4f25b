/**
 * A short-lived memory of what the scheduling service said about series and occurrences. An
 * agenda page or API read otherwise costs two calls to scheduling (and their database reads) every
 * time; with a TTL of a couple of seconds a busy meeting's page reloads share one answer. Entries
 * are per organization, so a caller only ever sees its own organization's data; 0 turns it off.
 */
export class ReadCache {
  private readonly entries = new Map<string, { until: number; value: Promise<unknown> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    if (this.ttlMs <= 0) return load();
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.until > now) return hit.value as Promise<T>;
    const value = load();
    this.entries.set(key, { until: now + this.ttlMs, value });
    // a failed answer is not remembered
    value.catch(() => this.entries.delete(key));
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }
}
