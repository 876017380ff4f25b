import { randomUUID } from 'node:crypto';
import express from 'express';
import type { Request, Response, Router } from 'express';
import { batchHandler } from './batch.js';
import type { Calendar } from './calendar.js';
import type { DeltaTracker } from './delta.js';
import { badRequest, GraphError } from './errors.js';
import { parseEventInput } from './event-input.js';
import type { Faults } from './faults.js';
import type { Identity, Principal } from './identity.js';
import type { StoredEvent } from './model.js';
import type { Outbound } from './outbound.js';
import { expandedExtendedIds, hasQueryParam, paging, parseEventFilter, parseSelect, preferences, queryParam } from './odata.js';
import type { RenderOptions } from './representation.js';
import { renderEvent } from './representation.js';
import type { Subscription, Subscriptions } from './subscriptions.js';
import { graphTimestamp, parseQueryDateTime, resolveZone } from './time.js';

export interface GraphDeps {
  calendar: Calendar;
  identity: Identity;
  delta: DeltaTracker;
  subscriptions: Subscriptions;
  faults: Faults;
  /** Sends a batch's requests through the emulator again. */
  outbound: Outbound;
  baseUrl: () => string;
  /** Where a batch's requests are sent through the emulator again (loopback, plain HTTP). */
  replayUrl: () => string;
}

interface Locals {
  principal: Principal;
  userId: string;
}

const locals = (res: Response) => res.locals as Locals;

/** request-id / client-request-id on every answer, as Graph does, so errors can quote them. */
function requestIds(req: Request, res: Response, next: () => void) {
  const id = randomUUID();
  const client = req.headers['client-request-id'];
  res.setHeader('request-id', id);
  res.setHeader('client-request-id', typeof client === 'string' ? client : id);
  res.setHeader(
    'x-ms-ags-diagnostic',
    JSON.stringify({
      ServerInfo: { DataCenter: 'Emulator', Slice: 'E', Ring: '0', ScaleUnit: '000', RoleInstance: 'localhost' },
    }),
  );
  next();
}

function renderOptions(req: Request, res: Response): RenderOptions {
  const { timeZone } = preferences(req);
  if (timeZone) {
    resolveZone(timeZone);
    res.setHeader('Preference-Applied', `outlook.timezone="${timeZone}"`);
  }
  return { timeZone, extendedIds: expandedExtendedIds(req), select: parseSelect(req) };
}

function requiredWindow(req: Request) {
  const start = queryParam(req, 'startDateTime');
  const end = queryParam(req, 'endDateTime');
  if (!start || !end) {
    throw badRequest(
      'ErrorInvalidParameter',
      'This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.',
    );
  }
  return { from: parseQueryDateTime(start, 'startDateTime'), to: parseQueryDateTime(end, 'endDateTime') };
}

function routeParam(req: Request, name: string): string {
  const value = (req.params as Record<string, string | undefined>)[name];
  if (!value) throw badRequest('BadRequest', `Missing ${name}.`);
  return value;
}

