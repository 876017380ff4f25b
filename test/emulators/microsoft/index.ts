import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { Calendar } from './calendar.js';
import { makeTestCertificates, writeCaBundle } from './certs.js';
import { Control, controlRouter } from './control.js';
import { DeltaTracker } from './delta.js';
import { errorHandler, GraphError } from './errors.js';
import { Faults } from './faults.js';
import { graphRouter } from './graph-routes.js';
import { Identity } from './identity.js';
import type { EventChange } from './model.js';
import { Notifier } from './notifier.js';
import { Outbound } from './outbound.js';
import { Subscriptions } from './subscriptions.js';
import { trustCaInThisProcess } from './trust.js';

export type { AccountHandle, InstantLike } from './control.js';
export type { CallRecord, Chaos, FailureSpec } from './faults.js';
export type { Delivery } from './notifier.js';
export type { LifecycleEvent, Subscription } from './subscriptions.js';
export { trustCaInThisProcess } from './trust.js';

export interface MicrosoftEmulatorOptions {
  /** The emulator's clock: token and subscription lifetimes, timestamps. Default: real time. */
  now?: () => Date;
  /** How long a subscriber gets to echo the validation token. Graph: 10 s. */
  validationTimeoutMs?: number;
  /** Longest subscription lifetime accepted. Outlook resources: 4230 minutes. */
  maxSubscriptionMinutes?: number;
  /** Delays between notification retries after a non-2xx answer. Default [200, 500, 1000]. */
  notificationRetryDelaysMs?: number[];
  /** How long a notification endpoint gets to answer. Graph: 3 s. */
  notificationTimeoutMs?: number;
  /** Delta page size when the client sends no `Prefer: odata.maxpagesize`. Default 10. */
  deltaPageSize?: number;
  /** Delta tokens kept per mailbox before the oldest are evicted (then 410). Default 500. */
  maxDeltaTokensPerUser?: number;
  /** Randomness for chaos; pass a seeded generator for reproducible runs. */
  random?: () => number;
  /** System CA bundle written into caBundlePath ahead of the test CA. Default: NODE_EXTRA_CA_CERTS. */
  systemCaBundlePath?: string;
}

/** A running emulator: connection details plus the control API (a person at Outlook, or Microsoft). */
export class MicrosoftEmulator extends Control {
  readonly host = '127.0.0.1';

  constructor(
    /** `https://127.0.0.1:PORT`: the graph client's baseUrl; Graph lives under /v1.0. */
    readonly url: string,
    readonly port: number,
    /** PEM of the test CA that signed the emulator's certificate. */
    readonly caPem: string,
    /** System CAs + test CA in one file, for NODE_EXTRA_CA_CERTS of child processes. */
    readonly caBundlePath: string,
    readonly tenantId: string,
    readonly clientId: string,
    readonly clientSecret: string,
    /** The emulator's own key and certificate (valid for 127.0.0.1/localhost), for https receivers. */
    readonly serverTls: { key: string; cert: string },
    controlDeps: ConstructorParameters<typeof Control>[0],
    private readonly shutdown: () => Promise<void>,
  ) {
    super(controlDeps);
  }

  /** The v2.0 token endpoint; `tenant` defaults to the emulator's tenant id. */
  tokenUrl(tenant = this.tenantId): string {
    return `${this.url}/${tenant}/oauth2/v2.0/token`;
  }

  authorizeUrl(tenant = this.tenantId): string {
    return `${this.url}/${tenant}/oauth2/v2.0/authorize`;
  }

  /** Base of the HTTP control API (`POST {controlUrl}/cancelOccurrence` …). */
  get controlUrl(): string {
    return `${this.url}/_emulator`;
  }

  /** Makes this process's global fetch trust the test CA; returns the undo function. */
  trustInThisProcess(opts: { oneContext?: boolean } = {}): () => void {
    return trustCaInThisProcess(this.caPem, opts);
  }

  close(): Promise<void> {
    return this.shutdown();
  }
}

