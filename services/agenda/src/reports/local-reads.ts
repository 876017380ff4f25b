import type { AgendaModels } from '../context.js';
import type { AgendaEntry } from './facts/codec.js';

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

/** What the report counts of one agenda, as its facts entry. */
export function agendaEntryOf(a: AgendaRow, version: number): AgendaEntry {
  const items = a.items ?? [];
  return [
    items.length,
    items.filter((i) => i.covered).length,
    a.notes?.trim() ? 1 : 0,
    typeof a.figures?.calls === 'number' ? a.figures.calls : null,
    typeof a.figures?.dealsClosed === 'number' ? a.figures.dealsClosed : null,
    version,
  ];
}

/** Documents read per round trip. */
const BATCH = 2_000;

/** Which documents: the organization's, or only some series' (`$in`, for a filtered report). */
export type Scope = { organizationId: string; seriesId?: { $in: string[] } };

/**
 * What a report counts of agendas: by series, then occurrence key, each agenda's facts entry
 * (reports/facts/codec.ts: items, covered, notes, calls, deals closed, version), kept as read.
 */
export type AgendasBySeries = Map<string, Map<string, AgendaEntry>>;

/** Adds an agenda's entry to its series' map. */
export function addAgenda(agendas: AgendasBySeries, seriesId: string, key: string, entry: AgendaEntry): void {
  let own = agendas.get(seriesId);
  if (!own) agendas.set(seriesId, (own = new Map()));
  own.set(key, entry);
}

/** The agendas of meetings that started in [lo, hi), streamed and folded into entries by series and key. */
export async function readAgendaFacts(models: AgendaModels, scope: Scope, lo: Date, hi: Date): Promise<AgendasBySeries> {
  const agendas: AgendasBySeries = new Map();
  type Row = AgendaRow & { seriesId: string; key: string; version: number };
  const rows = models.Agendas.find({ ...scope, originalStart: { $gte: lo, $lt: hi } })
    .select({ seriesId: 1, key: 1, items: 1, notes: 1, figures: 1, version: 1 })
    .lean<Row[]>()
    .cursor({ batchSize: BATCH });
  for await (const a of rows as AsyncIterable<Row>) addAgenda(agendas, a.seriesId, a.key, agendaEntryOf(a, a.version));
  return agendas;
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
