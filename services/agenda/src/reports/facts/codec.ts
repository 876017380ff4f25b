import { z } from '@cadence/shared/http';
import { agendaEntryOf, type AgendaRow } from '../local-reads.js';

const count = z.number().int().nonnegative();
/** items, covered, notes (0/1), calls, dealsClosed, the agenda's version */
const agendaEntrySchema = z.tuple([
  count,
  count,
  z.union([z.literal(0), z.literal(1)]),
  z.number().nullable(),
  z.number().nullable(),
  count,
]);
/** assignedKey, status, due (ms), statusChangedAt (ms), the item's version */
const homeworkEntrySchema = z.tuple([z.string(), z.string(), z.number(), z.number(), count]);

/**
 * A bucket's facts: agendas by occurrence key, homework by id. Stored as one JSON string, not as
 * a document: FerretDB decodes a 52-week bucket as nested documents in ~4 ms, as a string in ~0.2 ms.
 */
const packedFactsSchema = z.object({ a: z.record(z.string(), agendaEntrySchema), h: z.record(z.string(), homeworkEntrySchema) });
export type PackedFacts = z.infer<typeof packedFactsSchema>;
export type AgendaEntry = z.infer<typeof agendaEntrySchema>;
export type HomeworkEntry = z.infer<typeof homeworkEntrySchema>;

export const emptyFacts = (): PackedFacts => ({ a: {}, h: {} });
export const decodeFacts = (packed: string): PackedFacts => packedFactsSchema.parse(JSON.parse(packed));

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * decodeFacts for a report, which reads every bucket of the organization: only the two maps are
 * checked. Their entries are only ever built from typed documents (agendaChange, homeworkChange),
 * and zod over a large organization's ~100,000 entries cost a report ~250 ms of the agenda's CPU.
 */
export function decodeFactsToRead(packed: string): PackedFacts {
  const v = JSON.parse(packed) as unknown;
  if (isRecord(v) && isRecord(v.a) && isRecord(v.h)) return v as PackedFacts;
  return packedFactsSchema.parse(v); // throws, saying what is wrong
}
export const encodeFacts = (facts: PackedFacts): string => JSON.stringify(facts);

/** One source document's entry, as of its version. */
export type FactChange = { organizationId: string; seriesId: string } & (
  | { source: 'agenda'; key: string; entry: AgendaEntry }
  | { source: 'homework'; id: string; assignedKey: string; entry: HomeworkEntry }
);

type AgendaSource = AgendaRow & { organizationId: string; seriesId: string; key: string; version: number };
type HomeworkSource = {
  _id: string;
  organizationId: string;
  seriesId: string;
  assignedKey: string;
  status: string;
  due: Date;
  statusChangedAt: Date;
  version: number;
};

export function agendaChange(doc: AgendaSource): FactChange {
  return {
    source: 'agenda',
    organizationId: doc.organizationId,
    seriesId: doc.seriesId,
    key: doc.key,
    entry: agendaEntryOf(doc, doc.version),
  };
}

export function homeworkChange(doc: HomeworkSource): FactChange {
  return {
    source: 'homework',
    organizationId: doc.organizationId,
    seriesId: doc.seriesId,
    id: doc._id,
    assignedKey: doc.assignedKey,
    entry: [doc.assignedKey, doc.status, doc.due.getTime(), doc.statusChangedAt.getTime(), doc.version],
  };
}

/** The bucket of a series' occurrence key: its UTC year (keys never change, so entries never move). */
export const bucketId = (seriesId: string, key: string) => `${seriesId}@${key.slice(0, 4)}`;
export const changeKey = (c: FactChange) => (c.source === 'agenda' ? c.key : c.assignedKey);

/**
 * Applies changes whose version is at least the one recorded (so replays, and writers finishing
 * out of order, never move an entry back); true if anything changed.
 */
export function mergeFacts(facts: PackedFacts, changes: readonly FactChange[]): boolean {
  let changed = false;
  const put = <E extends AgendaEntry | HomeworkEntry>(map: Record<string, E>, id: string, entry: E) => {
    const old = map[id];
    if (old && (old[old.length - 1] as number) > (entry[entry.length - 1] as number)) return;
    if (old && JSON.stringify(old) === JSON.stringify(entry)) return;
    map[id] = entry;
    changed = true;
  };
  for (const c of changes) {
    if (c.source === 'agenda') put(facts.a, c.key, c.entry);
    else put(facts.h, c.id, c.entry);
  }
  return changed;
}
