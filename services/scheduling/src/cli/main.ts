/**
 * `npm run cadence -- <command>`: organizations and API keys, the only things created outside the
 * HTTP API (a key is needed to call it).
 *
 *   org create --name Acme            prints the organization and its first API key (shown once)
 *   org list
 *   key create --org <orgId> [--name ci]
 *   key list --org <orgId>
 *   key revoke <keyId>
 */
import { parseArgs } from 'node:util';
import { loadConfigOrExit, schedulingConfigSchema } from '@cadence/shared/config';
import { connectDatabase, resolveDatabase } from '@cadence/shared/db';
import { runCommand } from './commands.js';

const config = loadConfigOrExit('cadence', schedulingConfigSchema);
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { name: { type: 'string' }, org: { type: 'string' }, json: { type: 'boolean', default: false } },
});

const out = (line: string) => process.stdout.write(`${line}\n`);
const db = await resolveDatabase(config, { progress: (m) => process.stderr.write(`${m}\n`), preferRunning: true });
const conn = await connectDatabase(db.uri, config.SCHEDULING_DB_NAME);
let code = 0;
try {
  code = await runCommand(conn, positionals, values, out);
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  code = 1;
} finally {
  await conn.close();
  await db.stop();
}
process.exit(code);
