import type { Express, Request } from 'express';
import type { Connection } from 'mongoose';
import { SecretBox, developmentSecretsKey } from '@cadence/shared/crypto';
import { pingDatabase } from '@cadence/shared/db';
import {
  ApiRouter,
  createOpenApiRegistry,
  createServiceApp,
  finishServiceApp,
  openApiDocument,
  type MetricsRegistry,
} from '@cadence/shared/http';
import { AgendaLinkClient } from '@cadence/shared/clients/agenda';
import type { Logger } from '@cadence/shared/logging';
import { KeyedLock } from '@cadence/shared/process';
import type { GoogleSettings } from './calendars/google/client.js';
import { googleIntegration, type GoogleIntegration } from './calendars/google/integration.js';
import { microsoftIntegration, type MicrosoftIntegration } from './calendars/microsoft/integration.js';
import type { MicrosoftSettings } from './calendars/microsoft/settings.js';
import { LocalCalendarActions } from './calendars/local/actions.js';
import { LocalCalendarProvider } from './calendars/local/provider.js';
import { feedRoute, localCalendarRoutes } from './calendars/local/routes.js';
import { CalendarProviders } from './calendars/provider.js';
import type { CadenceRules } from '@cadence/shared/contracts/scheduling';
import { ChangePipeline } from './changes/pipeline.js';
import { schedulingModels, type SchedulingContext } from './context.js';
import type { OAuthProvider } from './connections/oauth-provider.js';
import { connectionCallback, connectionRoutes } from './connections/routes.js';
import { ConnectionService } from './connections/service.js';
import { excuseRoutes } from './excuses/routes.js';
import { internalRoutes } from './internal/routes.js';
import { occurrenceRoutes } from './occurrences/routes.js';
import { OccurrenceService } from './occurrences/service.js';
import { authenticate } from './organizations/authenticate.js';
import { organizationRoutes } from './organizations/routes.js';
import { peopleRoutes } from './people/routes.js';
import { seriesRoutes } from './series/routes.js';
import { SeriesService } from './series/service.js';
import { SyncScheduler, type CalendarSyncer } from './sync/scheduler.js';
import { WebhookComponent } from './webhooks/component.js';
import { defaultWebhookSettings, type WebhookSettings } from './webhooks/settings.js';
import type { Resolver } from './webhooks/target-guard.js';

export interface SchedulingDeps {
  conn: Connection;
  logger: Logger;
  metrics: MetricsRegistry;
  /** Base URL for links handed out (feeds); default: the request's own origin. */
  publicUrl?: string | undefined;
  now?: () => Date;
  /** Shared secret for service-to-service calls (the agenda service). */
  internalToken?: string | undefined;
  /** Webhook delivery settings (retry schedule, limits, target rules); unset ones take production defaults. */
  webhooks?: Partial<WebhookSettings>;
  /** Encrypts secrets at rest (32 bytes); default: the development key. */
  secretsKey?: Buffer;
  /** DNS for the webhook target guard (tests substitute one). */
  resolver?: Resolver;
  /** The agenda service's base URL; with the internal token, new series get their agenda link. */
  agendaUrl?: string | (() => string) | undefined;
  /** Google Calendar (client id and secret set); absent: no Google. */
  google?: GoogleSettings | undefined;
  /** Outlook through Microsoft Graph (client id and secret set); absent: no Microsoft. */
  microsoft?: MicrosoftSettings | undefined;
  /** Sync machinery shared by the calendar providers. */
  sync?: { pollMs: number; leaseMs: number; concurrency?: number };
  /** When streak events are raised; default: a miss after 4 held weeks (STREAK_BROKEN_MIN_WEEKS). */
  cadence?: CadenceRules | undefined;
}

export interface SchedulingApp {
  app: Express;
  ctx: SchedulingContext;
  pipeline: ChangePipeline;
  providers: CalendarProviders;
  webhooks: WebhookComponent;
  sync: SyncScheduler;
  connections: ConnectionService;
  google: GoogleIntegration | undefined;
  microsoft: MicrosoftIntegration | undefined;
}

