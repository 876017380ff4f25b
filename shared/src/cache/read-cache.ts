/**
 * A short-lived memory of answers that are expensive to get and may be a little stale: concurrent
 * askers of one key share one load, a failed load is not remembered, and writers `forget` what
 * they change. Keys should start with the organization, so nothing crosses organizations.
 *
 * Agenda reads: the scheduling service's series and occurrence, the agenda and its homework (a
 * read otherwise costs two calls to scheduling and two database queries; this replica's writes
 * show at once, another replica's within the TTL). Streak events: the series of a pair. A TTL of
 * 0 turns it off.
 */
export class ReadCache {
  private readonly entries = new Map<string, { until: number; value: Promise<unknown> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  /** `keep`: whether an answer is remembered (say, only what was found); the askers meanwhile share it anyway. */
  get<T>(key: string, load: () => Promise<T>, keep?: (value: T) => boolean): Promise<T> {
    if (this.ttlMs <= 0) return load();
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.until > now) return hit.value as Promise<T>;
    // a thenable (a mongoose query) runs again at each then: settle it once
    const value = Promise.resolve(load());
    const entry = { until: now + this.ttlMs, value };
    this.entries.set(key, entry);
    const drop = () => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    };
    // a failed answer is not remembered
    value.then((v) => (keep && !keep(v) ? drop() : undefined), drop);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }

  /** Drops every entry whose key starts with `prefix` (after a write in this process). */
  forget(prefix: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }
}
