import { randomBytes } from 'node:crypto';

/** How long one read of series serves the following pages of its listing. */
const KEEP_MS = 60_000;
/** Listings served at once from memory (each holds at most a window of series). */
const MAX_KEPT = 8;

interface Kept<T> {
  owner: string;
  rows: T[];
  /** The database holds more after the last row. */
  more: boolean;
  at: number;
}

/**
 * The series read for one listing by occurrences, kept on this replica so that its next pages
 * are cut from the same read: on FerretDB every page's sorted query read and decoded all the
 * organization's series (~1 ms each), ten times for a report of 1,000 series. A page asked of
 * another replica, or after KEEP_MS, reads from the cursor again, as before.
 */
export class SeriesWindows<T> {
  private readonly kept = new Map<string, Kept<T>>();

  keep(owner: string, rows: T[], more: boolean): string {
    const id = randomBytes(8).toString('base64url');
    this.kept.set(id, { owner, rows, more, at: Date.now() });
    for (const [key, k] of this.kept) if (this.kept.size > MAX_KEPT || Date.now() - k.at > KEEP_MS) this.kept.delete(key);
    return id;
  }

  /** A kept read, if it is this owner's (organization and filter) and fresh. */
  get(id: string, owner: string): Omit<Kept<T>, 'owner' | 'at'> | undefined {
    const k = this.kept.get(id);
    if (!k || k.owner !== owner || Date.now() - k.at > KEEP_MS) return undefined;
    return k;
  }

  forget(id: string): void {
    this.kept.delete(id);
  }
}
