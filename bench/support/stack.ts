import { rm } from 'node:fs/promises';
import type { Env } from '@cadence/shared/config';
import { startService, stopService, type ServiceProcess } from '@cadence/shared/launcher/children';
import { parseConfig, processEnv, schedulingConfigSchema, type SchedulingConfig } from '@cadence/shared/config';
import { connectDatabase, ensureIndexes, resolveDatabase, tempDataDir } from '@cadence/shared/db';
import { createMetricsRegistry, startServer, type RunningServer } from '@cadence/shared/http';
import { createLogger } from '@cadence/shared/logging';
import type { Stoppable } from '@cadence/shared/process';
import { createSchedulingApp, type SchedulingApp, type SchedulingDeps } from '@cadence/scheduling/app';
import { startOutboxRelay } from '@cadence/scheduling/outbox/relay-worker';
import { issueApiKey } from '@cadence/scheduling/organizations/api-keys';
import { organizationModels } from '@cadence/scheduling/organizations/models';
import { createOrganization } from '@cadence/scheduling/organizations/organizations';
import { webhookSettingsFrom } from '@cadence/scheduling/webhooks/settings';
import { startBalancer } from '../../test/harness/balancer.js';
import { apiClient, freePort } from '../../test/harness/loopback.js';
import { WebhookReceiver } from '../../test/harness/webhook-receiver.js';
import { profileCommands } from './db-profile.js';
import { serviceEntries } from './service-entries.js';

export type Api = <T = Record<string, unknown>>(method: string, path: string, body?: object) => Promise<T>;

export interface Stack {
  config: SchedulingConfig;
  built: SchedulingApp;
  /** Where the scheduling service answers. */
  server: Pick<RunningServer, 'url' | 'close'>;
  receiver: WebhookReceiver;
  /** The embedded database server's process (undefined for MONGODB_URI). */
  databasePid: number | undefined;
  /** The scheduling service's own processes, when it runs apart (none: in this one). */
  servicePids: number[];
  /** Database time by command and collection since the last reset. */
  profile: ReturnType<typeof profileCommands>;
  /** A new organization and its API client. */
  organization: (name: string) => Promise<{ id: string; api: Api }>;
  /** Starts sync, outbox relay and webhook workers, as `main.ts` does (a service process runs its own). */
  startWorkers: () => void;
  /** Runs the syncs that are due now, when the service runs in this process. */
  drain: () => Promise<void>;
  log: (line: string) => void;
  close: () => Promise<void>;
}

/** Where the scheduling service runs: in this process, or its own (`main.ts`, as production runs it). */
export type Placement =
  | { inProcess: true }
  | {
      inProcess: false;
      /** The service's environment for providers, given its address before it starts (they call it back). */
      serviceEnv: (serviceUrl: string) => Env;
      /** The service writes a .cpuprofile of its whole run there when it exits. */
      cpuProfileDir?: string;
      /** Service processes on the one database, behind a round-robin balancer when more than one. */
      replicas?: number;
    };

/**
 * The scheduling service the way production runs it — configuration from the environment with
 * its defaults (WEBHOOK_POLL_INTERVAL_MS, OUTBOX_RELAY_INTERVAL_MS, SYNC_POLL_INTERVAL_MS… may be
 * set to compare), its own embedded database (the resolver tests use, unless MONGODB_URI), real
 * HTTP on loopback — plus a webhook receiver. `deps` adds the calendar providers.
 *
 * In its own process the service runs its built `main.js` with its workers, and the app built here only
 * reads the database (models for the benchmark's checks); the emulators and the receiver keep
 * this process's CPU to themselves, as Google's and Microsoft's servers would.
 */
