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

export function startOutboxRelay(models: SchedulingModels, logger: Logger, intervalMs: number) {
  return every('outbox-relay', intervalMs, () => relayAllPending(models), logger);
}
