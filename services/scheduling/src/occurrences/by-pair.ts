import { DateTime } from 'luxon';
import type {
  CadenceRules,
  OccurrenceInRange,
  OccurrencesByPairPage,
  OccurrencesForReportPage,
} from '@cadence/shared/contracts/scheduling';
import { idLists } from '@cadence/shared/db';
import { badRequest, pageQuery, z } from '@cadence/shared/http';
import { instantSchema, localDateSchema, occurrenceKey } from '@cadence/shared/time';
import type { SchedulingContext } from '../context.js';
import { personIdSchema } from '../people/schemas.js';
import { plannedOccurrences } from '../series/schedule.js';
import { toSeriesView } from '../series/service.js';
import { occurrenceId, type OccurrenceDoc } from './models.js';
import type { SeriesWindows } from './series-window.js';
import { bound } from './range.js';
import { recordedOutcomes, type Recorded } from './recorded-keys.js';
import { cadenceOutcomes, occurrenceView, type OutcomeFields } from './view.js';

const MAX_SPAN_YEARS = 3;

export const occurrencesByPairQuery = z.strictObject({
  from: z
    .union([instantSchema, localDateSchema])
    .describe('Start of the range: an instant, or a local date taken in each series’ own time zone'),
  to: z.union([instantSchema, localDateSchema]).describe('End of the range, exclusive; at most three years after from'),
  managerId: personIdSchema.optional(),
  repId: personIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100).describe('Series per page'),
  cursor: pageQuery.cursor,
  fields: z
    .enum(['full', 'report'])
    .default('full')
    .describe('`report`: each series’ occurrences as a report reads them, in columns: their keys and cadence categories'),
});
export type ByPairQuery = z.output<typeof occurrencesByPairQuery>;

/** The cursor: the last series' sort key (manager, rep, series id), and the kept read it was cut from. */
const cursorSchema = z.union([
  z.tuple([z.string(), z.string(), z.string()]),
  z.tuple([z.string(), z.string(), z.string(), z.string()]),
]);
type Cursor = z.infer<typeof cursorSchema>;
const encodeCursor = (s: { managerId: string; repId: string; _id: string }, windowId: string | undefined) =>
  Buffer.from(JSON.stringify(windowId ? [s.managerId, s.repId, s._id, windowId] : [s.managerId, s.repId, s._id])).toString(
    'base64url',
  );

function decodeCursor(cursor: string | undefined): Cursor | undefined {
  if (!cursor) return undefined;
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw badRequest('Invalid query: cursor.', [
      { location: 'query', field: 'cursor', message: 'must be a cursor from a previous page' },
    ]);
  }
}

/** Series read at once for a listing: its pages are cut from that read (series-window.ts). */
const WINDOW = 2_000;

/**
 * Up to `limit` series after the cursor, in order of manager, rep and series, all in the first
 * answer: a cursor left open for its getMore (the first batch is 101 documents) stalled FerretDB
 * when more pages were read at once (three ahead: 1.6–1.9 s a report with every process idle;
 * with whole first answers 0.88 s).
 */
function readSeries(ctx: SchedulingContext, organizationId: string, q: ByPairQuery, after: Cursor | undefined, limit: number) {
  return ctx.models.Series.find({
    organizationId,
    ...(q.managerId ? { managerId: q.managerId } : {}),
    ...(q.repId ? { repId: q.repId } : {}),
    ...(after
      ? {
          $or: [
            { managerId: { $gt: after[0] } },
            { managerId: after[0], repId: { $gt: after[1] } },
            { managerId: after[0], repId: after[1], _id: { $gt: after[2] } },
          ],
        }
      : {}),
  })
    .select({ pendingEvents: 0 })
    .sort({ managerId: 1, repId: 1, _id: 1 })
    .limit(limit)
    .batchSize(limit + 1)
    .lean();
}
export type SeriesRow = Awaited<ReturnType<typeof readSeries>>[number];
type PageItems = OccurrencesByPairPage['items'] | OccurrencesForReportPage['items'];
/** Kept reads of series, and the next page answered ahead (series-window.ts). */
export type PairWindows = SeriesWindows<SeriesRow, PageItems>;

