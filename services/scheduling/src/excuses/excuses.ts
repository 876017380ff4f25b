import { DateTime } from 'luxon';
import type { Model } from 'mongoose';
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

/**
 * The excuse covering an occurrence of a manager–rep pair, if any: the organization's own days,
 * or either person's absence. The earliest-created wins, so the answer is stable.
 */
export async function findExcuse(
  Excuses: Model<ExcuseDoc>,
  q: { organizationId: string; personIds: string[]; originalStart: Date; timeZone: string },
): Promise<ExcuseDoc | undefined> {
  const localDate = DateTime.fromJSDate(q.originalStart, { zone: q.timeZone }).toISODate()!;
  const found = await Excuses.find({
    organizationId: q.organizationId,
    $and: [
      { $or: [{ scope: 'organization' }, { scope: 'person', personId: { $in: q.personIds } }] },
      {
        $or: [
          { from: { $lte: q.originalStart }, to: { $gt: q.originalStart } },
          { fromDate: { $lte: localDate }, toDate: { $gte: localDate } },
        ],
      },
    ],
  })
    .sort({ createdAt: 1 })
    .limit(1)
    .lean();
  return found[0];
}
