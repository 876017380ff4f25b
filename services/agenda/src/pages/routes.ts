import express, { Router, type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import type { OccurrenceView, SchedulingClient } from '@cadence/shared/clients/scheduling';
import { badRequest, HttpProblem, notFound, problemFromZod, toProblem } from '@cadence/shared/http';
import { contextLogger } from '@cadence/shared/logging';
import { localDateSchema, occurrenceKeySchema } from '@cadence/shared/time';
import type { AgendaService, OccurrenceScope } from '../agendas/service.js';
import { toAgendaView } from '../agendas/view.js';
import type { AgendaContext } from '../context.js';
import type { HomeworkService } from '../homework/service.js';
import type { LinkService, ResolvedLink } from '../links/service.js';
import { currentOrNext, neighbours, onLocalDate } from '../occurrences/lookup.js';
import type { CsrfGuard } from './csrf.js';
import { localDueToInstant, pageForm, type PageForm } from './forms.js';
import { agendaPage, messagePage } from './render.js';
import { AGENDA_CSS_HASH } from './styles.js';

export interface PageDeps {
  ctx: AgendaContext;
  links: LinkService;
  agendas: AgendaService;
  homework: HomeworkService;
  csrf: CsrfGuard;
}

const pageActor = { role: null, via: 'agenda-page' as const };

/** Capability pages must not leak their URL (Referer), be cached, framed, indexed, or run scripts. */
const securityHeaders: RequestHandler = (_req, res, next) => {
  res.set({
    'Content-Security-Policy': `default-src 'none'; style-src '${AGENDA_CSS_HASH}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'X-Robots-Tag': 'noindex, nofollow',
    'Cache-Control': 'no-store',
  });
  next();
};

const wantsJson = (req: Request) => req.accepts(['html', 'json']) === 'json';

/**
 * `/a/<token>`: the agenda page of the series' current or next occurrence; `/a/<token>/<key>` and
 * `/a/<token>/<YYYY-MM-DD>` (a local date in the series' zone) open one occurrence. Link holders
 * have no API key, so the scheduling service is asked with the internal credential for the link's
 * organization. Forms post back to the same URL and are answered with a 303 to it.
 */
export function agendaPages(deps: PageDeps): Router {
  const { ctx, links, agendas, homework, csrf } = deps;
  const router = Router();
  router.use('/a', securityHeaders, express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 50 }));

  const resolve = async (token: string): Promise<ResolvedLink> => {
    const link = await links.resolve(token);
    if (!link) throw notFound('This agenda link is not valid. It may have been revoked; ask for the current link.');
    return link;
  };

  const pick = async (scheduling: SchedulingClient, link: ResolvedLink, which: string | undefined) => {
    let occurrence: OccurrenceView | undefined;
    if (which === undefined) occurrence = await currentOrNext(scheduling, link.seriesId, ctx.now());
    else if (localDateSchema.safeParse(which).success) occurrence = await onLocalDate(scheduling, link.seriesId, which);
    else if (occurrenceKeySchema.safeParse(which).success) occurrence = await scheduling.occurrence(link.seriesId, which);
    if (!occurrence) throw notFound(which ? `This series has no meeting on ${which}.` : 'This series has no meetings to show.');
    return occurrence;
  };

  const show = async (req: Request, res: Response) => {
    const { token, which } = req.params as { token: string; which?: string };
    const link = await resolve(token);
    const scheduling = ctx.scheduling.internal(link.organizationId);
    const occurrence = await pick(scheduling, link, which);
    const scope: OccurrenceScope = {
      organizationId: link.organizationId,
      scheduling,
      seriesId: link.seriesId,
      key: occurrence.key,
    };
    const [bundle, nav] = await Promise.all([agendas.load(scope, occurrence), neighbours(scheduling, occurrence)]);
    const view = toAgendaView(bundle, ctx.now());
    if (wantsJson(req)) return res.json(view);
    res.type('html').send(
      agendaPage({
        view,
        series: bundle.series,
        action: req.originalUrl.split('?')[0]!,
        csrf: csrf.fieldFor(req, res, link.tokenHash),
        linkBase: `/a/${token}`,
        ...nav,
        now: ctx.now(),
      }),
    );
  };

  const post = async (req: Request, res: Response) => {
    const link = await resolve((req.params as { token: string }).token);
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (!csrf.verify(req, link.tokenHash, body['csrf'])) {
      throw new HttpProblem(403, {
        detail: 'This form has expired or did not come from the agenda page. Reload the page and try again.',
      });
    }
    const parsed = pageForm.safeParse(body);
    if (!parsed.success) throw problemFromZod(parsed.error, 'body');
    const scheduling = ctx.scheduling.internal(link.organizationId);
    const scope: OccurrenceScope = {
      organizationId: link.organizationId,
      scheduling,
      seriesId: link.seriesId,
      key: parsed.data.occurrence,
    };
    await apply(scope, link, parsed.data);
    res.redirect(303, req.originalUrl.split('?')[0]!);
  };

  const apply = async (scope: OccurrenceScope, link: ResolvedLink, form: PageForm) => {
    switch (form.intent) {
      case 'cover':
        return agendas.update(scope, { items: [{ id: form.item, covered: form.covered === 'true' }] });
      case 'item-note':
        return agendas.update(scope, { items: [{ id: form.item, note: form.note }] });
      case 'notes':
        return agendas.update(scope, { notes: form.notes });
      case 'figures': {
        const { calls, meetings, dealsClosed, pipelineAmount, forecastAmount } = form;
        return agendas.update(scope, { figures: { calls, meetings, dealsClosed, pipelineAmount, forecastAmount } });
      }
      case 'homework-add': {
        const { occurrence } = await agendas.occurrence(scope);
        const due = localDueToInstant(form.due, occurrence.timeZone);
        if (form.due && !due)
          throw badRequest('Invalid body: due.', [{ location: 'body', field: 'due', message: 'must be a real date and time' }]);
        const input = { title: form.title, details: form.details, owner: form.owner, due };
        return homework.assign(scope.organizationId, scope.scheduling, occurrence, input, pageActor);
      }
      case 'homework-status': {
        const item = await homework.get(scope.organizationId, form.homework);
        if (item.seriesId !== link.seriesId) throw notFound(`No homework ${form.homework} in this series.`);
        const { occurrence } = await agendas.occurrence(scope);
        agendas.assertWritable(occurrence);
        const input = { status: form.status, ...(form.changedBy ? { changedBy: form.changedBy } : {}) };
        return homework.update(scope.organizationId, form.homework, input, {
          actor: pageActor,
          occurrenceKey: occurrence.key,
          scheduling: scope.scheduling,
        });
      }
    }
  };

  router.get('/a/:token', show);
  router.get('/a/:token/:which', show);
  router.post('/a/:token', post);
  router.post('/a/:token/:which', post);

  /** Browsers get an HTML page for errors; JSON clients fall through to problem+json. */
  const pageErrors: ErrorRequestHandler = (err, req, res, next) => {
    if (wantsJson(req) || res.headersSent) return next(err);
    const problem = toProblem(err);
    if (!problem || problem.status >= 500) contextLogger(ctx.logger).error({ err }, 'agenda page failed');
    const status = problem?.status ?? 500;
    const detail =
      status === 400 && problem?.errors?.length
        ? problem.errors.map((e) => `${e.field || 'form'}: ${e.message}`).join('; ')
        : (problem?.detail ?? 'Something went wrong on our side; it has been logged.');
    const back = status !== 404 && req.method === 'POST' ? req.originalUrl.split('?')[0] : undefined;
    res
      .status(status)
      .type('html')
      .send(messagePage(status, problem?.title ?? 'Error', detail, back));
  };
  router.use('/a', pageErrors);
  return router;
}
