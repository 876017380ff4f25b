import { healJournal, sweepJournal } from '@cadence/shared/db';
import type { Logger } from '@cadence/shared/logging';
import { every } from '@cadence/shared/process';
import type { SchedulingModels } from '../context.js';
import { relayPending } from './relay.js';

/**
 * The safety net of the outbox: events written with a state change are normally copied to the
 * outbox right away; if the process died in between, this finds them and copies them later.
 */
export async function relayAllPending(models: SchedulingModels): Promise<number> {
  let copied = 0;
  for (const owner of [models.Occurrences, models.Series] as const) {
    const docs = await (owner as typeof models.Occurrences).find({ hasPendingEvents: true }).limit(500).lean();
    for (const doc of docs) copied += await relayPending(models.Outbox, owner as typeof models.Occurrences, doc);
  }
  return copied;
}

const JOURNAL_KEEP_MS = 24 * 3600_000;

/**
 * Finishes version changes a dead writer left half done (journal entry written, document not yet
 * updated), then relays. Entries younger than a few seconds belong to writers still at work.
 */
export async function healAndRelay(models: SchedulingModels, now: Date): Promise<number> {
  await healJournal(
    models.Journal,
    [{ model: models.Occurrences }, { model: models.Series }, { model: models.LocalEvents, field: 'sequence' }],
    new Date(now.getTime() - 5 * 60_000),
    new Date(now.getTime() - 5_000),
  );
  return relayAllPending(models);
}

export function startOutboxRelay(models: SchedulingModels, logger: Logger, intervalMs: number) {
  let lastSweep = 0;
  return every(
    'outbox-relay',
    intervalMs,
    async () => {
      const now = new Date();
      await healAndRelay(models, now);
      if (now.getTime() - lastSweep > 3600_000) {
        lastSweep = now.getTime();
        await sweepJournal(models.Journal, new Date(now.getTime() - JOURNAL_KEEP_MS));
      }
    },
    logger,
  );
}