/** The scheduling service: every component wired from injected dependencies (tests use it directly). */
export function createSchedulingApp(deps: SchedulingDeps): SchedulingApp {
  const ctx: SchedulingContext = {
    models: schedulingModels(deps.conn),
    locks: new KeyedLock(),
    logger: deps.logger,
    now: deps.now ?? (() => new Date()),
  };
  const providers = new CalendarProviders().register(
    new LocalCalendarProvider(ctx.models.LocalEvents, ctx.models.Journal, ctx.now),
  );
  const pipeline = new ChangePipeline(ctx, providers, deps.cadence);
  const secrets = new SecretBox(deps.secretsKey ?? developmentSecretsKey());
  const webhooks = new WebhookComponent({
    conn: deps.conn,
    ctx,
    settings: { ...defaultWebhookSettings, ...deps.webhooks },
    secretBox: secrets,
    ...(deps.resolver ? { resolver: deps.resolver } : {}),
  });
  // calendar accounts: consent, sealed tokens, and one sync at a time per connected calendar
  const syncers = new Map<string, CalendarSyncer>();
  const oauthProviders = new Map<string, OAuthProvider>();
  const connections = new ConnectionService(ctx, oauthProviders, secrets);
  const sync = new SyncScheduler(ctx.models.SyncStates, ctx.models.Connections, syncers, ctx.logger, ctx.now, {
    pollMs: deps.sync?.pollMs ?? 1000,
    leaseMs: deps.sync?.leaseMs ?? 60_000,
    ...(deps.sync?.concurrency ? { concurrency: deps.sync.concurrency } : {}),
    onReauthRequired: (connection, reason) => connections.reauthRequired(connection, reason),
  });
  const google = deps.google ? googleIntegration(deps.google, ctx, pipeline, sync, secrets) : undefined;
  if (google) {
    providers.register(google.provider);
    syncers.set('google', google.syncer);
    oauthProviders.set('google', google.oauth);
  }
  const microsoft = deps.microsoft ? microsoftIntegration(deps.microsoft, ctx, pipeline, sync, secrets) : undefined;
  if (microsoft) {
    providers.register(microsoft.provider);
    syncers.set('microsoft', microsoft.syncer);
    oauthProviders.set('microsoft', microsoft.oauth);
  }
  const publicUrl = (req: Request) => deps.publicUrl ?? `${req.protocol}://${req.get('host')}`;

  const registry = createOpenApiRegistry();
  const api = new ApiRouter(registry, authenticate(ctx.models, deps.internalToken));
  organizationRoutes(api, ctx.models);
  peopleRoutes(api, ctx, publicUrl);
  seriesRoutes(
    api,
    new SeriesService(
      ctx,
      providers,
      deps.agendaUrl && deps.internalToken ? new AgendaLinkClient(deps.agendaUrl, deps.internalToken) : undefined,
    ),
  );
  occurrenceRoutes(api, new OccurrenceService(ctx), pipeline);
  excuseRoutes(api, ctx);
  localCalendarRoutes(api, ctx, new LocalCalendarActions(ctx, pipeline));
  webhooks.routes(api);
  internalRoutes(api, ctx, deps.internalToken);
  connectionRoutes(api, ctx, connections);
  connectionCallback(api, connections);

  const app = createServiceApp({ logger: deps.logger, metrics: deps.metrics, ping: () => pingDatabase(deps.conn) });
  const document = openApiDocument(registry, {
    title: 'Cadence scheduling API',
    version: '1.0.0',
    description: 'Protected weekly one-on-ones: people, series, occurrences, excuses, the local calendar and signed webhooks.',
  });
  app.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  feedRoute(app, ctx);
  google?.hooks(app);
  microsoft?.hooks(app);
  app.use(api.router);
  finishServiceApp(app, deps.logger);
  return { app, ctx, pipeline, providers, webhooks, sync, connections, google, microsoft };
}

/** The bare Express app, for callers that only need HTTP. */
export function createApp(deps: SchedulingDeps): Express {
  return createSchedulingApp(deps).app;
}
