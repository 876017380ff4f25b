import type { ChangeSource } from '../occurrences/schemas.js';

/**
 * What a calendar says one instance of a series looks like now — the provider-neutral input of
 * the change pipeline. Comparing it with what Cadence last knew gives the classified changes, so
 * seeing the same state twice (a repeated notification, a resync) changes nothing.
 */
export interface ObservedInstance {
  seriesId: string;
  /** The instance's original start (`YYYYMMDDTHHMMSSZ`), from the provider's originalStart field. */
  key: string;
  source: ChangeSource;
  /** The provider's revision of the instance (e.g. `updated`); an older one than already seen is ignored. */
  revision?: string | undefined;
  status: 'confirmed' | 'cancelled';
  start?: Date | undefined;
  end?: Date | undefined;
  /** undefined: the provider did not say. */
  location?: string | null | undefined;
  /** Everyone who has declined this instance, as of this revision; undefined: not reported. */
  declinedBy?: string[] | undefined;
  cancelledBy?: { email: string; name: string | null } | null | undefined;
  reason?: string | null | undefined;
}

/** What a calendar says happened to the whole series. */
export type ObservedSeries =
  | { seriesId: string; source: ChangeSource; change: 'deleted' }
  | { seriesId: string; source: ChangeSource; change: 'truncated'; until: Date };
