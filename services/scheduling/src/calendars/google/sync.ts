import type { calendar_v3 } from './googleapis.js';
import { DateTime } from 'luxon';
import { contextLogger, type Logger } from '@cadence/shared/logging';
import { inParallel } from '@cadence/shared/process';
import { occurrenceKey } from '@cadence/shared/time';
import type { ChangePipeline } from '../../changes/pipeline.js';
import type { ConnectionDoc } from '../../connections/models.js';
import type { SeriesDoc } from '../../series/models.js';
import { plannedOccurrences } from '../../series/schedule.js';
import { CursorExpiredError } from '../../sync/errors.js';
import type { CalendarSyncer } from '../../sync/scheduler.js';
import type { GoogleAccounts } from './accounts.js';
import { googleReason, googleStatus, withGoogleRetry } from './errors.js';
import { segmentUntil } from './event-body.js';
import { parseGoogleEventId } from './ids.js';

/** Series of one page applied at once. */
const SERIES_AT_ONCE = 8;
/** Upcoming meetings a whole-series decline is applied to (declines further out arrive with later syncs). */
const SERIES_DECLINE_HORIZON_MS = 28 * 24 * 3600_000;

const instant = (t: calendar_v3.Schema$EventDateTime | undefined) =>
  t?.dateTime ? new Date(t.dateTime) : t?.date ? new Date(t.date) : undefined;
const declinedBy = (item: calendar_v3.Schema$Event) =>
  item.attendees?.filter((a) => a.responseStatus === 'declined' && a.email).map((a) => a.email!);

/** The UNTIL of an RRULE line, if any. */
function untilOf(recurrence: string[] | null | undefined): Date | undefined {
  const rule = recurrence?.find((r) => r.startsWith('RRULE:'));
  const m = rule && /UNTIL=(\d{8})(T(\d{6})Z?)?/.exec(rule);
  if (!m) return undefined;
  const d = m[1]!;
  const t = m[3] ?? '235959';
  return new Date(`${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${t.slice(0, 2)}:${t.slice(2, 4)}:${t.slice(4, 6)}Z`);
}

/**
 * Google incremental sync: `events.list` with the stored sync token (deletions included), every
 * page, each changed item turned into a provider-neutral observation; the new token is returned
 * (and stored by the scheduler) only after all pages were applied. 410 → full sync.
 */
export class GoogleSyncer implements CalendarSyncer {
  constructor(
    private readonly accounts: GoogleAccounts,
    private readonly pipeline: ChangePipeline,
    private readonly logger: Logger,
    private readonly now: () => Date,
  ) {}

  async sync(connection: ConnectionDoc, cursor: string | null): Promise<string> {
    const calendar = this.accounts.client(connection);
    let pageToken: string | undefined;
    for (let page = 0; page < 10_000; page++) {
      let res;
      try {
        res = await withGoogleRetry(() =>
          calendar.events.list({
            calendarId: connection.calendarId,
            showDeleted: true,
            maxResults: 250,
            ...(cursor ? { syncToken: cursor } : {}),
            ...(pageToken ? { pageToken } : {}),
          }),
        );
      } catch (err) {
        if (googleStatus(err) === 410) throw new CursorExpiredError(`Google answered 410 ${googleReason(err) ?? ''}`.trim());
        throw err;
      }
      await this.applyPage(connection, res.data.items ?? []);
      if (res.data.nextPageToken) {
        pageToken = res.data.nextPageToken;
        continue;
      }
      if (!res.data.nextSyncToken) throw new Error('Google ended a listing without a sync token');
      return res.data.nextSyncToken;
    }
    throw new Error('Google listing did not end');
  }

  /**
   * A page's items, a series' in the order listed and different series' side by side: a sync holds
   * its slot until the page is applied, and each item's pipeline mostly waits on the database.
   */
  private async applyPage(connection: ConnectionDoc, items: calendar_v3.Schema$Event[]): Promise<void> {
    const bySeries = new Map<string, calendar_v3.Schema$Event[]>();
    for (const item of items) {
      const ours = parseGoogleEventId(item.recurringEventId ?? item.id ?? '');
      if (!ours) continue;
      const list = bySeries.get(ours.seriesId);
      if (list) list.push(item);
      else bySeries.set(ours.seriesId, [item]);
    }
    await inParallel([...bySeries.values()], SERIES_AT_ONCE, async (list) => {
      for (const item of list) await this.apply(connection, item);
    });
  }

  private async apply(connection: ConnectionDoc, item: calendar_v3.Schema$Event): Promise<void> {
    const ours = parseGoogleEventId(item.recurringEventId ?? item.id ?? '');
    if (!ours) return;
    try {
      if (item.recurringEventId) await this.applyInstance(ours.seriesId, item);
      else await this.applyMaster(connection, ours.seriesId, ours.segment, item);
    } catch (err) {
      if ((err as { status?: number }).status === 404) return; // a series Cadence no longer has
      throw err;
    }
  }

  private async applyInstance(seriesId: string, item: calendar_v3.Schema$Event): Promise<void> {
    const original = instant(item.originalStartTime);
    if (!original) return;
    const cancelled = item.status === 'cancelled';
    await this.pipeline.observeInstance({
      seriesId,
      key: occurrenceKey(original),
      source: 'google',
      revision: item.updated ?? undefined,
      status: cancelled ? 'cancelled' : 'confirmed',
      ...(cancelled
        ? {}
        : { start: instant(item.start), end: instant(item.end), location: item.location ?? null, declinedBy: declinedBy(item) }),
    });
  }

  /** A change to a whole segment's event: deleted, cut short ("this and following"), or declined as a whole. */
  private async applyMaster(
    connection: ConnectionDoc,
    seriesId: string,
    segment: number,
    item: calendar_v3.Schema$Event,
  ): Promise<void> {
    const { series } = await this.pipeline.loadSeries(seriesId, connection.organizationId);
    if (item.status === 'cancelled') {
      // only the first segment's event stands for the series; later segments are ours to end
      if (segment === series.segments.length - 1 || segment === 0)
        await this.pipeline.observeSeries({ seriesId, source: 'google', change: 'deleted' });
      return;
    }
    const until = untilOf(item.recurrence);
    const expected = segmentUntil(series, segment);
    if (until && (!expected || until.getTime() < expected.getTime() - 1000)) {
      const dropped = plannedOccurrences(series, until, expected ?? new Date(until.getTime() + 8 * 24 * 3600_000))[0];
      if (dropped)
        await this.pipeline.observeSeries({ seriesId, source: 'google', change: 'truncated', until: dropped.originalStart });
    }
    const decliners = declinedBy(item);
    if (decliners?.length) await this.declineUpcoming(series, decliners);
  }

  // no revision: the master's `updated` is not comparable with an instance's
  private async declineUpcoming(series: SeriesDoc, emails: string[]): Promise<void> {
    const now = this.now();
    for (const p of plannedOccurrences(series, now, new Date(now.getTime() + SERIES_DECLINE_HORIZON_MS))) {
      await this.pipeline.observeInstance({
        seriesId: series._id,
        key: occurrenceKey(p.originalStart),
        source: 'google',
        status: 'confirmed',
        declinedBy: emails,
      });
    }
    contextLogger(this.logger).debug(
      { seriesId: series._id, emails, at: DateTime.fromJSDate(now).toISO() },
      'series declined as a whole',
    );
  }
}
