import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import autocannon from 'autocannon';
import { databaseEnvSchema, parseConfig, processEnv } from '@cadence/shared/config';
import { connectDatabase, resolveDatabase, tempDataDir } from '@cadence/shared/db';
import { startService, stopService, type ServiceProcess } from '@cadence/shared/launcher/children';
import { runCommand } from '@cadence/scheduling/cli/commands';

/**
 * Agenda reads under load: `GET /v1/series/:id/occurrences/:key/agenda` with 50 concurrent
 * connections (autocannon), beside a bare Express route answering a constant, measured the same
 * way in the same run. Every server is its own process, so the load generator does not share an
 * event loop with what it measures. Target: ≥ 25 % of the bare route's requests/s, p99 < 50 ms.
 *
 * BENCH_SECONDS (10), BENCH_CONNECTIONS (50); database from MONGODB_URI, else a fresh embedded one.
 */
export async function run(): Promise<void> {
  const env = processEnv();
  const seconds = Number(env.BENCH_SECONDS ?? 10);
  const connections = Number(env.BENCH_CONNECTIONS ?? 50);
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const dataDir = tempDataDir('bench-agenda');
  const db = await resolveDatabase(parseConfig('bench', databaseEnvSchema, env), { dataDir, progress: () => undefined });
  log(`database: ${db.description}`);
  const suffix = Date.now();
  const base = {
    PATH: env.PATH,
    HOME: env.HOME,
    MONGODB_URI: db.uri,
    LOG_LEVEL: 'warn',
    INTERNAL_TOKEN: randomBytes(32).toString('base64url'),
  };
  const started: ServiceProcess[] = [];
  try {
    const scheduling = await startService('scheduling', import.meta.resolve('@cadence/scheduling/main'), {
      ...base,
      SCHEDULING_PORT: '0',
      SCHEDULING_DB_NAME: `bench_s_${suffix}`,
    });
    started.push(scheduling);
    const agenda = await startService('agenda', import.meta.resolve('@cadence/agenda/main'), {
      ...base,
      AGENDA_PORT: '0',
      AGENDA_DB_NAME: `bench_a_${suffix}`,
      SCHEDULING_URL: scheduling.url,
    });
    started.push(agenda);
    const bare = await startService('bare', new URL('./support/bare-server.ts', import.meta.url).href, base);
    started.push(bare);

    // an organization, a series and this week's agenda, made through the real APIs
    const conn = await connectDatabase(db.uri, `bench_s_${suffix}`);
    let key = '';
    await runCommand(conn, ['org', 'create'], { name: 'Bench', json: true }, (line) => {
      key = (JSON.parse(line) as { apiKey: { key: string } }).apiKey.key;
    });
    await conn.close();
    const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const post = async (url: string, body: object) => {
      const res = await fetch(url, { method: 'POST', headers: auth, body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
      return (await res.json()) as { id: string };
    };
    const manager = await post(`${scheduling.url}/v1/people`, {
      name: 'Mara',
      email: 'mara@bench.test',
      timeZone: 'Europe/Berlin',
      roles: ['manager'],
    });
    const rep = await post(`${scheduling.url}/v1/people`, {
      name: 'Ray',
      email: 'ray@bench.test',
      timeZone: 'Europe/Berlin',
      roles: ['rep'],
    });
    const today = new Date().toISOString().slice(0, 10);
    const series = await post(`${scheduling.url}/v1/series`, {
      managerId: manager.id,
      repId: rep.id,
      weekday: 'tuesday',
      startTime: '09:00',
      timeZone: 'Europe/Berlin',
      startDate: today,
    });
    const occ = (await (await fetch(`${scheduling.url}/v1/series/${series.id}/occurrences`, { headers: auth })).json()) as {
      items: { key: string }[];
    };
    const agendaUrl = `${agenda.url}/v1/series/${series.id}/occurrences/${occ.items.at(-1)!.key}/agenda`;
    const first = await fetch(agendaUrl, { headers: auth });
    if (!first.ok) throw new Error(`agenda: ${first.status} ${await first.text()}`);

    const measure = async (name: string, url: string, headers: Record<string, string>) => {
      // a short warm-up (JIT, key cache, connection pools) that is not counted
      await autocannon({ url, connections, duration: 2, headers });
      const r = await autocannon({ url, connections, duration: seconds, headers });
      const result = {
        name,
        rps: Math.round(r.requests.average),
        p50: r.latency.p50,
        p99: r.latency.p99,
        non2xx: r.non2xx,
        errors: r.errors,
      };
      log(
        `${name}: ${result.rps} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, non-2xx ${result.non2xx}, errors ${result.errors}`,
      );
      return result;
    };
    const bareResult = await measure('bare express route', `${bare.url}/constant`, {});
    const agendaResult = await measure('GET occurrence agenda', agendaUrl, { authorization: `Bearer ${key}` });
    const share = Math.round((agendaResult.rps / bareResult.rps) * 1000) / 10;
    log(`agenda reads: ${share} % of the bare route's requests/s (target ≥ 25 %), p99 ${agendaResult.p99} ms (target < 50 ms)`);
    log(
      JSON.stringify({
        bench: 'agenda-reads',
        connections,
        seconds,
        bareRps: bareResult.rps,
        agendaRps: agendaResult.rps,
        sharePercent: share,
        agendaP99Ms: agendaResult.p99,
        targets: { sharePercent: 25, p99Ms: 50 },
        met: share >= 25 && agendaResult.p99 < 50,
        non2xx: agendaResult.non2xx,
      }),
    );
  } finally {
    for (const proc of started.reverse()) await stopService(proc, 5000);
    await db.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
