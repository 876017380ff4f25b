import { randomBytes } from 'node:crypto';

/** How long one read of series serves the following pages of its listing. */
const KEEP_MS = 60_000;
/** Listings served at once from memory (each holds at most a window of series). */
const MAX_KEPT = 8;

interface Kept<T, A> {
  owner: string;
  rows: T[];
  /** The database holds more after the last row. */
  more: boolean;
  at: number;
  /** The pages the next requests will ask for, started ahead, by the key of each page. */
  ahead: Map<string, { at: number; page: Promise<A> }>;
}

/** How long a page started ahead stays good to answer with (it is a moment older than the request). */
const AHEAD_MS = 5_000;

/**
 * The series read for one listing by occurrences, kept on this replica so that its next pages
 * are cut from the same read: on FerretDB every page's sorted query read and decoded all the
 * organization's series (~1 ms each), ten times for a report of 1,000 series. A page asked of
 * another replica, or after KEEP_MS, reads from the cursor again, as before.
 */
export class SeriesWindows<T, A = never> {
  private readonly kept = new Map<string, Kept<T, A>>();

  keep(owner: string, rows: T[], more: boolean): string {
    const id = randomBytes(8).toString('base64url');
    this.kept.set(id, { owner, rows, more, at: Date.now(), ahead: new Map() });
    for (const [key, k] of this.kept) if (this.kept.size > MAX_KEPT || Date.now() - k.at > KEEP_MS) this.kept.delete(key);
    return id;
  }

  /** A kept read, if it is this owner's (organization and filter) and fresh. */
  get(id: string, owner: string): Pick<Kept<T, A>, 'rows' | 'more'> | undefined {
    const k = this.kept.get(id);
    if (!k || k.owner !== owner || Date.now() - k.at > KEEP_MS) return undefined;
    return k;
  }

  /**
   * Starts a following page (its reads, then its answer) while this one is answered, unless it is
   * started already: a report asks for the next page as soon as it has this one, and the work of
   * the pages ahead then overlaps the report's work on the one before.
   */
  prepare(id: string, key: string, page: () => Promise<A>): void {
    const k = this.kept.get(id);
    if (!k || k.ahead.has(key)) return;
    const started = page();
    started.catch(() => undefined); // a page that failed is answered again by the request itself
    k.ahead.set(key, { at: Date.now(), page: started });
  }

  /** A page started ahead, if it was and is fresh; taken once. */
  take(id: string, key: string): Promise<A> | undefined {
    const ahead = this.kept.get(id)?.ahead;
    const page = ahead?.get(key);
    if (!page) return undefined;
    ahead!.delete(key);
    return Date.now() - page.at <= AHEAD_MS ? page.page : undefined;
  }

  forget(id: string): void {
    this.kept.delete(id);
  }
}
