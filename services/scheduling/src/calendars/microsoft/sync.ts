import type { Model } from 'mongoose';
import { parseOccurrenceKey } from '@cadence/shared/time';
import type { ConnectionDoc } from '../../connections/models.js';
import { CursorExpiredError } from '../../sync/errors.js';
import type { CalendarSyncer } from '../../sync/scheduler.js';
import type { MicrosoftAccounts } from './accounts.js';
import type { DeltaApplier, DeltaRound } from './apply.js';
import { graphCode, graphStatus } from './errors.js';
import type { GraphEvent } from './graph-event.js';
import type { MicrosoftItemDoc } from './items.js';

const DAY_MS = 24 * 3600_000;
const LOST_STATE = new Set(['resyncRequired', 'syncStateNotFound', 'SyncStateNotFound', 'SyncStateInvalid']);

interface DeltaPage {
  value: GraphEvent[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

/**
 * Graph incremental sync: the calendar-view delta query (a window around now), every page
 * followed by its `@odata.nextLink`, each entry applied; the `@odata.deltaLink` is returned (and
 * stored by the scheduler) only after all pages were applied. A delta link Graph no longer knows
 * (410 Gone, `resyncRequired`, `syncStateNotFound`) → a full resync, which also re-checks every
 * remembered occurrence it did not list (a cancellation made while the link was lost).
 */
export class MicrosoftSyncer implements CalendarSyncer {
  constructor(
    private readonly accounts: MicrosoftAccounts,
    private readonly applier: DeltaApplier,
    private readonly Items: Model<MicrosoftItemDoc>,
    private readonly now: () => Date,
  ) {}

  async sync(connection: ConnectionDoc, cursor: string | null): Promise<string> {
    const seen = new Set<string>();
    const round: DeltaRound = { window: this.window(), fresh: new Map(), listed: new Set() };
    let url = cursor ?? this.initialUrl(round.window);
    for (let page = 0; page < 10_000; page++) {
      let res: DeltaPage;
      try {
        res = await this.accounts.call(connection, (c) => c.api(url).header('Prefer', 'odata.maxpagesize=100').get());
      } catch (err) {
        if (graphStatus(err) === 410 || LOST_STATE.has(graphCode(err) ?? ''))
          throw new CursorExpiredError(`Graph answered ${graphStatus(err) ?? ''} ${graphCode(err) ?? ''}`.trim());
        throw err;
      }
      for (const item of res.value) if (!item['@removed']) seen.add(item.id);
      await this.applier.apply(connection, res.value, round);
      if (res['@odata.nextLink']) {
        url = res['@odata.nextLink'];
        continue;
      }
      if (!res['@odata.deltaLink']) throw new Error('Graph ended a delta round without a delta link');
      if (!cursor) await this.recheckUnlisted(connection, seen, round);
      await this.applier.checkFresh(connection, round);
      return res['@odata.deltaLink'];
    }
    throw new Error('Graph delta did not end');
  }

  /** The calendar view a new delta chain follows (an existing chain keeps the window it began with). */
  private window(): DeltaRound['window'] {
    const { MICROSOFT_SYNC_PAST_DAYS: past, MICROSOFT_SYNC_FUTURE_DAYS: future } = this.accounts.settings;
    const now = this.now().getTime();
    return { from: new Date(now - past * DAY_MS), to: new Date(now + future * DAY_MS) };
  }

  private initialUrl({ from, to }: DeltaRound['window']): string {
    return `/me/calendarView/delta?startDateTime=${from.toISOString()}&endDateTime=${to.toISOString()}`;
  }

  /**
   * A full listing shows no removals: remembered occurrences inside the window it did not list are
   * checked as removed; those before the window are forgotten.
   */
  private async recheckUnlisted(connection: ConnectionDoc, seen: Set<string>, round: DeltaRound): Promise<void> {
    const [from, to] = [round.window.from.getTime(), round.window.to.getTime()];
    const remembered = await this.Items.find({ connectionId: connection._id, kind: { $in: ['occurrence', 'restore'] } }).lean();
    // occurrences the window has left behind are history: no need to remember them further
    const past = remembered.filter((r) => r.key && (parseOccurrenceKey(r.key)?.getTime() ?? 0) < from).map((r) => r._id);
    if (past.length) await this.Items.deleteMany({ _id: { $in: past } });
    const unlisted = remembered.filter((r) => {
      if (seen.has(r._id) || !r.key) return false;
      const at = parseOccurrenceKey(r.key)?.getTime() ?? NaN;
      return at >= from && at < to;
    });
    if (unlisted.length)
      await this.applier.apply(
        connection,
        unlisted.map((r) => ({ id: r._id, '@removed': { reason: 'unlisted' } })),
        round,
      );
  }
}