/**
 * Pages answered ahead of the one asked for. With one, a report's pages came a page's database
 * reads and work apart while the CPU was half idle (the reads of one page wait on the database,
 * the work of the next could run meanwhile); a second overlaps them.
 */
const PAGES_AHEAD = 2;

/** The rows of the pages after the one at `from`, up to PAGES_AHEAD of them. */
const followingPages = <T>(rows: readonly T[], from: number, limit: number): T[][] =>
  Array.from({ length: PAGES_AHEAD }, (_, i) => rows.slice(from + (i + 1) * limit, from + (i + 2) * limit)).filter(
    (page) => page.length > 0,
  );

/** One page of series and the cursor of the next, from a kept read when this replica has it. */
async function seriesPage(
  ctx: SchedulingContext,
  windows: PairWindows,
  organizationId: string,
  q: ByPairQuery,
): Promise<{
  page: SeriesRow[];
  nextCursor: string | null;
  /** The kept read this page was cut from: where in it, and the rows of the page after. */
  kept?: { windowId: string; from: number; following: SeriesRow[][] };
}> {
  const after = decodeCursor(q.cursor);
  const owner = JSON.stringify([organizationId, q.managerId ?? null, q.repId ?? null]);
  const kept = after?.[3] ? windows.get(after[3], owner) : undefined;
  const start = kept ? kept.rows.findIndex((s) => s._id === after![2]) + 1 : 0;
  let rows: SeriesRow[];
  let more: boolean;
  let windowId: string | undefined;
  if (kept && start > 0) {
    ({ rows, more } = kept);
    windowId = after![3];
  } else {
    const read = await readSeries(ctx, organizationId, q, after, WINDOW + 1);
    rows = read.slice(0, WINDOW);
    more = read.length > WINDOW;
    if (rows.length > q.limit) windowId = windows.keep(owner, rows, more);
  }
  const from = windowId === after?.[3] ? start : 0;
  const page = rows.slice(from, from + q.limit);
  const restKept = from + q.limit < rows.length;
  const last = page[page.length - 1];
  return {
    page,
    nextCursor: last && (restKept || more) ? encodeCursor(last, restKept ? windowId : undefined) : null,
    // the caller forgets the window after its last page (once it has taken that page's reads)
    ...(windowId ? { kept: { windowId, from, following: followingPages(rows, from, q.limit) } } : {}),
  };
}

function checkRange(q: ByPairQuery): void {
  // checked in UTC; each series then takes local dates in its own zone
  const from = bound(q.from, 'UTC');
  const to = bound(q.to, 'UTC');
  const problem =
    to <= from
      ? 'must be after from'
      : to > DateTime.fromJSDate(from).plus({ years: MAX_SPAN_YEARS, days: 2 }).toJSDate()
        ? `the range may span at most ${MAX_SPAN_YEARS} years`
        : undefined;
  if (problem) throw badRequest('Invalid query: to.', [{ location: 'query', field: 'to', message: problem }]);
}

const withoutHistory = ({ history: _history, ...rest }: ReturnType<typeof occurrenceView>): OccurrenceInRange => rest;

type PageReads = Awaited<ReturnType<typeof readPage>>;

/**
 * What a page is made of: its series' planned occurrences (expanded in memory), their people, and
 * what their records say, by id (occurrences/recorded-keys.ts says which have one): for a report
 * the outcomes listed beside the keys, and the records only where those cannot be trusted.
 */
