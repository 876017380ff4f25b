import type { SeriesView } from '@cadence/shared/clients/scheduling';
import { isDuplicateKeyError } from '@cadence/shared/http';
import type { Logger } from '@cadence/shared/logging';
import { every } from '@cadence/shared/process';
import type { AgendaContext } from '../context.js';
import type { HomeworkDoc } from './models.js';

/** How long one replica's claim on an item lasts before another may try again. */
export const OVERDUE_LEASE_MS = 60_000;
const BATCH = 100;

/** Open, past due and not yet announced. */
const announceable = (now: Date) => ({ status: 'open', due: { $lt: now }, overdueNotifiedAt: null });

const person = (p: SeriesView['manager']) => ({ id: p.id, name: p.name, email: p.email });

/** The `data` of `homework.overdue`: enough for a receiver (CRM, chat) to act without calling back. */
export function overdueEventData(hw: HomeworkDoc, series: SeriesView | undefined) {
  return {
    organizationId: hw.organizationId,
    seriesId: hw.seriesId,
    occurrenceKey: hw.assignedKey,
    homework: { id: hw._id, title: hw.title, owner: hw.owner, due: hw.due.toISOString() },
    manager: series ? person(series.manager) : null,
    rep: series ? person(series.rep) : null,
    agendaUrl: series?.agendaUrl ?? null,
  };
}

/**
 * Announces overdue homework once. Each item is claimed for the current lease period by inserting
 * `<id>@<period>` (of several replicas exactly one insert succeeds), published through the
 * scheduling service's events endpoint with the homework id as idempotency key, then marked. A
 * crash after publishing leaves the item unmarked: a later period republishes the same id, which
 * the scheduling service answers with the event it already has — so one webhook either way.
 */
export async function announceOverdue(ctx: AgendaContext): Promise<number> {
  const { Homework, OverdueClaims } = ctx.models;
  const now = ctx.now();
  const period = Math.floor(now.getTime() / OVERDUE_LEASE_MS);
  const candidates = await Homework.find(announceable(now)).sort({ due: 1 }).limit(BATCH).lean();
  let announced = 0;
  for (const candidate of candidates) {
    try {
      await OverdueClaims.create({ _id: `${candidate._id}@${period}`, homeworkId: candidate._id, claimedAt: now });
    } catch (err) {
      if (isDuplicateKeyError(err)) continue;
      throw err;
    }
    // another replica may have finished it since the list was read
    const claimed = await Homework.findOne({ _id: candidate._id, ...announceable(now) }).lean();
    if (!claimed) continue;
    try {
      await publish(ctx, claimed);
      await Homework.updateOne({ _id: claimed._id }, { $set: { overdueNotifiedAt: now } });
      await OverdueClaims.deleteMany({ homeworkId: claimed._id });
      announced++;
    } catch (err) {
      // the claim lapses with its period and a later sweep (here or elsewhere) tries again
      ctx.logger.warn({ err, homeworkId: claimed._id }, 'could not publish homework.overdue; will retry');
    }
  }
  return announced;
}

async function publish(ctx: AgendaContext, hw: HomeworkDoc): Promise<void> {
  const scheduling = ctx.scheduling.internal(hw.organizationId);
  // manager, rep and link are extras: a series the scheduling service cannot show still gets its event
  const series = await scheduling.series(hw.seriesId).catch(() => undefined);
  await scheduling.publishEvent({
    organizationId: hw.organizationId,
    type: 'homework.overdue',
    id: hw._id,
    occurredAt: hw.due.toISOString(),
    seriesId: hw.seriesId,
    occurrenceKey: hw.assignedKey,
    data: overdueEventData(hw, series),
  });
}

export function startOverdueSweep(ctx: AgendaContext, logger: Logger, intervalMs: number) {
  return every('homework-overdue', intervalMs, () => announceOverdue(ctx), logger);
}
