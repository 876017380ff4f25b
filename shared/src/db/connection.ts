import mongoose, { type Connection } from 'mongoose';
import { watchMonitor } from './monitor-watchdog.js';
import { installUniqueConflictPlugin } from './unique-conflicts.js';

const CONNECT_TIMEOUT_MS = 10_000;

installUniqueConflictPlugin();
// mongoose records `new Error().stack` at every query's exec, only to name where a query that is
// executed twice was first run; a stack trace per database command is a few % of a busy service's CPU
mongoose.set('skipOriginalStackTraces', true);

export interface ConnectOptions {
  /** How long an operation waits for a reachable server before failing (→ 503). */
  serverSelectionTimeoutMS?: number;
  /** How often the driver checks a server; also bounds how long recovery after an outage takes. */
  heartbeatFrequencyMS?: number;
  /** Emit the driver's command events (commandSucceeded…, with durations): benchmarks profile with them. */
  monitorCommands?: boolean;
}

/**
 * Opens a dedicated mongoose connection (not the global one, so a process can hold several and
 * tests can run apps side by side). Commands are not buffered while disconnected: a request
 * during an outage fails fast with a server-selection error instead of hanging.
 */
export async function connectDatabase(uri: string, dbName: string, opts: ConnectOptions = {}): Promise<Connection> {
  const options = {
    dbName,
    bufferCommands: false,
    autoIndex: false,
    serverSelectionTimeoutMS: opts.serverSelectionTimeoutMS ?? 5000,
    // the driver's 10 s default leaves a service unready that long after the database is back
    heartbeatFrequencyMS: opts.heartbeatFrequencyMS ?? 2000,
    // FerretDB has no sessions-based retryable writes; real MongoDB retries anyway at driver level
    retryWrites: false,
    monitorCommands: opts.monitorCommands ?? false,
    // bounds a heartbeat (the driver's 30 s default), which the watchdog below relies on
    connectTimeoutMS: CONNECT_TIMEOUT_MS,
  };
  const conn = mongoose.createConnection(uri, options);
  await conn.asPromise();
  watchMonitor(
    conn,
    () => conn.openUri(uri, options),
    CONNECT_TIMEOUT_MS + options.heartbeatFrequencyMS + 3000,
    (msg) => process.emitWarning(msg, 'CadenceDatabase'),
  );
  return conn;
}

/** Resolves when the server answers `ping`. */
export async function pingDatabase(conn: Connection): Promise<void> {
  const db = conn.db;
  if (!db) throw new Error('database connection is not open');
  await db.command({ ping: 1 });
}

/** Builds the indexes every model declares; a unique index must exist before traffic arrives. */
export async function ensureIndexes(conn: Connection): Promise<void> {
  for (const model of Object.values(conn.models)) await model.createIndexes();
}