export async function startStack(
  label: string,
  deps: (config: SchedulingConfig) => Partial<SchedulingDeps>,
  placement: Placement = { inProcess: true },
): Promise<Stack> {
  const env = processEnv();
  const config = parseConfig('bench', schedulingConfigSchema, { ...env, WEBHOOK_ALLOW_HTTP_LOOPBACK: 'true', NODE_ENV: 'test' });
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const dataDir = tempDataDir(`bench-${label}`);
  const db = await resolveDatabase(config, { dataDir, progress: () => undefined });
  log(`database: ${db.description}`);
  const dbName = `bench_${label}_${Date.now()}`;
  const conn = await connectDatabase(db.uri, dbName, { monitorCommands: true });
  const profile = profileCommands(conn);
  const logger = createLogger({
    service: 'scheduling',
    level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL,
    destination: process.stderr,
  });
  const built = createSchedulingApp({
    conn,
    logger,
    metrics: createMetricsRegistry('scheduling'),
    webhooks: webhookSettingsFrom(config),
    sync: { pollMs: config.SYNC_POLL_INTERVAL_MS, leaseMs: config.SYNC_LEASE_MS, concurrency: config.SYNC_CONCURRENCY },
    ...deps(config),
  });
  await ensureIndexes(conn);
  let server: Stack['server'];
  let services: ServiceProcess[] = [];
  if (placement.inProcess) server = await startServer(built.app, { host: '127.0.0.1', port: 0 });
  else {
    const replicas = placement.replicas ?? 1;
    const ports = await Promise.all(Array.from({ length: replicas }, () => freePort()));
    // with replicas, every call (notifications, the benchmark's API calls) goes through a balancer
    const balancer = replicas > 1 ? await startBalancer() : undefined;
    const url = balancer?.url ?? `http://127.0.0.1:${ports[0]}`;
    // the built service, as production runs it (BENCH_FROM_SOURCE=1: the sources under tsx)
    const entry = serviceEntries(env.BENCH_FROM_SOURCE === '1', placement.cpuProfileDir, log);
    const started = await Promise.allSettled(
      ports.map((port) =>
        startService(
          'scheduling',
          entry.scheduling,
          {
            ...env,
            MONGODB_URI: db.uri,
            SCHEDULING_DB_NAME: dbName,
            SCHEDULING_HOST: '127.0.0.1',
            SCHEDULING_PORT: String(port),
            NODE_ENV: 'test',
            WEBHOOK_ALLOW_HTTP_LOOPBACK: 'true',
            LOG_LEVEL: env.LOG_LEVEL ?? 'warn',
            ...placement.serviceEnv(url),
          },
          60_000,
          entry.execArgv,
        ),
      ),
    );
    services = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) {
      // none left running behind a benchmark that did not start
      await Promise.all(services.map((s) => stopService(s, 10_000)));
      await balancer?.close();
      throw failed.reason;
    }
    balancer?.setTargets(services.map((s) => s.url));
    const running = services;
    server = {
      url,
      close: async () => {
        await Promise.all(running.map((s) => stopService(s, 10_000)));
        await balancer?.close();
      },
    };
    log(
      `scheduling service: ${running.length > 1 ? `${running.length} processes behind a round-robin balancer at ${url}` : 'its own process'} (pid ${running.map((s) => s.child.pid).join(', ')})`,
    );
  }
  const receiver = await WebhookReceiver.listen();
  const workers: Stoppable[] = [];

  const organization = async (name: string) => {
    const orgs = organizationModels(conn);
    const org = await createOrganization(orgs, name);
    const { key } = await issueApiKey(orgs, org.id, 'bench');
    const api: Api = apiClient(server.url, key);
    return { id: org.id, api };
  };

  return {
    config,
    built,
    server,
    receiver,
    databasePid: db.pid,
    servicePids: services.flatMap((s) => (s.child.pid === undefined ? [] : [s.child.pid])),
    profile,
    organization,
    log,
    drain: () => (placement.inProcess ? built.sync.drain() : Promise.resolve()),
    startWorkers: () => {
      if (!placement.inProcess) return;
      built.sync.start();
      workers.push({ stop: () => built.sync.stop() });
      workers.push(built.webhooks.start());
      workers.push(startOutboxRelay(built.ctx.models, logger, config.OUTBOX_RELAY_INTERVAL_MS));
    },
    close: async () => {
      for (const w of workers) await w.stop();
      await receiver.close();
      await server.close(1000);
      await conn.dropDatabase().catch(() => undefined);
      await conn.close();
      await db.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
