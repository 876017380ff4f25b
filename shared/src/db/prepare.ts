/**
 * `npm run db:prepare`: makes the embedded database ready before anything needs it (CI runs it
 * so the one-time FerretDB build shows up as its own step). Starts and stops the server once.
 */
import { rm } from 'node:fs/promises';
import { databaseEnvSchema, loadConfigOrExit } from '../config.js';
import { resolveDatabase, tempDataDir } from './embedded/resolve.js';

const env = loadConfigOrExit('db:prepare', databaseEnvSchema);
const dataDir = tempDataDir('prepare');
const started = Date.now();
const db = await resolveDatabase(env, { dataDir, progress: (m) => process.stdout.write(`[db:prepare] ${m}\n`) });
process.stdout.write(`[db:prepare] ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${db.description}\n`);
await db.stop();
await rm(dataDir, { recursive: true, force: true });
