import type { Logger } from '../logging/logger.js';
import { every } from '../process/periodic.js';
import { healJournal, sweepJournal, type Journal } from './journal.js';

type Owners = Parameters<typeof healJournal>[1];

const HEAL_WINDOW_MS = 5 * 60_000;
/** Entries this young may belong to a writer still at work. */
const SETTLE_MS = 5_000;
const KEEP_MS = 24 * 3600_000;

/**
 * The journal's upkeep for a service without another worker to carry it: rolls forward the
 * version changes a dead writer left half done, and sweeps entries once a day old.
 */
export function startJournalUpkeep(journal: Journal, owners: Owners, logger: Logger, intervalMs = 60_000) {
  let lastSweep = 0;
  return every(
    'journal-upkeep',
    intervalMs,
    async () => {
      const now = Date.now();
      await healJournal(journal, owners, new Date(now - HEAL_WINDOW_MS), new Date(now - SETTLE_MS));
      if (now - lastSweep > 3600_000) {
        lastSweep = now;
        await sweepJournal(journal, new Date(now - KEEP_MS));
      }
    },
    logger,
  );
}
