import type { SeriesView } from '@cadence/shared/clients/scheduling';
import type { Logger } from '@cadence/shared/logging';
import { every } from '@cadence/shared/process';
import type { AgendaContext } from '../context.js';
import type { HomeworkDoc } from './models.js';

const LEASE_MS = 60_000;
const BATCH = 100;

/** Open, past due, not yet announced, and not being announced by another replica right now. */
const announceable = (now: Date) => ({
  status: 'open',
  due: { $lt: now },
  overdueNotifiedAt: null,
  $or: [{ overdueLeaseUntil: null }, { overdueLeaseUntil: { $lt: now } }],
});

const person = (p: SeriesView['manager']) => ({ id: p.id, name: p.name, email: p.email });

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
 * Announces overdue homework: each item is claimed with a lease (one atomic findOneAndUpdate, so
 * of two replicas only one gets it), published through the scheduling service's events endpoint
 * with the homework id as idempotency key, then marked announced. A crash between publishing and
 * marking republishes the same id, which the scheduling service turns into the same one event.
 */
export async function announceOverdue(ctx: AgendaContext): Promise<number> {
  const { Homework } = ctx.models;
  const now = ctx.now();
  const candidates = await Homework.find(announceable(now)).sort({ due: 1 }).limit(BATCH).lean();
  let announced = 0;
  for (const candidate of candidates) {
    const claimed = await Homework.findOneAndUpdate(
      { _id: candidate._id, ...announceable(now) },
      { $set: { overdueLeaseUntil: new Date(now.getTime() + LEASE_MS) } },
      { new: true },
    ).lean();
    if (!claimed) continue;
    try {
      await publish(ctx, claimed);
      await Homework.updateOne({ _id: claimed._id }, { $set: { overdueNotifiedAt: now, overdueLeaseUntil: null } });
      announced++;
    } catch (err) {
      // the lease runs out and a later sweep (here or on another replica) tries again
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
