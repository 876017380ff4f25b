import express, { type NextFunction, type Request, type Response } from 'express';
import { errors, GoogleApiError } from './errors.js';
import { asBody } from './event-input.js';
import { deleteTarget, find, insertEvent, patchTarget, updateTarget, type OpsContext } from './event-ops.js';
import { etagOf, renderEvent, renderInstance } from './event-render.js';
import type { CalendarState } from './model.js';
import type { Notifier } from './notifications.js';
import type { AccessGrant, OAuthService } from './oauth.js';
import { listEvents, listInstances } from './queries.js';
import { QueryParams } from './query-params.js';
import { lookup, type Lookup } from './series.js';
import type { CalendarStore } from './store.js';

/** The Calendar v3 surface Cadence uses, under `/calendar/v3`. */

export interface ApiDeps {
  store: CalendarStore;
  oauth: OAuthService;
  notifier: Notifier;
  horizonMs: number;
  rootUrl: () => string;
  /** bugs in the emulator answer 500 backendError and are reported here, so tests can see them */
  onInternalError: (error: unknown) => void;
}

type Handler = (req: Request, res: Response) => void;

export function apiRouter(deps: ApiDeps): express.Router {
  const router = express.Router();
  router.use(express.json({ limit: '1mb' }));

  const authorize = (req: Request, write: boolean): { grant: AccessGrant; calendar: CalendarState } => {
    const grant = deps.oauth.authenticate(req.get('authorization'), write);
    const param = String(req.params.calendarId ?? '');
    const id = param === 'primary' ? grant.email : param.toLowerCase();
    const calendar = deps.store.get(id);
    // calendars the user cannot see do not exist, as far as Google says
    if (!calendar || calendar.owner !== grant.email) throw errors.notFound();
    return { grant, calendar };
  };
  const ops = (calendar: CalendarState): OpsContext => ({ store: deps.store, calendar, etag: etagOf });
  const zoneOf = (req: Request, calendar: CalendarState) => new QueryParams(req.query).zone('timeZone') ?? calendar.timeZone;
  const render = (calendar: CalendarState, found: Lookup, zone: string) =>
    found.kind === 'event'
      ? renderEvent(calendar, found.event, { zone, minimalCancelled: false })
      : renderInstance(calendar, found.ref, { zone, minimalCancelled: false });
  const queryContext = (calendar: CalendarState) => ({ calendar, now: deps.store.now(), horizonMs: deps.horizonMs });
  const eventId = (req: Request) => String(req.params.eventId ?? '');

  const handle =
    (fn: Handler) =>
    (req: Request, res: Response, next: NextFunction): void => {
      try {
        fn(req, res);
      } catch (e) {
        next(e);
      }
    };

  router.post(
    '/calendars/:calendarId/events/watch',
    handle((req, res) => {
      const { grant, calendar } = authorize(req, false);
      const channel = deps.notifier.watch(calendar, String(req.params.calendarId), deps.rootUrl(), grant, asBody(req.body));
      res.json({
        kind: 'api#channel',
        id: channel.id,
        resourceId: channel.resourceId,
        resourceUri: channel.resourceUri,
        ...(channel.token !== undefined ? { token: channel.token } : {}),
        expiration: String(channel.expiration),
      });
    }),
  );

  router.post(
    '/calendars/:calendarId/events',
    handle((req, res) => {
      const { calendar } = authorize(req, true);
      checkSendUpdates(req);
      const event = insertEvent(ops(calendar), req.body);
      res.json(renderEvent(calendar, event, { zone: calendar.timeZone, minimalCancelled: false }));
    }),
  );

  router.get(
    '/calendars/:calendarId/events',
    handle((req, res) => {
      const { calendar } = authorize(req, false);
      res.json(listEvents(queryContext(calendar), new QueryParams(req.query)));
    }),
  );

  router.get(
    '/calendars/:calendarId/events/:eventId/instances',
    handle((req, res) => {
      const { calendar } = authorize(req, false);
      const found = lookup(calendar, eventId(req));
      // instances of an instance are not a thing: only series (and single events) answer
      if (!found || found.kind !== 'event') throw errors.notFound();
      res.json(listInstances(queryContext(calendar), found.event, new QueryParams(req.query)));
    }),
  );

  router.get(
    '/calendars/:calendarId/events/:eventId',
    handle((req, res) => {
      const { calendar } = authorize(req, false);
      // cancelled events are still returned by get, with status "cancelled"
      res.json(render(calendar, find(calendar, eventId(req)), zoneOf(req, calendar)));
    }),
  );

  const mutate = (kind: 'patch' | 'put') =>
    handle((req, res) => {
      const { calendar } = authorize(req, true);
      checkSendUpdates(req);
      const target = find(calendar, eventId(req));
      const ifMatch = req.get('if-match');
      if (kind === 'patch') patchTarget(ops(calendar), target, req.body, ifMatch);
      else updateTarget(ops(calendar), target, req.body, ifMatch);
      res.json(render(calendar, find(calendar, eventId(req)), zoneOf(req, calendar)));
    });
  router.patch('/calendars/:calendarId/events/:eventId', mutate('patch'));
  router.put('/calendars/:calendarId/events/:eventId', mutate('put'));

  router.delete(
    '/calendars/:calendarId/events/:eventId',
    handle((req, res) => {
      const { calendar } = authorize(req, true);
      checkSendUpdates(req);
      deleteTarget(ops(calendar), find(calendar, eventId(req)), req.get('if-match'));
      res.status(204).end();
    }),
  );

  router.post(
    '/channels/stop',
    handle((req, res) => {
      const grant = deps.oauth.authenticate(req.get('authorization'), false);
      deps.notifier.stop(asBody(req.body), grant);
      res.status(204).end();
    }),
  );

  router.use(() => {
    throw errors.notFound();
  });
  router.use(googleErrorHandler(deps.onInternalError));
  return router;
}

function checkSendUpdates(req: Request): void {
  const value = new QueryParams(req.query).string('sendUpdates');
  if (value !== undefined && !['all', 'externalOnly', 'none'].includes(value))
    throw errors.invalid(`Invalid value for: sendUpdates`, 'sendUpdates');
}

/** Every failure leaves as Google's JSON error body. */
export function googleErrorHandler(onInternalError: (error: unknown) => void) {
  return (error: unknown, _req: Request, res: Response, _next: NextFunction): void => {
    let apiError: GoogleApiError;
    if (error instanceof GoogleApiError) apiError = error;
    else if (isBodyParseError(error)) apiError = errors.parseError();
    else {
      apiError = errors.backendError();
      onInternalError(error);
    }
    res.set(apiError.headers).status(apiError.status).json(apiError.body());
  };
}

function isBodyParseError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { type?: string }).type === 'entity.parse.failed';
}
