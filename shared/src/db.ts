export { connectDatabase, ensureIndexes, pingDatabase, type ConnectOptions } from './db/connection.js';
export { NoDatabaseError, resolveDatabase, tempDataDir, type EmbeddedDatabase, type Progress } from './db/embedded/resolve.js';
export { commitVersion, healJournal, journalModel, rollForward, sweepJournal, type Journal } from './db/journal.js';
export { startJournalUpkeep } from './db/journal-upkeep.js';
export { idLists } from './db/id-lists.js';
