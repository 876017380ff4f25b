import type { Logger } from '@cadence/shared/logging';
import { every } from '@cadence/shared/process';
import type { AgendaContext } from '../../context.js';
import { buildReportFacts } from './backfill.js';
import { ORPHAN_MARKER_MS, syncFromSource } from './tracked-write.js';

/**
 * Brings the facts of writes whose writer died (markers older than `olderThan`) in line with
 * their documents, then drops the markers — unless refreshed meanwhile by a writer still at work.
 */
export async function repairPendingFacts(ctx: Pick<AgendaContext, 'models' | 'writes'>, olderThan: Date): Promise<number> {
  const { PendingFacts } = ctx.models;
  const orphans = await PendingFacts.find({ at: { $lt: olderThan } }).lean();
  for (const m of orphans) {
    await syncFromSource(ctx, {
      source: m.source as 'agenda' | 'homework',
      organizationId: m.organizationId,
      sourceId: m.sourceId,
    });
    await PendingFacts.deleteOne({ _id: m._id, at: m.at });
  }
  return orphans.length;
}

/** The facts' worker: the backfill at start (until it has once completed), then the repair of orphan markers. */
export function startReportFactsUpkeep(ctx: AgendaContext, logger: Logger, intervalMs = ORPHAN_MARKER_MS / 2) {
  const worker = every(
    'report-facts',
    intervalMs,
    async () => {
      const started = Date.now();
      const { built, documents } = await buildReportFacts(ctx);
      if (built)
        logger.info({ documents, ms: Date.now() - started }, 'report facts built from the existing agendas and homework');
      const repaired = await repairPendingFacts(ctx, new Date(Date.now() - ORPHAN_MARKER_MS));
      if (repaired) logger.warn({ repaired }, 'report facts repaired after writers that did not finish');
    },
    logger,
  );
  void worker.runNow();
  return worker;
}
