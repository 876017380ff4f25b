import { DateTime } from 'luxon';
import type { Model } from 'mongoose';
import { Gather } from '@cadence/shared/db/gathered';
import type { ExcuseDoc } from './models.js';
import type { ExcuseView } from './schemas.js';

export const toExcuseView = (e: ExcuseDoc): ExcuseView => ({
  id: e._id,
  scope: e.scope as ExcuseView['scope'],
  personId: e.personId ?? null,
  kind: e.kind as ExcuseView['kind'],
  reason: e.reason ?? null,
  fromDate: e.fromDate ?? null,
  toDate: e.toDate ?? null,
  from: e.from ? e.from.toISOString() : null,
  to: e.to ? e.to.toISOString() : null,
  createdAt: e.createdAt.toISOString(),
});

interface ExcuseQuery {
  organizationId: string;
  personIds: string[];
  originalStart: Date;
  timeZone: string;
}

/** Whether `e` covers the occurrence (as the query below would match it: a missing bound matches nothing). */
const covers = (e: ExcuseDoc, q: ExcuseQuery, localDate: string) =>
  e.organizationId === q.organizationId &&
  (e.scope === 'organization' || (e.scope === 'person' && e.personId != null && q.personIds.includes(e.personId))) &&
  ((e.from != null && e.to != null && e.from <= q.originalStart && e.to > q.originalStart) ||
    (e.fromDate != null && e.toDate != null && e.fromDate <= localDate && e.toDate >= localDate));

/** Look-ups made at about the same time, per excuses model: one read for all (gathered.ts). */
const lookups = new WeakMap<Model<ExcuseDoc>, Gather<ExcuseQuery, ExcuseDoc | undefined>>();

/**
 * The excuse covering an occurrence of a manager–rep pair, if any: the organization's own days,
 * or either person's absence. The earliest-created wins, so the answer is stable. Asked with
 * other pipelines' look-ups, read as one query for the span of all of them, each answered from it.
 */
export function findExcuse(Excuses: Model<ExcuseDoc>, q: ExcuseQuery): Promise<ExcuseDoc | undefined> {
  let gather = lookups.get(Excuses);
  if (!gather) lookups.set(Excuses, (gather = new Gather((qs) => findExcuses(Excuses, qs))));
  return gather.run(q);
}

async function findExcuses(Excuses: Model<ExcuseDoc>, qs: ExcuseQuery[]): Promise<(ExcuseDoc | undefined)[]> {
  const localDates = qs.map((q) => DateTime.fromJSDate(q.originalStart, { zone: q.timeZone }).toISODate()!);
  const starts = qs.map((q) => q.originalStart.getTime());
  const [first, last] = [new Date(Math.min(...starts)), new Date(Math.max(...starts))];
  const dates = [...localDates].sort();
  const found = await Excuses.find({
    organizationId: { $in: [...new Set(qs.map((q) => q.organizationId))] },
    $and: [
      { $or: [{ scope: 'organization' }, { scope: 'person', personId: { $in: [...new Set(qs.flatMap((q) => q.personIds))] } }] },
      {
        $or: [
          { from: { $lte: last }, to: { $gt: first } },
          { fromDate: { $lte: dates[dates.length - 1] }, toDate: { $gte: dates[0] } },
        ],
      },
    ],
  })
    .sort({ createdAt: 1 })
    .lean();
  return qs.map((q, i) => found.find((e) => covers(e, q, localDates[i]!)));
}
