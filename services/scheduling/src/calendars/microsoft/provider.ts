import type { Client } from '@microsoft/microsoft-graph-client';
import { randomUUID } from 'node:crypto';
import type { Model } from 'mongoose';
import { parseOccurrenceKey } from '@cadence/shared/time';
import type { ConnectionDoc } from '../../connections/models.js';
import { plannedAt } from '../../series/schedule.js';
import type { CalendarProvider, CalendarRef, SeriesForCalendar } from '../provider.js';
import type { MicrosoftAccounts } from './accounts.js';
import { graphStatus } from './errors.js';
import { graphEventBody, graphRestoreBody } from './event-body.js';
import { transactionId } from './ids.js';
import { remember, segmentKey, type MicrosoftItemDoc } from './items.js';
import type { GraphEvent } from './graph-event.js';

/**
 * Outlook through Microsoft Graph behind the provider interface (after Cal.com's Office365
 * CalendarService): the series is one recurring event per rule segment in the manager's calendar;
 * Graph sends the rep's invitation and every update itself. Master ids are remembered at creation,
 * since delta results carry no extended properties.
 */
export class MicrosoftCalendarProvider implements CalendarProvider {
  readonly kind = 'microsoft' as const;

  constructor(
    private readonly accounts: MicrosoftAccounts,
    private readonly Items: Model<MicrosoftItemDoc>,
    private readonly now: () => Date,
  ) {}

  async precheck({ manager }: Pick<SeriesForCalendar, 'manager'>): Promise<void> {
    await this.accounts.forManager(manager);
  }

  async createSeries(input: SeriesForCalendar): Promise<CalendarRef> {
    const connection = await this.accounts.forManager(input.manager);
    const id = await this.writeSegment(connection, input, 0, undefined);
    return this.ref(connection, id!);
  }

  /** Rewrites every segment's master: earlier ones end where the next begins, the newest is created if new. */
  async updateSeries(input: SeriesForCalendar): Promise<CalendarRef> {
    const connection = await this.accounts.forManager(input.manager);
    const known = await this.Items.find({
      _id: { $in: input.series.segments.map((_, i) => segmentKey(input.series._id, i)) },
    }).lean();
    const masters = new Map(known.map((k) => [k._id, k.masterId]));
    let latest = input.series.calendar.eventId ?? null;
    for (let i = 0; i < input.series.segments.length; i++) {
      latest =
        (await this.writeSegment(connection, input, i, masters.get(segmentKey(input.series._id, i)) ?? undefined)) ?? latest;
    }
    return this.ref(connection, latest);
  }

  async endSeries(input: SeriesForCalendar): Promise<void> {
    await this.updateSeries(input);
  }

  /** The series' occurrences and exceptions in [from, to) as Graph lists them (every page). */
  async listInstances(input: SeriesForCalendar, from: Date, to: Date): Promise<GraphEvent[]> {
    const connection = await this.accounts.forManager(input.manager);
    const masterId = input.series.calendar.eventId;
    if (!masterId) return [];
    const out: GraphEvent[] = [];
    let url: string | undefined =
      `/me/events/${encodeURIComponent(masterId)}/instances?startDateTime=${from.toISOString()}&endDateTime=${to.toISOString()}&$top=100`;
    for (let page = 0; url && page < 1000; page++) {
      const res: { value: GraphEvent[]; '@odata.nextLink'?: string } = await this.accounts.call(connection, (c) =>
        c.api(url!).get(),
      );
      out.push(...res.value);
      url = res['@odata.nextLink'];
    }
    return out;
  }

  /** A single event in the cancelled slot, remembered under the occurrence's key (see graphRestoreBody). */
  async restoreOccurrence(input: SeriesForCalendar, key: string): Promise<void> {
    const connection = await this.accounts.forManager(input.manager);
    const planned = plannedAt(input.series, parseOccurrenceKey(key)!);
    if (!planned) return;
    const body = graphRestoreBody(input, { ...planned, location: planned.segment.location ?? null, key });
    // a fresh key per restore (the slot may be cancelled and restored again); retries inside call() reuse it
    const tx = randomUUID();
    const created: GraphEvent = await this.accounts.call(connection, (c) =>
      c.api('/me/events').post({ ...body, transactionId: tx }),
    );
    await remember(this.Items, [
      {
        _id: created.id,
        kind: 'restore',
        organizationId: input.series.organizationId,
        connectionId: connection._id,
        seriesId: input.series._id,
        segment: null,
        masterId: null,
        key,
        createdAt: this.now(),
      },
    ]);
  }

  /** PATCH the segment's master, or create it (with an idempotency key) when it has none yet. */
  private async writeSegment(
    connection: ConnectionDoc,
    input: SeriesForCalendar,
    i: number,
    masterId: string | undefined,
  ): Promise<string | undefined> {
    const body = graphEventBody(input, i);
    if (!body) {
      // an update before the segment's first meeting: its master has nothing left to show
      if (masterId) await this.retire(connection, masterId, segmentKey(input.series._id, i));
      return undefined;
    }
    if (masterId) {
      try {
        await this.accounts.call(connection, (c: Client) => c.api(`/me/events/${encodeURIComponent(masterId)}`).patch(body));
        return masterId;
      } catch (err) {
        // deleted in Outlook meanwhile: the series' end or deletion arrives through sync
        if (graphStatus(err) === 404) return masterId;
        throw err;
      }
    }
    const created: GraphEvent = await this.accounts.call(connection, (c) =>
      c.api('/me/events').post({ ...body, transactionId: transactionId(input.series._id, String(i)) }),
    );
    const base = {
      organizationId: input.series.organizationId,
      connectionId: connection._id,
      seriesId: input.series._id,
      segment: i,
      masterId: created.id,
      key: null,
      createdAt: this.now(),
    };
    await remember(this.Items, [
      { _id: created.id, kind: 'master', ...base },
      { _id: segmentKey(input.series._id, i), kind: 'segment', ...base },
    ]);
    return created.id;
  }

  /** Deletes a segment's master; its occurrences are forgotten first, so their removal is not read as cancellations. */
  private async retire(connection: ConnectionDoc, masterId: string, segment: string): Promise<void> {
    await this.Items.deleteMany({ _id: segment });
    await this.Items.deleteMany({ masterId, kind: 'occurrence' });
    await this.Items.updateOne({ _id: masterId }, { $set: { kind: 'foreign', seriesId: null } });
    try {
      await this.accounts.call(connection, (c) => c.api(`/me/events/${encodeURIComponent(masterId)}`).delete());
    } catch (err) {
      if (graphStatus(err) !== 404) throw err;
    }
  }

  private ref(connection: ConnectionDoc, eventId: string | null): CalendarRef {
    return { provider: 'microsoft', eventId, calendarId: connection.calendarId, connectionId: connection._id };
  }
}
