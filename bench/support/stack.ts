import { rm } from 'node:fs/promises';
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
import { WebhookReceiver } from '../../test/harness/webhook-receiver.js';
import { profileCommands } from './db-profile.js';

export type Api = <T = Record<string, unknown>>(method: string, path: string, body?: object) => Promise<T>;

export interface Stack {
  config: SchedulingConfig;
  built: SchedulingApp;
  server: RunningServer;
  receiver: WebhookReceiver;
  /** The embedded database server's process (undefined for MONGODB_URI). */
  databasePid: number | undefined;
  /** Database time by command and collection since the last reset. */
  profile: ReturnType<typeof profileCommands>;
  /** A new organization and its API client. */
  organization: (name: string) => Promise<{ id: string; api: Api }>;
  /** Starts sync, outbox relay and webhook workers, as `main.ts` does. */
  startWorkers: () => void;
  log: (line: string) => void;
  close: () => Promise<void>;
}

/**
 * The scheduling service the way production runs it — configuration from the environment with
 * its defaults (WEBHOOK_POLL_INTERVAL_MS, OUTBOX_RELAY_INTERVAL_MS, SYNC_POLL_INTERVAL_MS… may be
 * set to compare), its own embedded database (the resolver tests use, unless MONGODB_URI), real
 * HTTP on loopback — plus a webhook receiver. `deps` adds the calendar providers.
 */
export async function startStack(label: string, deps: (config: SchedulingConfig) => Partial<SchedulingDeps>): Promise<Stack> {
  const env = processEnv();
  const config = parseConfig('bench', schedulingConfigSchema, { ...env, WEBHOOK_ALLOW_HTTP_LOOPBACK: 'true', NODE_ENV: 'test' });
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const dataDir = tempDataDir(`bench-${label}`);
  const db = await resolveDatabase(config, { dataDir, progress: () => undefined });
  log(`database: ${db.description}`);
  const conn = await connectDatabase(db.uri, `bench_${label}_${Date.now()}`, { monitorCommands: true });
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
  const server = await startServer(built.app, { host: '127.0.0.1', port: 0 });
  const receiver = await WebhookReceiver.listen();
  const workers: Stoppable[] = [];

  const organization = async (name: string) => {
    const orgs = organizationModels(conn);
    const org = await createOrganization(orgs, name);
    const { key } = await issueApiKey(orgs, org.id, 'bench');
    const api: Api = async <T>(method: string, path: string, body?: object) => {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const json = (await res.json()) as T;
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    };
    return { id: org.id, api };
  };

  return {
    config,
    built,
    server,
    receiver,
    databasePid: db.pid,
    profile,
    organization,
    log,
    startWorkers: () => {
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
