/**
 * A short-lived memory of what an agenda read needs: the scheduling service's series and
 * occurrence, the agenda and the occurrence's homework. A read otherwise costs two calls to
 * scheduling and two database queries; with a TTL of a second or two a busy meeting's page
 * reloads share one answer. Writes in this process forget what they change at once; another
 * replica's write shows here within the TTL. Keys start with the organization, so a caller only
 * ever sees its own organization's data; a TTL of 0 turns it off.
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

  /** Drops every entry whose key starts with `prefix` (after a write in this process). */
  forget(prefix: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }
}
