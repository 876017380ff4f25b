import type { Model } from 'mongoose';
import { DateTime } from 'luxon';
import { deleteByIds, findById, findByIds } from '@cadence/shared/db/gathered';
import { inParallel } from '@cadence/shared/process';
import { occurrenceKey, parseOccurrenceKey } from '@cadence/shared/time';
import type { ChangePipeline } from '../../changes/pipeline.js';
import type { ConnectionDoc } from '../../connections/models.js';
import type { SeriesDoc } from '../../series/models.js';
import { plannedAt, plannedOccurrences } from '../../series/schedule.js';
import { segmentUntil } from '../segments.js';
import type { MicrosoftAccounts } from './accounts.js';
import { batchGet, type BatchAnswer } from './batch.js';
import { graphStatus } from './errors.js';
import { declinedBy, graphInstant, type GraphEvent } from './graph-event.js';
import { extendedPropertyId } from './ids.js';
import { remember, type MicrosoftItemDoc } from './items.js';

type Known = Map<string, MicrosoftItemDoc>;

/** What one delta round (all its pages) has seen. */
export interface DeltaRound {
  window: { from: Date; to: Date };
  /** Masters whose occurrences this round showed for the first time. */
  fresh: Map<string, MicrosoftItemDoc>;
  /** `<master>|<key>` of the occurrences seen for the first time. */
  listed: Set<string>;
}

/**
 * Series whose removals one sync hands the pipeline at once: Graph was asked in one batch before,
 * so they wait only on the database, and a sync holds its slot until all are applied.
 */
const MASTERS_AT_ONCE = 8;
const masterUrl = (id: string) => `/me/events/${encodeURIComponent(id)}?$select=id,recurrence`;
const eventUrl = (id: string) => `/me/events/${encodeURIComponent(id)}`;
const OURS = `$expand=singleValueExtendedProperties($filter=id eq '${extendedPropertyId('SeriesId')}' or id eq '${extendedPropertyId('Segment')}')`;

/**
 * A plain occurrence exactly as planned (its slot, length and place, nobody declining) tells the
 * pipeline nothing: Graph keeps a moved-back or edited occurrence an exception, and a deleted one
 * never comes back. Skipping those keeps a full listing (every occurrence in the window) cheap.
 */
function asPlanned(e: GraphEvent, key: string, series: SeriesDoc | undefined): boolean {
  if (!series || e.type !== 'occurrence' || e.isCancelled || declinedBy(e).length) return false;
  const planned = plannedAt(series, parseOccurrenceKey(key)!);
  return (
    planned !== undefined &&
    graphInstant(e.start)?.getTime() === planned.originalStart.getTime() &&
    graphInstant(e.end)?.getTime() === planned.plannedEnd.getTime() &&
    (e.location?.displayName || null) === (planned.segment.location ?? null)
  );
}

/**
 * Turns delta entries into the change pipeline's observations. Occurrences and exceptions are
 * Cadence's when their series master is a remembered one; a removed entry is only an id, so the
 * remembered occurrence behind it says which meeting it was, and one look at Graph says why it
 * went: the master gone (the series was deleted), the master's range cut short (truncated), the
 * occurrence gone (cancelled), or still there (moved out of the window).
 */
export class DeltaApplier {
  constructor(
    private readonly accounts: MicrosoftAccounts,
    private readonly pipeline: ChangePipeline,
    private readonly Items: Model<MicrosoftItemDoc>,
    private readonly Series: Model<SeriesDoc>,
    private readonly now: () => Date,
  ) {}

  async apply(connection: ConnectionDoc, entries: GraphEvent[], round: DeltaRound): Promise<void> {
    const live = entries.filter((e) => !e['@removed']);
    const removed = entries.filter((e) => e['@removed']);
    const ids = [...new Set([...live.map((e) => e.seriesMasterId ?? e.id), ...removed.map((e) => e.id)])];
    // with other syncs' reads and deletes of remembered items, one command each (gathered.ts)
    const known: Known = new Map((await findByIds(this.Items, ids)).map((d) => [d._id, d] as const));
    await this.lookUpMasters(connection, live, known);
    const occurrences: MicrosoftItemDoc[] = [];
    const series = new Map<string, Promise<SeriesDoc | undefined>>();
    for (const e of live) {
      const owner = known.get(e.seriesMasterId ?? e.id);
      if (!owner?.seriesId || (owner.kind !== 'master' && owner.kind !== 'restore')) continue;
      const key = owner.kind === 'restore' ? owner.key : e.originalStart ? occurrenceKey(new Date(e.originalStart)) : null;
      if (!key) continue;
      if (owner.kind === 'master' && !known.has(e.id)) {
        occurrences.push({ ...owner, _id: e.id, kind: 'occurrence', masterId: owner._id, key, createdAt: this.now() });
        round.fresh.set(owner._id, owner);
        round.listed.add(`${owner._id}|${key}`);
      }
      if (!series.has(owner.seriesId))
        series.set(
          owner.seriesId,
          // with other syncs' reads of series in one command
          findById(this.Series, owner.seriesId).then((d) => d ?? undefined),
        );
      if (asPlanned(e, key, await series.get(owner.seriesId)!)) continue;
      await this.observe(owner.seriesId, key, e);
    }
    // remembered before anything else can remove them, so a later removal names its meeting
    await remember(this.Items, occurrences);
    await this.applyRemovals(
      connection,
      removed.map((e) => known.get(e.id)).filter((d): d is MicrosoftItemDoc => Boolean(d)),
    );
  }