export async function startMicrosoftEmulator(opts: MicrosoftEmulatorOptions = {}): Promise<MicrosoftEmulator> {
  const now = opts.now ?? (() => new Date());
  const random = opts.random ?? Math.random;
  const certs = await makeTestCertificates();
  const dir = await mkdtemp(join(tmpdir(), 'cadence-ms-emulator-'));
  const caBundlePath = await writeCaBundle(dir, certs.caPem, opts.systemCaBundlePath ?? process.env.NODE_EXTRA_CA_CERTS);
  const app = { tenantId: randomUUID(), clientId: randomUUID(), clientSecret: randomBytes(30).toString('base64url') };

  let url = '';
  const baseUrl = () => url;
  // a `$batch` call's requests go through the same app again, over plain HTTP on a loopback port of
  // its own: TLS for each of them cost the emulator more than the requests themselves
  let replayUrl = '';
  const faults = new Faults(now, random);
  const outbound = new Outbound(certs.caPem);
  const notifier = new Notifier(outbound, {
    retryDelaysMs: opts.notificationRetryDelaysMs ?? [200, 500, 1000],
    timeoutMs: opts.notificationTimeoutMs ?? 3000,
    dropRate: () => faults.chaos.notificationDropRate,
    random,
    now,
  });
  // The calendar reports changes; subscriptions (built after it) turn them into notifications.
  let onChanges: (changes: EventChange[]) => void = () => undefined;
  const calendar = new Calendar(now, (changes) => onChanges(changes));
  const identity = new Identity(calendar, app, now);
  const subscriptions = new Subscriptions(calendar, outbound, notifier, {
    tenantId: app.tenantId,
    now,
    validationTimeoutMs: opts.validationTimeoutMs ?? 10_000,
    maxSubscriptionMinutes: opts.maxSubscriptionMinutes ?? 4230,
  });
  onChanges = (changes) => subscriptions.onChanges(changes);
  const delta = new DeltaTracker(calendar, baseUrl, {
    defaultPageSize: opts.deltaPageSize ?? 10,
    maxTokensPerUser: opts.maxDeltaTokensPerUser ?? 500,
  });
  const control = new Control({ calendar, identity, delta, subscriptions, faults, notifier, caPem: certs.caPem });

  const web = express();
  web.disable('x-powered-by');
  web.set('etag', false);
  web.use('/_emulator', controlRouter(control, certs.caPem));
  web.use(faults.logger());
  web.use(identity.router());
  web.use(
    '/v1.0',
    graphRouter({ calendar, identity, delta, subscriptions, faults, outbound, baseUrl, replayUrl: () => replayUrl }),
  );
  web.use((req) => {
    throw new GraphError(404, 'NotFound', `No route for ${req.method} ${req.path} in the Microsoft emulator.`);
  });
  web.use(errorHandler(now));

  const server: Server = createServer({ key: certs.serverKeyPem, cert: certs.serverCertPem }, web);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  url = `https://127.0.0.1:${port}`;
  const replay = createHttpServer(web);
  await new Promise<void>((resolve, reject) => {
    replay.once('error', reject);
    replay.listen(0, '127.0.0.1', () => resolve());
  });
  replayUrl = `http://127.0.0.1:${(replay.address() as AddressInfo).port}`;

  let closed: Promise<void> | undefined;
  const shutdown = () =>
    (closed ??= (async () => {
      await Promise.all(
        [server, replay].map(
          (srv) =>
            new Promise<void>((resolve) => {
              srv.close(() => resolve());
              srv.closeAllConnections();
            }),
        ),
      );
      await outbound.close();
      await rm(dir, { recursive: true, force: true });
    })());

  const deps = { calendar, identity, delta, subscriptions, faults, notifier, caPem: certs.caPem };
  return new MicrosoftEmulator(
    url,
    port,
    certs.caPem,
    caBundlePath,
    app.tenantId,
    app.clientId,
    app.clientSecret,
    { key: certs.serverKeyPem, cert: certs.serverCertPem },
    deps,
    shutdown,
  );
}