async function readPage(ctx: SchedulingContext, organizationId: string, page: readonly SeriesRow[], q: ByPairQuery) {
  const { People, Occurrences } = ctx.models;
  const planned = page.map((series) => {
    const occurrences = plannedOccurrences(series, bound(q.from, series.timeZone), bound(q.to, series.timeZone));
    return { series, occurrences, keys: occurrences.map((p) => occurrenceKey(p.originalStart)) };
  });
  // the people meanwhile: they do not wait for the key lists
  // in one answer, as the series above: a page's people are up to twice its series, over 101
  const personIds = [...new Set(page.flatMap((s) => [s.managerId, s.repId]))];
  const people = People.find({ organizationId, _id: { $in: personIds } })
    .batchSize(personIds.length + 1)
    .lean()
    .exec();
  people.catch(() => undefined); // awaited below
  const listed = await recordedOutcomes(
    ctx.models,
    organizationId,
    planned.map((p) => ({ seriesId: p.series._id, keys: p.keys })),
  );
  // the records that must be read: a full listing shows each one whole
  const read = (r: Recorded) => r === 'read' || (r !== undefined && q.fields !== 'report');
  const ids = planned.flatMap((p, i) =>
    p.keys.filter((_, j) => read(listed[i]![j])).map((key) => occurrenceId(p.series._id, key)),
  );
  // by id, which FerretDB looks up in its _id index (any other filter reads the whole collection)
  const records = await Promise.all(
    idLists(ids).map((list) =>
      Occurrences.find({ _id: { $in: list }, organizationId })
        .select({ history: 0, pendingEvents: 0 })
        .lean<OccurrenceDoc[]>(),
    ),
  );
  const recorded = new Map<string, OccurrenceDoc>(records.flat().map((r) => [r._id, r]));
  return {
    planned: planned.map((p, i) => ({
      ...p,
      /** Each occurrence's record, or its listed outcome for a report; none when it has no record. */
      records: p.keys.map((key, j): OccurrenceDoc | OutcomeFields | undefined => {
        const r = listed[i]![j];
        if (r === 'read' || read(r)) return recorded.get(occurrenceId(p.series._id, key)); // ('read' narrows r below)
        return r;
      }),
    })),
    person: new Map((await people).map((p) => [p._id, p])),
  };
}

/**
 * One page of series in a range with their occurrences, in order of manager, rep and series, so
 * a pair's series arrive together. While a listing's series are kept, the next page is read and
 * answered as this one is (a report asks for it next, and then has it at once).
 */
export async function occurrencesByPair(
  ctx: SchedulingContext,
  organizationId: string,
  q: ByPairQuery,
  rules: CadenceRules,
  windows: PairWindows,
): Promise<OccurrencesByPairPage | OccurrencesForReportPage> {
  checkRange(q);
  const { page, nextCursor, kept } = await seriesPage(ctx, windows, organizationId, q);
  if (!page.length) return { items: [], nextCursor: null, rules };

  const aheadKey = (from: number) => JSON.stringify([from, q.limit, q.from, q.to, q.fields]);
  const answer = (series: readonly SeriesRow[]) =>
    readPage(ctx, organizationId, series, q).then((reads) => pageItems(reads, q, ctx.now()));
  // a page answered ahead that failed is simply answered again
  const items = (kept && windows.take(kept.windowId, aheadKey(kept.from))?.catch(() => answer(page))) || answer(page);
  // the next pages are read and answered before this one's answer is awaited: asked for next, they are ready
  kept?.following.forEach((rows, i) =>
    windows.prepare(kept.windowId, aheadKey(kept.from + (i + 1) * q.limit), () => answer(rows)),
  );
  if (kept && !kept.following.length) windows.forget(kept.windowId);
  return { items: await items, nextCursor, rules } as OccurrencesByPairPage | OccurrencesForReportPage;
}

/** A page's items from its reads, as of `now`. */
function pageItems(reads: PageReads, q: ByPairQuery, now: Date): PageItems {
  const bySeries = reads.planned.flatMap(({ series, occurrences, keys, records }) => {
    const manager = reads.person.get(series.managerId);
    const rep = reads.person.get(series.repId);
    if (!manager || !rep) return []; // a person removed under a series: nothing to attribute it to
    return [{ view: toSeriesView(series, manager, rep), series, occurrences, keys, records }];
  });
  if (q.fields === 'report')
    return bySeries.map((s) => ({ series: s.view, outcomes: cadenceOutcomes(s.occurrences, s.keys, s.records, now) }));
  return bySeries.map((s) => ({
    series: s.view,
    occurrences: s.occurrences.map((p, i) =>
      withoutHistory(occurrenceView(s.series, p, s.records[i] as OccurrenceDoc | undefined, now)),
    ),
  }));
}
