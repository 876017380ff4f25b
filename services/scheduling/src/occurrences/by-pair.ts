import { DateTime } from 'luxon';
import type { CadenceRules, OccurrenceInRange, OccurrencesByPairPage } from '@cadence/shared/contracts/scheduling';
import { badRequest, pageQuery, z } from '@cadence/shared/http';
import { instantSchema, localDateSchema, occurrenceKey } from '@cadence/shared/time';
import type { SchedulingContext } from '../context.js';
import { personIdSchema } from '../people/schemas.js';
import { plannedOccurrences } from '../series/schedule.js';
import { toSeriesView } from '../series/service.js';
import { occurrenceId, type OccurrenceDoc } from './models.js';
import { bound } from './range.js';
import { occurrenceView } from './view.js';

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
});
export type ByPairQuery = z.output<typeof occurrencesByPairQuery>;

/** The cursor is the last series' sort key: manager, rep, series id. */
const cursorSchema = z.tuple([z.string(), z.string(), z.string()]);
const encodeCursor = (s: { managerId: string; repId: string; _id: string }) =>
  Buffer.from(JSON.stringify([s.managerId, s.repId, s._id])).toString('base64url');

function decodeCursor(cursor: string | undefined): [string, string, string] | undefined {
  if (!cursor) return undefined;
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw badRequest('Invalid query: cursor.', [{ location: 'query', field: 'cursor', message: 'must be a cursor from a previous page' }]);
  }
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

/**
 * One page of series in a range with their occurrences, in order of manager, rep and series, so
 * a pair's series arrive together. Three queries per page whatever the page holds: the series,
 * their people, and the occurrence records in the range; the rest is expanded in memory.
 */
export async function occurrencesByPair(
  ctx: SchedulingContext,
  organizationId: string,
  q: ByPairQuery,
  rules: CadenceRules,
): Promise<OccurrencesByPairPage> {
  checkRange(q);
  const { Series, People, Occurrences } = ctx.models;
  const after = decodeCursor(q.cursor);
  const rows = await Series.find({
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
    .limit(q.limit + 1)
    .lean();
  const page = rows.slice(0, q.limit);
  if (!page.length) return { items: [], nextCursor: null, rules };

  const ranges = new Map(page.map((s) => [s._id, { from: bound(q.from, s.timeZone), to: bound(q.to, s.timeZone) }]));
  const lo = new Date(Math.min(...[...ranges.values()].map((r) => r.from.getTime())));
  const hi = new Date(Math.max(...[...ranges.values()].map((r) => r.to.getTime())));
  const [people, records] = await Promise.all([
    People.find({ organizationId, _id: { $in: [...new Set(page.flatMap((s) => [s.managerId, s.repId]))] } }).lean(),
    Occurrences.find({ organizationId, seriesId: { $in: page.map((s) => s._id) }, originalStart: { $gte: lo, $lt: hi } })
      .select({ history: 0, pendingEvents: 0 })
      .lean(),
  ]);
  const person = new Map(people.map((p) => [p._id, p]));
  const recorded = new Map<string, OccurrenceDoc>(records.map((r) => [r._id, r as OccurrenceDoc]));
  const now = ctx.now();

  const items = page.flatMap((series) => {
    const manager = person.get(series.managerId);
    const rep = person.get(series.repId);
    if (!manager || !rep) return []; // a person removed under a series: nothing to attribute it to
    const range = ranges.get(series._id)!;
    const occurrences = plannedOccurrences(series, range.from, range.to).map((p) =>
      withoutHistory(occurrenceView(series, p, recorded.get(occurrenceId(series._id, occurrenceKey(p.originalStart))), now)),
    );
    return [{ series: toSeriesView(series, manager, rep), occurrences }];
  });
  return { items, nextCursor: rows.length > q.limit ? encodeCursor(page[page.length - 1]!) : null, rules };
}