export function graphRouter(deps: GraphDeps): Router {
  const { calendar, identity, delta, subscriptions, faults, outbound, baseUrl, replayUrl } = deps;
  const v1 = express.Router({ caseSensitive: false });
  v1.use(requestIds);
  v1.use(faults.injector());
  v1.use((req, res, next) => {
    locals(res).principal = identity.authenticate(req.headers.authorization);
    next();
  });
  v1.use(express.json({ type: ['application/json', 'application/*+json'] }));
  v1.post(/^\/\$batch$/i, batchHandler(outbound, replayUrl));

  /** Next page of a plain collection: the same URL with $skip advanced, written absolute. */
  const nextLink = (req: Request, skip: number) => {
    const [path = '', query = ''] = req.originalUrl.split(/\?(.*)/s);
    const kept = query.split('&').filter((p) => p && !/^(\$|%24)skip=/i.test(p));
    return `${baseUrl()}${path}?${[...kept, `$skip=${skip}`].join('&')}`;
  };

  const page = <T>(req: Request, items: readonly T[], defaultTop = 10) => {
    const { top, skip } = paging(req, defaultTop);
    const slice = items.slice(skip, skip + top);
    return { slice, next: skip + top < items.length ? nextLink(req, skip + top) : undefined };
  };

  const context = (res: Response, suffix: string) => `${baseUrl()}/v1.0/$metadata#users('${locals(res).userId}')/${suffix}`;

  const user = express.Router({ caseSensitive: false, mergeParams: true });
  user.use((req, res, next) => {
    const { principal } = locals(res);
    const ref = (req.params as Record<string, string | undefined>).userRef;
    if (ref === undefined) {
      if (!principal.userId) throw badRequest('BadRequest', '/me request is only valid with delegated authentication flow.');
      locals(res).userId = principal.userId;
    } else {
      const account = calendar.findAccount(ref);
      if (!account) throw new GraphError(404, 'ErrorInvalidUser', `The requested user '${ref}' is invalid.`);
      if (principal.userId && principal.userId !== account.userId) {
        throw new GraphError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
      }
      locals(res).userId = account.userId;
    }
    next();
  });

  user.get('/', (_req, res) => {
    const account = calendar.account(locals(res).userId);
    res.json({
      '@odata.context': `${baseUrl()}/v1.0/$metadata#users/$entity`,
      id: account.userId,
      displayName: account.displayName,
      mail: account.email,
      userPrincipalName: account.email,
    });
  });

  user.get(['/events', '/calendar/events'], (req, res) => {
    const opts = renderOptions(req, res);
    const filter = parseEventFilter(req);
    const events = calendar.listEvents(locals(res).userId).filter((e: StoredEvent) => !filter || filter(e.extendedProperties));
    const { slice, next } = page(req, events);
    res.json({
      '@odata.context': context(res, 'events'),
      ...(next ? { '@odata.nextLink': next } : {}),
      value: slice.map((event) => renderEvent({ kind: 'event', event }, opts)),
    });
  });

  user.post(['/events', '/calendar/events'], (req, res) => {
    const opts = renderOptions(req, res);
    const { event } = calendar.create(locals(res).userId, parseEventInput(req.body));
    // A retried create with the same transactionId answers with the event made the first time.
    res.status(201).json({ '@odata.context': context(res, 'events/$entity'), ...renderEvent({ kind: 'event', event }, opts) });
  });

  user.get(['/events/:id', '/calendar/events/:id'], (req, res) => {
    const opts = renderOptions(req, res);
    const item = calendar.resolve(locals(res).userId, routeParam(req, 'id'));
    res.json({ '@odata.context': context(res, 'events/$entity'), ...renderEvent(item, opts) });
  });

  user.patch(['/events/:id', '/calendar/events/:id'], (req, res) => {
    const opts = renderOptions(req, res);
    const item = calendar.update(locals(res).userId, routeParam(req, 'id'), parseEventInput(req.body));
    res.json({ '@odata.context': context(res, 'events/$entity'), ...renderEvent(item, opts) });
  });

  user.delete(['/events/:id', '/calendar/events/:id'], (req, res) => {
    calendar.delete(locals(res).userId, routeParam(req, 'id'));
    res.status(204).end();
  });

  user.post(['/events/:id/cancel', '/calendar/events/:id/cancel'], (req, res) => {
    const comment = (req.body as { comment?: unknown } | undefined)?.comment;
    if (comment !== undefined && typeof comment !== 'string')
      throw badRequest('RequestBodyRead', "The property 'comment' must be a string.");
    calendar.cancel(locals(res).userId, routeParam(req, 'id'));
    res.status(202).end();
  });

  user.get(['/events/:id/instances', '/calendar/events/:id/instances'], (req, res) => {
    const opts = renderOptions(req, res);
    const { from, to } = requiredWindow(req);
    const master = calendar.resolveMaster(locals(res).userId, routeParam(req, 'id'));
    const { slice, next } = page(req, calendar.instances(master, from, to));
    res.json({
      '@odata.context': `${baseUrl()}/v1.0/$metadata#Collection(event)`,
      ...(next ? { '@odata.nextLink': next } : {}),
      value: slice.map((i) => renderEvent(i, opts)),
    });
  });

  user.get(['/calendarView/delta', '/calendar/calendarView/delta'], (req, res) => {
    const unsupported = ['$select', '$expand', '$filter', '$orderby', '$search'].filter((p) => hasQueryParam(req, p));
    if (unsupported.length > 0) {
      throw badRequest(
        'ErrorInvalidUrlQuery',
        `The following parameters are not supported with change tracking over the 'Events' resource: '${unsupported.join(', ')}'.`,
      );
    }
    const prefs = preferences(req);
    if (prefs.timeZone) resolveZone(prefs.timeZone);
    const start = queryParam(req, 'startDateTime');
    const end = queryParam(req, 'endDateTime');
    const result = delta.page({
      userId: locals(res).userId,
      path: req.originalUrl.split('?')[0] ?? '',
      skipToken: queryParam(req, '$skiptoken'),
      deltaToken: queryParam(req, '$deltatoken'),
      startDateTime: start ? parseQueryDateTime(start, 'startDateTime') : undefined,
      endDateTime: end ? parseQueryDateTime(end, 'endDateTime') : undefined,
      timeZone: prefs.timeZone,
      maxPageSize: prefs.maxPageSize,
    });
    if (prefs.maxPageSize) res.setHeader('Preference-Applied', `odata.maxpagesize=${prefs.maxPageSize}`);
    res.json({
      '@odata.context': `${baseUrl()}/v1.0/$metadata#Collection(event)`,
      ...(result.nextLink ? { '@odata.nextLink': result.nextLink } : {}),
      ...(result.deltaLink ? { '@odata.deltaLink': result.deltaLink } : {}),
      value: result.value,
    });
  });

  user.get(['/calendarView', '/calendar/calendarView'], (req, res) => {
    const opts = renderOptions(req, res);
    const { from, to } = requiredWindow(req);
    const { slice, next } = page(req, calendar.viewItems(locals(res).userId, from, to));
    res.json({
      '@odata.context': context(res, 'calendarView'),
      ...(next ? { '@odata.nextLink': next } : {}),
      value: slice.map((i) => renderEvent(i, opts)),
    });
  });

  v1.use(['/me', '/users/:userRef'], user);

  const renderSubscription = (sub: Subscription) => ({
    '@odata.context': `${baseUrl()}/v1.0/$metadata#subscriptions/$entity`,
    id: sub.id,
    resource: sub.resource,
    applicationId: sub.applicationId,
    changeType: sub.changeType,
    clientState: sub.clientState,
    notificationUrl: sub.notificationUrl,
    notificationQueryOptions: null,
    lifecycleNotificationUrl: sub.lifecycleNotificationUrl,
    expirationDateTime: graphTimestamp(sub.expirationDateTime),
    creatorId: sub.creatorId,
    includeResourceData: null,
    latestSupportedTlsVersion: 'v1_2',
    encryptionCertificate: null,
    encryptionCertificateId: null,
    notificationUrlAppId: null,
  });

  v1.post('/subscriptions', async (req, res) => {
    const sub = await subscriptions.create(req.body, locals(res).principal);
    res.status(201).json(renderSubscription(sub));
  });
  v1.get('/subscriptions', (_req, res) => {
    const { principal } = locals(res);
    const mine = subscriptions
      .list()
      .filter((s) => s.applicationId === principal.clientId && (!principal.userId || s.creatorId === principal.userId));
    res.json({ '@odata.context': `${baseUrl()}/v1.0/$metadata#subscriptions`, value: mine.map(renderSubscription) });
  });
  v1.get('/subscriptions/:id', (req, res) => {
    res.json(renderSubscription(subscriptions.get(routeParam(req, 'id'))));
  });
  v1.patch('/subscriptions/:id', (req, res) => {
    res.json(renderSubscription(subscriptions.update(routeParam(req, 'id'), req.body)));
  });
  v1.delete('/subscriptions/:id', (req, res) => {
    subscriptions.delete(routeParam(req, 'id'));
    res.status(204).end();
  });
  v1.post('/subscriptions/:id/reauthorize', (req, res) => {
    subscriptions.reauthorize(routeParam(req, 'id'));
    res.status(204).end();
  });

  v1.use((req) => {
    throw new GraphError(
      400,
      'BadRequest',
      `Resource not found for the segment '${req.path.split('/').filter(Boolean).pop() ?? ''}'.`,
    );
  });
  return v1;
}
