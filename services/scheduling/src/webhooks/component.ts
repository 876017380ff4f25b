import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Connection } from 'mongoose';
import type { SecretBox } from '@cadence/shared/crypto';
import type { ApiRouter } from '@cadence/shared/http';
import type { Stoppable } from '@cadence/shared/process';
import type { SchedulingContext } from '../context.js';
import { onOutboxWritten } from '../outbox/written.js';
import { Claims } from './claims.js';
import { FanOut } from './fan-out.js';
import { LeaseLock } from './lease-lock.js';
import { webhookModels, type WebhookModels } from './models.js';
import { pump, type Pump } from './pump.js';
import { DeliveryRecorder } from './record.js';
import { webhookRoutes } from './routes.js';
import { SigningSecrets } from './secrets.js';
import { Sender } from './sender.js';
import { WebhookService } from './service.js';
import type { WebhookSettings } from './settings.js';
import { TargetGuard, type Resolver } from './target-guard.js';

export interface WebhookComponentDeps {
  conn: Connection;
  ctx: SchedulingContext;
  settings: WebhookSettings;
  secretBox: SecretBox;
  /** Wall clock for deliveries (default: real time; signatures carry it). */
  clock?: () => Date;
  /** DNS for the SSRF guard (tests substitute one). */
  resolver?: Resolver;
}

export interface WebhookWorkers extends Stoppable {
  fanOut: Pump;
  sender: Pump;
}

/** The webhooks capability: models, API, and the fan-out and sending workers (started separately). */
export class WebhookComponent {
  readonly models: WebhookModels;
  readonly service: WebhookService;
  private readonly guard: TargetGuard;
  private readonly signing: SigningSecrets;
  private readonly recorder: DeliveryRecorder;
  private readonly clock: () => Date;
  private workers: WebhookWorkers | undefined;

  constructor(private readonly deps: WebhookComponentDeps) {
    this.models = webhookModels(deps.conn);
    this.clock = deps.clock ?? (() => new Date());
    this.guard = new TargetGuard(deps.settings, deps.resolver);
    this.signing = new SigningSecrets(deps.secretBox);
    this.recorder = new DeliveryRecorder(this.models, deps.settings.disableAfterMs);
    this.service = new WebhookService(deps.ctx, this.models, this.signing, this.guard, this.recorder, this.clock, () =>
      this.workers?.sender.kick(),
    );
  }

  routes(api: ApiRouter): void {
    webhookRoutes(api, this.service);
  }

  /** Starts fan-out and sending in this process; safe on any number of replicas. */
  start(): WebhookWorkers {
    if (this.workers) return this.workers;
    const { ctx, settings } = this.deps;
    const owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    const claims = new Claims(this.models.Claims, owner, settings.leaseMs, this.clock);
    const sender = new Sender(this.models, claims, settings, this.signing, this.guard, this.recorder, ctx.logger, this.clock);
    const sending = pump('webhook-sender', settings.pollIntervalMs, () => sender.tick(), ctx.logger);
    const lock = new LeaseLock(claims, 'webhook-fan-out');
    const fanOut = new FanOut(ctx.models, this.models, lock, ctx.logger, this.clock, () => sending.kick());
    const fanning = pump('webhook-fan-out', settings.pollIntervalMs, () => fanOut.tick(), ctx.logger, settings.fanOutGapMs);
    sender.onSettled = () => sending.kick();
    const unlisten = onOutboxWritten(ctx.models.Outbox.db, () => fanning.kick());
    // other replicas' events reach the holder only through the database
    const holderPoll = setInterval(() => {
      if (lock.holds()) fanning.kick();
    }, settings.fanOutPollMs);
    holderPoll.unref();
    const workers: WebhookWorkers = {
      fanOut: fanning,
      sender: sending,
      stop: async () => {
        unlisten();
        clearInterval(holderPoll);
        await fanning.stop();
        // best effort: with the database unreachable the lease simply runs out, and sending must still stop
        await fanOut.release().catch((err: unknown) => ctx.logger.warn({ err }, 'could not release the fan-out lock'));
        await sending.stop();
        await sender.stop();
        this.workers = undefined;
      },
    };
    this.workers = workers;
    fanning.kick();
    return workers;
  }
}