  private async observe(seriesId: string, key: string, e: GraphEvent): Promise<void> {
    await this.ignoreGone(
      this.pipeline.observeInstance({
        seriesId,
        key,
        source: 'microsoft',
        status: e.isCancelled ? 'cancelled' : 'confirmed',
        ...(e.isCancelled
          ? {}
          : {
              start: graphInstant(e.start),
              end: graphInstant(e.end),
              location: e.location?.displayName || null,
              declinedBy: declinedBy(e),
            }),
      }),
    );
  }

  /** Masters not seen before (e.g. a sync that ran before the creating request stored its id) are looked at once. */
  private async lookUpMasters(connection: ConnectionDoc, live: GraphEvent[], known: Known): Promise<void> {
    const unknown = [...new Set(live.map((e) => e.seriesMasterId).filter((id): id is string => Boolean(id) && !known.has(id!)))];
    const found: MicrosoftItemDoc[] = [];
    for (const id of unknown) {
      let master: GraphEvent | undefined;
      try {
        master = await this.accounts.call(connection, (c) =>
          c.api(`/me/events/${encodeURIComponent(id)}?$select=id&${OURS}`).get(),
        );
      } catch (err) {
        if (graphStatus(err) !== 404) throw err;
      }
      const props = new Map((master?.singleValueExtendedProperties ?? []).map((p) => [p.id.split(' ').at(-1), p.value]));
      const seriesId = props.get('CadenceSeriesId');
      const doc: MicrosoftItemDoc = {
        _id: id,
        kind: seriesId ? 'master' : 'foreign',
        organizationId: connection.organizationId,
        connectionId: connection._id,
        seriesId: seriesId ?? null,
        segment: seriesId ? Number(props.get('CadenceSegment') ?? 0) : null,
        masterId: id,
        key: null,
        createdAt: this.now(),
      };
      if (master) found.push(doc);
      known.set(id, doc);
    }
    await remember(this.Items, found);
  }

  /**
   * A series first seen in this round may have lost occurrences before any round listed them (made
   * and cancelled between two rounds): delta never reports those. Its planned meetings in the window
   * that Graph's instances do not show were cancelled, or cut off by a shorter range.
   */
  async checkFresh(connection: ConnectionDoc, round: DeltaRound): Promise<void> {
    for (const [masterId, owner] of round.fresh) {
      const { series } = await this.pipeline
        .loadSeries(owner.seriesId!, connection.organizationId)
        .catch(() => ({ series: undefined }));
      if (!series) continue;
      const segment = series.segments[owner.segment ?? 0];
      const planned = plannedOccurrences(series, round.window.from, round.window.to).filter((p) => p.segment === segment);
      const missing = planned.map((p) => occurrenceKey(p.originalStart)).filter((k) => !round.listed.has(`${masterId}|${k}`));
      if (!missing.length) continue;
      const { from, to } = round.window;
      const shown = new Set<string>();
      let url: string | undefined =
        `/me/events/${encodeURIComponent(masterId)}/instances?startDateTime=${from.toISOString()}&endDateTime=${to.toISOString()}&$select=id,originalStart&$top=100`;
      for (let page = 0; url && page < 100; page++) {
        const res: { value: GraphEvent[]; '@odata.nextLink'?: string } = await this.accounts.call(connection, (c) =>
          c.api(url!).get(),
        );
        for (const i of res.value) if (i.originalStart) shown.add(occurrenceKey(new Date(i.originalStart)));
        url = res['@odata.nextLink'];
      }
      const gone = missing.filter((k) => !shown.has(k));
      if (!gone.length) continue;
      const until = await this.masterEnd(connection, masterId, owner);
      if (until === 'deleted') continue;
      for (const key of gone) {
        if (until && parseOccurrenceKey(key)! > until) continue;
        await this.ignoreGone(
          this.pipeline.observeInstance({ seriesId: owner.seriesId!, key, source: 'microsoft', status: 'cancelled' }),
        );
      }
    }
  }

