import { idLists } from '@cadence/shared/db';
import type { AgendaContext } from '../../context.js';
import { addAgenda, countHomework, type AgendasBySeries, type CountsHomework, type HomeworkFacts } from '../local-reads.js';
import { factsBuilt } from './backfill.js';
import {
  agendaChange,
  bucketId,
  decodeFactsToRead,
  homeworkChange,
  agendaEntryAt,
  type AgendaEntry,
  type FactChange,
  type FactColumns,
} from './codec.js';

export interface LocalFacts {
  /** Agendas of meetings whose keys fall in the range. */
  agendas: AgendasBySeries;
  /** By series, the homework the report counts. */
  homework: Map<string, HomeworkFacts>;
}

/** What a report counts of the facts it reads: the keys of its range, and which homework. */
export interface FactsScope {
  loKey: string;
  hiKey: string;
  countsHomework: CountsHomework;
  now: Date;
}

/** Writes in progress when the report began: their documents, and the entries they replace. */
type Pending = { changes: FactChange[]; replaced: Set<string> };

/**
 * A report's agendas and homework from the series' facts, read by id as the pages of series
 * arrive and counted as each read comes in (so little is left once the last page is in). The
 * pending markers are read first: a write that finished before the report began is in the facts,
 * or its marker is seen and its document counted instead (tracked-write.ts).
 */
export class FactsReader {
  private readonly reads: Promise<void>[] = [];
  private readonly agendas: AgendasBySeries = new Map();
  private readonly homework = new Map<string, HomeworkFacts>();

  private constructor(
    private readonly ctx: Pick<AgendaContext, 'models'>,
    private readonly organizationId: string,
    private readonly scope: FactsScope,
    private readonly pending: Promise<Pending>,
  ) {}

  /** A reader for the scope's keys, or none while the facts are not built yet. */
  static async open(ctx: Pick<AgendaContext, 'models'>, organizationId: string, scope: FactsScope) {
    if (!(await factsBuilt(ctx))) return undefined;
    const markers = await ctx.models.PendingFacts.find({ organizationId }).lean();
    const ids = (source: string) => [...new Set(markers.filter((m) => m.source === source).map((m) => m.sourceId))];
    const pending = readPending(ctx, organizationId, ids('agenda'), ids('homework')).then((changes) => ({
      changes,
      // the entries these documents replace (their versions are at least the entries')
      replaced: new Set(changes.map((c) => (c.source === 'agenda' ? `${c.seriesId}:${c.key}` : c.id))),
    }));
    pending.catch(() => undefined); // awaited with the reads
    return new FactsReader(ctx, organizationId, scope, pending);
  }

  /**
   * Starts reading some series' facts (a page of them); each is counted as it comes in. Resolves
   * once these series are counted whole (marked writes included): what `counted` then holds of
   * them is final.
   */
  add(seriesIds: readonly string[]): Promise<void> {
    const { loKey, hiKey } = this.scope;
    const years: string[] = [];
    for (let y = Number(loKey.slice(0, 4)); y <= Number(hiKey.slice(0, 4)); y++) years.push(String(y));
    const ids = seriesIds.flatMap((s) => years.map((y) => bucketId(s, y)));
    const read = Promise.all([
      ...idLists(ids).map((list) =>
        this.ctx.models.ReportFacts.find({ _id: { $in: list }, organizationId: this.organizationId })
          .select({ seriesId: 1, facts: 1 })
          .lean(),
      ),
      this.pending,
    ]).then((answers) => {
      const { changes, replaced } = answers.pop() as Pending;
      for (const docs of answers as { seriesId: string; facts: string }[][])
        for (const d of docs) this.count(d.seriesId, decodeFactsToRead(d.facts), replaced);
      // then the marked writes of these series, from their documents
      const page = new Set(seriesIds);
      for (const c of changes) if (page.has(c.seriesId)) this.countChange(c);
    });
    read.catch(() => undefined); // awaited in result()
    this.reads.push(read);
    return read;
  }

  /** What is counted so far: final for the series of each `add` that has resolved. */
  get counted(): LocalFacts {
    return { agendas: this.agendas, homework: this.homework };
  }

  private inRange(key: string): boolean {
    return key >= this.scope.loKey && key < this.scope.hiKey;
  }

  private count(seriesId: string, { a, h }: FactColumns, replaced: ReadonlySet<string>): void {
    // (entries replaced by marked documents are rare: the set is usually empty)
    for (let i = 0; i < a.k.length; i++)
      if (!replaced.size || !replaced.has(`${seriesId}:${a.k[i]}`)) this.countAgenda(seriesId, a.k[i]!, agendaEntryAt(a, i));
    for (let i = 0; i < h.i.length; i++)
      if (!replaced.size || !replaced.has(h.i[i]!)) this.countHomework(seriesId, h.k[i]!, h.s[i]!, h.d[i]!, h.c[i]!);
  }

  private countAgenda(seriesId: string, key: string, entry: AgendaEntry): void {
    if (this.inRange(key)) addAgenda(this.agendas, seriesId, key, entry);
  }

  private countHomework(seriesId: string, assignedKey: string, status: string, due: number, statusChangedAt: number): void {
    if (this.inRange(assignedKey) && this.scope.countsHomework(seriesId, assignedKey))
      countHomework(this.homework, seriesId, { status, due, statusChangedAt }, this.scope.now.getTime());
  }

  private countChange(c: FactChange): void {
    if (c.source === 'agenda') this.countAgenda(c.seriesId, c.key, c.entry);
    else {
      const [assignedKey, status, due, statusChangedAt] = c.entry;
      this.countHomework(c.seriesId, assignedKey, status, due, statusChangedAt);
    }
  }

  /** Everything read, with marked writes counted from their documents. */
  async result(): Promise<LocalFacts> {
    await Promise.all(this.reads);
    return this.counted;
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
