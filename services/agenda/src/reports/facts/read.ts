import { idLists } from '@cadence/shared/db';
import type { AgendaContext } from '../../context.js';
import type { AgendaFacts, HomeworkRow } from '../local-reads.js';
import { factsBuilt } from './backfill.js';
import {
  agendaChange,
  agendaFactsOfEntry,
  bucketId,
  decodeFactsToRead,
  homeworkChange,
  homeworkRowOfEntry,
  mergeFacts,
  type FactChange,
  type PackedFacts,
} from './codec.js';

export interface LocalFacts {
  /** By `seriesId:key`, agendas of meetings whose keys fall in the range. */
  agendas: Map<string, AgendaFacts>;
  /** Homework assigned at meetings whose keys fall in the range. */
  homework: HomeworkRow[];
}

/**
 * A report's agendas and homework from the series' facts, read by id as the pages of series
 * arrive. The pending markers are read first: a write that finished before the report began is
 * in the facts, or its marker is seen and its document read instead (tracked-write.ts).
 */
export class FactsReader {
  private readonly buckets: Promise<{ seriesId: string; facts: PackedFacts }[]>[] = [];
  private readonly seriesIds = new Set<string>();

  private constructor(
    private readonly ctx: Pick<AgendaContext, 'models'>,
    private readonly organizationId: string,
    private readonly loKey: string,
    private readonly hiKey: string,
    private readonly pending: Promise<FactChange[]>,
  ) {}

  /** A reader for keys in [loKey, hiKey), or none while the facts are not built yet. */
  static async open(ctx: Pick<AgendaContext, 'models'>, organizationId: string, loKey: string, hiKey: string) {
    if (!(await factsBuilt(ctx))) return undefined;
    const markers = await ctx.models.PendingFacts.find({ organizationId }).lean();
    const ids = (source: string) => [...new Set(markers.filter((m) => m.source === source).map((m) => m.sourceId))];
    const pending = readPending(ctx, organizationId, ids('agenda'), ids('homework'));
    pending.catch(() => undefined); // awaited in result()
    return new FactsReader(ctx, organizationId, loKey, hiKey, pending);
  }

  /** Starts reading some series' facts (a page of them). */
  add(seriesIds: readonly string[]): void {
    const years: string[] = [];
    for (let y = Number(this.loKey.slice(0, 4)); y <= Number(this.hiKey.slice(0, 4)); y++) years.push(String(y));
    const ids = seriesIds.flatMap((s) => years.map((y) => bucketId(s, y)));
    for (const s of seriesIds) this.seriesIds.add(s);
    for (const list of idLists(ids)) {
      const read = this.ctx.models.ReportFacts.find({ _id: { $in: list }, organizationId: this.organizationId })
        .select({ seriesId: 1, facts: 1 })
        .lean()
        .then((docs) => docs.map((d) => ({ seriesId: d.seriesId, facts: decodeFactsToRead(d.facts) })));
      read.catch(() => undefined); // awaited in result()
      this.buckets.push(read);
    }
  }

  /** Everything read, with marked writes taken from their documents. */
  async result(): Promise<LocalFacts> {
    const bySeries = new Map<string, PackedFacts[]>();
    for (const read of this.buckets)
      for (const { seriesId, facts } of await read) {
        const own = bySeries.get(seriesId);
        if (own) own.push(facts);
        else bySeries.set(seriesId, [facts]);
      }
    // a marked document replaces its entry (its version is at least the entry's); merged into
    // a bucket of its own, since its bucket may not exist yet
    for (const change of await this.pending) {
      if (!this.seriesIds.has(change.seriesId)) continue;
      const facts = { a: {}, h: {} };
      mergeFacts(facts, [change]);
      for (const other of bySeries.get(change.seriesId) ?? []) {
        if (change.source === 'agenda') delete other.a[change.key];
        else delete other.h[change.id];
      }
      bySeries.set(change.seriesId, [...(bySeries.get(change.seriesId) ?? []), facts]);
    }
    const inRange = (key: string) => key >= this.loKey && key < this.hiKey;
    const agendas = new Map<string, AgendaFacts>();
    const homework: HomeworkRow[] = [];
    for (const [seriesId, all] of bySeries)
      for (const facts of all) {
        for (const [key, entry] of Object.entries(facts.a))
          if (inRange(key)) agendas.set(`${seriesId}:${key}`, agendaFactsOfEntry(entry));
        for (const entry of Object.values(facts.h)) if (inRange(entry[0])) homework.push(homeworkRowOfEntry(seriesId, entry));
      }
    return { agendas, homework };
  }
}

/** The documents of writes in progress or left by a dead writer, as they stand. */
async function readPending(
  ctx: Pick<AgendaContext, 'models'>,
  organizationId: string,
  agendaIds: string[],
  homeworkIds: string[],
): Promise<FactChange[]> {
  const { Agendas, Homework } = ctx.models;
  const [agendas, homework] = await Promise.all([
    agendaIds.length ? Agendas.find({ _id: { $in: agendaIds }, organizationId }).lean() : [],
    homeworkIds.length ? Homework.find({ _id: { $in: homeworkIds }, organizationId }).lean() : [],
  ]);
  return [...agendas.map(agendaChange), ...homework.map(homeworkChange)];
}