  /**
   * Removed occurrences: what Graph says of each series' master (where its range ends, or gone) and
   * of each occurrence (gone, or moved out of the window), all asked in one JSON batch — one round
   * trip where a burst's syncs made two or more per series one after the other.
   */
  private async applyRemovals(connection: ConnectionDoc, gone: MicrosoftItemDoc[]): Promise<void> {
    const restores = gone.filter((d) => d.kind === 'restore');
    const byMaster = new Map<string, MicrosoftItemDoc[]>();
    for (const d of gone) {
      if (d.kind !== 'occurrence' || !d.masterId) continue;
      byMaster.set(d.masterId, [...(byMaster.get(d.masterId) ?? []), d]);
    }
    if (!restores.length && !byMaster.size) return;
    const answers = await batchGet(this.accounts, connection, [
      ...[...byMaster.keys()].map(masterUrl),
      ...[...restores, ...[...byMaster.values()].flat()].map((d) => eventUrl(d._id)),
    ]);
    const answer = (url: string) => answers.get(url)!;
    // what is done with is forgotten in one command at the end, also when one of the others failed
    const done: MicrosoftItemDoc[] = [];
    try {
      for (const d of restores) await this.removedOccurrence(d, answer(eventUrl(d._id)), done);
      await inParallel([...byMaster], MASTERS_AT_ONCE, async ([masterId, docs]) => {
        const until = await this.masterEnd(connection, masterId, docs[0]!, answer(masterUrl(masterId)));
        if (until === 'deleted') return void done.push(...docs);
        for (const d of docs) {
          if (until && parseOccurrenceKey(d.key!)! > until) done.push(d);
          else await this.removedOccurrence(d, answer(eventUrl(d._id)), done);
        }
      });
    } finally {
      if (done.length) await this.forget(done);
    }
  }

  /**
   * Whether the master is gone (the series was deleted), else where its range ends: occurrences after
   * that left because the range ended (an update of Cadence's, or a truncation, reported here).
   * `given`: Graph's answer for the master, when a batch asked already.
   */
  private async masterEnd(
    connection: ConnectionDoc,
    masterId: string,
    d: MicrosoftItemDoc,
    given?: BatchAnswer,
  ): Promise<'deleted' | Date | undefined> {
    const answer =
      given ??
      (await this.accounts
        .call(connection, (c) => c.api(masterUrl(masterId)).get())
        .then(
          (body: unknown): BatchAnswer => ({ ok: true, body }),
          (error: unknown): BatchAnswer => ({ ok: false, error }),
        ));
    if (!answer.ok) {
      if (graphStatus(answer.error) !== 404) throw answer.error;
      const { series } = await this.pipeline.loadSeries(d.seriesId!, connection.organizationId);
      // only the first (or the newest) segment's master stands for the series; older ones are ours to end
      if (d.segment === 0 || d.segment === series.segments.length - 1)
        await this.ignoreGone(this.pipeline.observeSeries({ seriesId: d.seriesId!, source: 'microsoft', change: 'deleted' }));
      return 'deleted';
    }
    const master = answer.body as GraphEvent;
    const range = master.recurrence?.range;
    if (range?.type !== 'endDate' || !range.endDate) return undefined;
    const { series } = await this.pipeline.loadSeries(d.seriesId!, connection.organizationId);
    const lastDay = DateTime.fromISO(range.endDate, { zone: series.timeZone }).endOf('day').toJSDate();
    const expected = segmentUntil(series, d.segment ?? 0);
    if (!expected || lastDay.getTime() < expected.getTime() - 1000) {
      const dropped = plannedOccurrences(series, lastDay, expected ?? new Date(lastDay.getTime() + 8 * 24 * 3600_000))[0];
      if (dropped)
        await this.ignoreGone(
          this.pipeline.observeSeries({
            seriesId: series._id,
            source: 'microsoft',
            change: 'truncated',
            until: dropped.originalStart,
          }),
        );
    }
    return lastDay;
  }

  /**
   * One removed occurrence: gone from Graph → cancelled (and added to `done`, to be forgotten);
   * still there → it moved out of the window.
   */
  private async removedOccurrence(d: MicrosoftItemDoc, answer: BatchAnswer, done: MicrosoftItemDoc[]): Promise<void> {
    if (!answer.ok && graphStatus(answer.error) !== 404) throw answer.error;
    const current = answer.ok ? (answer.body as GraphEvent) : undefined;
    if (current && !current.isCancelled) return this.observe(d.seriesId!, d.key!, current);
    await this.ignoreGone(
      this.pipeline.observeInstance({ seriesId: d.seriesId!, key: d.key!, source: 'microsoft', status: 'cancelled' }),
    );
    done.push(d);
  }

  private async forget(docs: MicrosoftItemDoc[]): Promise<void> {
    await deleteByIds(
      this.Items,
      docs.map((d) => d._id),
    );
  }

  /** A series Cadence no longer has (deleted in Cadence) is nothing to observe. */
  private async ignoreGone(p: Promise<unknown>): Promise<void> {
    try {
      await p;
    } catch (err) {
      if ((err as { status?: number }).status !== 404) throw err;
    }
  }
}
