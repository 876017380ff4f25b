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

/** A bucket's facts as writers merge them: agendas by occurrence key, homework by id. */
const packedFactsSchema = z.object({ a: z.record(z.string(), agendaEntrySchema), h: z.record(z.string(), homeworkEntrySchema) });
export type PackedFacts = z.infer<typeof packedFactsSchema>;
export type AgendaEntry = z.infer<typeof agendaEntrySchema>;
export type HomeworkEntry = z.infer<typeof homeworkEntrySchema>;

/** Fields per agenda entry in the columns' `a.v`. */
const AGENDA_FIELDS = 6;

/**
 * How a bucket is stored: one JSON string, not a document (FerretDB decodes a 52-week bucket as
 * nested documents in ~4 ms, as a string in ~0.2 ms), in columns — one array per field rather than
 * one per entry, which a report parses in half the time with a fraction of the garbage (~100,000
 * entries per report). Buckets written before are in the shape of PackedFacts; both are read.
 */
const factColumnsSchema = z
  .object({
    a: z.object({ k: z.array(z.string()), v: z.array(z.number().nullable()) }),
    h: z.object({
      i: z.array(z.string()),
      k: z.array(z.string()),
      s: z.array(z.string()),
      d: z.array(z.number()),
      c: z.array(z.number()),
      v: z.array(count),
    }),
  })
  .refine(columnsAgree, { message: 'columns of different lengths' });
export type FactColumns = z.infer<typeof factColumnsSchema>;

function toColumns(facts: PackedFacts): FactColumns {
  const cols: FactColumns = { a: { k: [], v: [] }, h: { i: [], k: [], s: [], d: [], c: [], v: [] } };
  for (const [key, entry] of Object.entries(facts.a)) {
    cols.a.k.push(key);
    cols.a.v.push(...entry);
  }
  for (const [id, [assignedKey, status, due, changed, version]] of Object.entries(facts.h)) {
    cols.h.i.push(id);
    cols.h.k.push(assignedKey);
    cols.h.s.push(status);
    cols.h.d.push(due);
    cols.h.c.push(changed);
    cols.h.v.push(version);
  }
  return cols;
}

/** An agenda entry of the columns, by its index. */
export const agendaEntryAt = (a: FactColumns['a'], i: number) =>
  a.v.slice(i * AGENDA_FIELDS, (i + 1) * AGENDA_FIELDS) as AgendaEntry;

function fromColumns({ a, h }: FactColumns): PackedFacts {
  const facts = emptyFacts();
  a.k.forEach((key, i) => (facts.a[key] = agendaEntryAt(a, i)));
  h.i.forEach((id, i) => (facts.h[id] = [h.k[i]!, h.s[i]!, h.d[i]!, h.c[i]!, h.v[i]!]));
  return facts;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const inColumns = (v: unknown) => isRecord(v) && isRecord(v.a) && Array.isArray(v.a.k);

/** Every column is an array, and they agree in length (six agenda numbers per key). */
function columnsAgree({ a, h }: { a: { k: readonly unknown[]; v: unknown }; h: unknown }): boolean {
  if (!isRecord(h) || !Array.isArray(a.v) || a.v.length !== a.k.length * AGENDA_FIELDS) return false;
  const ids = h.i;
  return Array.isArray(ids) && [h.k, h.s, h.d, h.c, h.v].every((c) => Array.isArray(c) && c.length === ids.length);
}

export const emptyFacts = (): PackedFacts => ({ a: {}, h: {} });

/** A stored bucket, checked entry by entry, for a writer to merge into. */
export function decodeFacts(stored: string): PackedFacts {
  const v = JSON.parse(stored) as unknown;
  return inColumns(v) ? packedFactsSchema.parse(fromColumns(factColumnsSchema.parse(v))) : packedFactsSchema.parse(v);
}

/**
 * A stored bucket for a report, which reads every bucket of the organization: only the columns'
 * lengths are checked. Their entries are only ever built from typed documents (agendaChange,
 * homeworkChange) and checked as they were merged; zod over a large organization's ~100,000
 * entries cost a report ~250 ms of the agenda's CPU.
 */
export function decodeFactsToRead(stored: string): FactColumns {
  const v = JSON.parse(stored) as unknown;
  if (!inColumns(v)) return toColumns(packedFactsSchema.parse(v)); // written before the columns
  return columnsAgree(v as FactColumns) ? (v as FactColumns) : factColumnsSchema.parse(v); // throws, saying what is wrong
}

export const encodeFacts = (facts: PackedFacts): string => JSON.stringify(toColumns(facts));

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
