import type { AgendaModels } from '../context.js';

/** What the report needs of one agenda (the documents themselves are not kept). */
export interface AgendaFacts {
  items: number;
  covered: number;
  notes: boolean;
  calls: number | null;
  dealsClosed: number | null;
}

/** A series' homework assigned in the range, counted as of the moment it was read. */
export interface HomeworkFacts {
  assigned: number;
  completed: number;
  completedOnTime: number;
  openOverdue: number;
  dropped: number;
}

export type HomeworkRow = { seriesId: string; assignedKey: string; status: string; due: Date; statusChangedAt: Date };
/** The fields of an agenda the report reads. */
export type AgendaRow = {
  _id: string;
  items?: { covered?: boolean }[] | null;
  notes?: string | null;
  figures?: { calls?: number | null; dealsClosed?: number | null } | null;
};

/** What the report counts of one agenda. */
export function agendaFactsOf(a: AgendaRow): AgendaFacts {
  const items = a.items ?? [];
  return {
    items: items.length,
    covered: items.filter((i) => i.covered).length,
    notes: Boolean(a.notes?.trim()),
    calls: typeof a.figures?.calls === 'number' ? a.figures.calls : null,
    dealsClosed: typeof a.figures?.dealsClosed === 'number' ? a.figures.dealsClosed : null,
  };
}

/** Documents read per round trip. */
const BATCH = 2_000;

/** Which documents: the organization's, or only some series' (`$in`, for a filtered report). */
export type Scope = { organizationId: string; seriesId?: { $in: string[] } };

/** The agendas of meetings that started in [lo, hi), streamed and folded into facts by `seriesId:key`. */
export async function readAgendaFacts(models: AgendaModels, scope: Scope, lo: Date, hi: Date): Promise<Map<string, AgendaFacts>> {
  const facts = new Map<string, AgendaFacts>();
  const rows = models.Agendas.find({ ...scope, originalStart: { $gte: lo, $lt: hi } })
    .select({ items: 1, notes: 1, figures: 1 })
    .lean<AgendaRow[]>()
    .cursor({ batchSize: BATCH });
  for await (const a of rows as AsyncIterable<AgendaRow>) facts.set(a._id, agendaFactsOf(a));
  return facts;
}

/** Homework assigned at meetings whose keys fall in [loKey, hiKey), only the fields counted. */
export function readHomework(models: AgendaModels, scope: Scope, loKey: string, hiKey: string): Promise<HomeworkRow[]> {
  return models.Homework.find({ ...scope, assignedKey: { $gte: loKey, $lt: hiKey } })
    .select({ _id: 0, seriesId: 1, assignedKey: 1, status: 1, due: 1, statusChangedAt: 1 })
    .lean<HomeworkRow[]>()
    .exec();
}

/** Which homework a report counts: of its series, assigned at a meeting on one of its local dates. */
export type CountsHomework = (seriesId: string, assignedKey: string) => boolean;

/** Counts one homework item into its series' figures, as of `now` (ms). */
export function countHomework(
  bySeries: Map<string, HomeworkFacts>,
  seriesId: string,
  h: { status: string; due: number; statusChangedAt: number },
  now: number,
): void {
  let f = bySeries.get(seriesId);
  if (!f) bySeries.set(seriesId, (f = { assigned: 0, completed: 0, completedOnTime: 0, openOverdue: 0, dropped: 0 }));
  f.assigned++;
  if (h.status === 'done') {
    f.completed++;
    if (h.statusChangedAt <= h.due) f.completedOnTime++;
  } else if (h.status === 'dropped') f.dropped++;
  else if (h.due < now) f.openOverdue++;
}

/** Homework counted per series; `counts` says which rows belong to the report. */
export function foldHomework(rows: readonly HomeworkRow[], counts: CountsHomework, now: Date): Map<string, HomeworkFacts> {
  const bySeries = new Map<string, HomeworkFacts>();
  for (const h of rows)
    if (counts(h.seriesId, h.assignedKey))
      countHomework(
        bySeries,
        h.seriesId,
        { status: h.status, due: h.due.getTime(), statusChangedAt: h.statusChangedAt.getTime() },
        now.getTime(),
      );
  return bySeries;
}
