/**
 * `npm start`: the whole system on one machine. Uses MONGODB_URI when set, otherwise starts one
 * embedded database; then both services, each in its own process with its own database name.
 * Ctrl-C (or SIGTERM) stops everything it started, the database last.
 */
import { randomBytes } from 'node:crypto';
import { launcherConfigSchema, loadConfigOrExit, processEnv } from '../config.js';
import { embeddedDataDir, resolveDatabase } from '../db/embedded/resolve.js';
import { announceRunning } from '../db/embedded/running.js';
import { startService, stopService, type ServiceProcess } from './children.js';

const say = (line: string) => process.stdout.write(`[cadence] ${line}\n`);

const config = loadConfigOrExit('launcher', launcherConfigSchema);
const started: ServiceProcess[] = [];
let stopping = false;

say(config.MONGODB_URI ? 'using MONGODB_URI' : 'no MONGODB_URI: starting an embedded database');
const db = await resolveDatabase(config, { progress: say }).catch((err: Error) => {
  say(err.message);
  process.exit(1);
});
say(`database: ${db.description}`);
const forget = db.kind === 'external' ? async () => {} : await announceRunning(embeddedDataDir(config), db);

async function stopAll(code: number): Promise<never> {
  stopping = true;
  for (const proc of [...started].reverse()) await stopService(proc, 12_000);
  await forget();
  await db.stop();
  say('stopped');
  process.exit(code);
}

process.on('SIGINT', () => void (stopping || stopAll(0)));
process.on('SIGTERM', () => void (stopping || stopAll(0)));

try {
  // both services must share the internal token (agenda pages, agenda links, homework events)
  const base = {
    ...processEnv(),
    MONGODB_URI: db.uri,
    INTERNAL_TOKEN: config.INTERNAL_TOKEN ?? randomBytes(32).toString('base64url'),
  };
  // with a fixed agenda port its address is known before it starts, so new series get their link at once
  const agendaHost = config.AGENDA_HOST === '0.0.0.0' ? '127.0.0.1' : config.AGENDA_HOST;
  const agendaUrl = config.AGENDA_PORT ? `http://${agendaHost}:${config.AGENDA_PORT}` : undefined;
  const scheduling = await startService('scheduling', import.meta.resolve('@cadence/scheduling/main'), {
    ...base,
    SCHEDULING_HOST: config.SCHEDULING_HOST,
    SCHEDULING_PORT: String(config.SCHEDULING_PORT),
    ...(agendaUrl ? { AGENDA_URL: agendaUrl } : {}),
  });
  started.push(scheduling);
  const agenda = await startService('agenda', import.meta.resolve('@cadence/agenda/main'), {
    ...base,
    AGENDA_HOST: config.AGENDA_HOST,
    AGENDA_PORT: String(config.AGENDA_PORT),
    SCHEDULING_URL: scheduling.url,
    ...(agendaUrl ? { AGENDA_PUBLIC_URL: agendaUrl } : {}),
  });
  started.push(agenda);
  for (const proc of started) {
    void proc.exited.then((code) => {
      if (stopping) return;
      say(`${proc.name} exited unexpectedly (code ${code}); stopping everything`);
      void stopAll(1);
    });
  }
  say('');
  say('Cadence is running:');
  say(`  scheduling  ${scheduling.url}   (pid ${scheduling.child.pid})  health ${scheduling.url}/readyz`);
  say(`  agenda      ${agenda.url}   (pid ${agenda.child.pid})  health ${agenda.url}/readyz`);
  say('Try it:');
  say(`  curl ${scheduling.url}/readyz`);
  say(`  curl ${agenda.url}/metrics`);
  say('Press Ctrl-C to stop everything.');
} catch (err) {
  say(`start-up failed: ${(err as Error).message}`);
  await stopAll(1);
}
