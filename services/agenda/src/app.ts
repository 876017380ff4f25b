import { randomBytes } from 'node:crypto';
import type { Express, Request } from 'express';
import type { Connection } from 'mongoose';
import { SchedulingClients } from '@cadence/shared/clients/scheduling';
import { pingDatabase } from '@cadence/shared/db';
import {
  ApiRouter,
  createOpenApiRegistry,
  createServiceApp,
  finishServiceApp,
  openApiDocument,
  type MetricsRegistry,
} from '@cadence/shared/http';
import type { Logger } from '@cadence/shared/logging';
import { agendaRoutes } from './agendas/routes.js';
import { AgendaService } from './agendas/service.js';
import { authenticate } from './auth/authenticate.js';
import { ApiKeyCache } from './auth/key-cache.js';
import { agendaModels, type AgendaContext } from './context.js';
import { homeworkRoutes } from './homework/routes.js';
import { HomeworkService } from './homework/service.js';
import { linkRoutes } from './links/routes.js';
import { reportRoutes } from './reports/routes.js';
import { ReportService } from './reports/service.js';
import { LinkService } from './links/service.js';
import { CsrfGuard } from './pages/csrf.js';
import { KeyedLock } from '@cadence/shared/process';
import { agendaPages } from './pages/routes.js';
import { templateRoutes } from './templates/routes.js';
import { ReadCache } from '@cadence/shared/cache/read-cache';
import { TemplateService } from './templates/service.js';

export interface AgendaDeps {
  conn: Connection;
  logger: Logger;
  metrics: MetricsRegistry;
  /** Base URL of the scheduling API. */
  schedulingUrl?: string | undefined;
  /** Shared secret for service-to-service calls; without it agenda pages and the overdue sweep cannot work. */
  internalToken?: string | undefined;
  /** Base of the agenda links handed out; default: the request's own origin. */
  publicUrl?: string | undefined;
  /** Keys the pages' CSRF tokens; default: random per process (fine for one replica). */
  csrfSecret?: string | undefined;
  apiKeyCacheTtlMs?: number | undefined;
  /** How long agenda reads (scheduling's answers, agendas, homework) are reused (0: never, the default). */
  readCacheTtlMs?: number | undefined;
  /** Reports flag pairs and managers below this adherence percentage (default 80). */
  reportThreshold?: number | undefined;
  /** How long what a report read is reused for the same organization, range and filter (0: never, the default). */
  reportCacheMs?: number | undefined;
  now?: () => Date;
}

export interface AgendaApp {
  app: Express;
  ctx: AgendaContext;
}

/** The agenda service: every component wired from injected dependencies (tests use it directly). */
export function createAgendaApp(deps: AgendaDeps): AgendaApp {
  const ctx: AgendaContext = {
    models: agendaModels(deps.conn),
    logger: deps.logger,
    now: deps.now ?? (() => new Date()),
    scheduling: new SchedulingClients(deps.schedulingUrl ?? 'http://127.0.0.1:3001', deps.internalToken),
    writes: new KeyedLock(),
  };
  const publicUrl = (req: Request) => deps.publicUrl ?? `${req.protocol}://${req.get('host')}`;
  const templates = new TemplateService(ctx);
  const reads = new ReadCache(deps.readCacheTtlMs ?? 0);
  const homework = new HomeworkService(ctx, reads);
  const agendas = new AgendaService(ctx, templates, homework, reads);
  const links = new LinkService(ctx);
  const csrf = new CsrfGuard(deps.csrfSecret ?? randomBytes(32).toString('base64url'), (req) =>
    publicUrl(req).startsWith('https:'),
  );

  const registry = createOpenApiRegistry();
  const api = new ApiRouter(registry, authenticate(ctx.scheduling, new ApiKeyCache(deps.apiKeyCacheTtlMs ?? 30_000)));
  templateRoutes(api, templates);
  agendaRoutes(api, ctx, agendas);
  homeworkRoutes(api, ctx, homework);
  linkRoutes(api, ctx, links, publicUrl, deps.internalToken);
  reportRoutes(api, new ReportService(ctx, deps.reportThreshold ?? 80, deps.reportCacheMs ?? 0));

  const app = createServiceApp({ logger: deps.logger, metrics: deps.metrics, ping: () => pingDatabase(deps.conn) });
  const document = openApiDocument(registry, {
    title: 'Cadence agenda API',
    version: '1.0.0',
    description: 'Agenda templates, occurrence agendas, homework and the agenda links carried by every invite.',
  });
  app.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.use(agendaPages({ ctx, links, agendas, homework, csrf }));
  app.use(api.router);
  finishServiceApp(app, deps.logger);
  return { app, ctx };
}

/** The bare Express app, for callers that only need HTTP. */
export function createApp(deps: AgendaDeps): Express {
  return createAgendaApp(deps).app;
}
