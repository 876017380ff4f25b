import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { GoogleEmulator } from './emulator.js';
import { GoogleApiError } from './errors.js';

/**
 * The person-actions and test controls over HTTP (JSON), for a process that cannot hold the
 * emulator object (benchmarks). Kept under `/_emulator`, away from Google's paths.
 */

const time = z.union([z.string(), z.number()]);
const responseStatus = z.enum(['needsAction', 'declined', 'tentative', 'accepted']);

const schemas = {
  account: z.object({
    email: z.string().min(3),
    timeZone: z.string().optional(),
    scope: z.string().optional(),
    clientId: z.string().optional(),
  }),
  client: z.object({
    clientId: z.string().min(1),
    clientSecret: z.string().min(1),
    redirectUris: z.array(z.string()).optional(),
  }),
  failNext: z.object({
    count: z.number().int().min(1).default(1),
    status: z.number().int().min(100).max(599),
    reason: z.string().optional(),
    retryAfterSeconds: z.number().int().min(0).optional(),
    dropConnection: z.boolean().optional(),
    dropResponse: z.boolean().optional(),
    target: z.enum(['api', 'oauth', 'any']).optional(),
    method: z.string().optional(),
    pathIncludes: z.string().optional(),
  }),
  chaos: z.object({
    apiErrorRate: z.number().min(0).max(1).optional(),
    notificationDropRate: z.number().min(0).max(1).optional(),
    seed: z.number().int().optional(),
  }),
  duplicate: z.object({ times: z.number().int().min(1), count: z.number().int().min(1).optional() }),
  release: z.object({ order: z.enum(['fifo', 'reverse']).optional() }),
  replay: z.object({ channelId: z.string(), messageNumber: z.number().int().optional() }),
  expire: z.object({ calendarId: z.string().optional() }),
  revoke: z.object({ token: z.string().min(1) }),
  consent: z.object({ decision: z.enum(['approve', 'deny']) }),
  instance: z.object({ originalStart: time }),
  move: z.object({ originalStart: time, start: time, end: time.optional() }),
  declineInstance: z.object({ originalStart: time, attendee: z.string() }),
  declineSeries: z.object({ attendee: z.string() }),
  respond: z.object({ attendee: z.string(), status: responseStatus, originalStart: time.optional() }),
  truncate: z.object({ from: time }),
  patch: z.record(z.string(), z.unknown()),
};

type Action = (req: Request) => unknown;

export function controlRouter(emulator: GoogleEmulator): express.Router {
  const router = express.Router();
  router.use(express.json());
  const route = (action: Action) => (req: Request, res: Response) => {
    const result = action(req);
    if (result === undefined) res.status(204).end();
    else res.json(result);
  };
  const cal = (req: Request) => String(req.params.calendarId);
  const ev = (req: Request) => String(req.params.eventId);
  const body = <T extends z.ZodType>(schema: T, req: Request): z.infer<T> => schema.parse(req.body ?? {});

  router.post(
    '/accounts',
    route((req) => emulator.addAccount(body(schemas.account, req))),
  );
  router.post(
    '/clients',
    route((req) => emulator.registerClient(body(schemas.client, req))),
  );
  router.post(
    '/consent',
    route((req) => emulator.setConsent(body(schemas.consent, req).decision)),
  );
  router.post(
    '/refresh-tokens/revoke',
    route((req) => emulator.revokeRefreshToken(body(schemas.revoke, req).token)),
  );
  router.post(
    '/sync-tokens/expire',
    route((req) => emulator.expireSyncTokens(body(schemas.expire, req).calendarId)),
  );

  router.get(
    '/calls',
    route(() => ({ calls: emulator.calls })),
  );
  router.delete(
    '/calls',
    route(() => emulator.clearCalls()),
  );
  router.get(
    '/channels',
    route(() => ({ channels: emulator.channels() })),
  );
  router.get(
    '/deliveries',
    route(() => ({ deliveries: emulator.deliveries })),
  );
  router.post(
    '/fail-next',
    route((req) => {
      const { count, ...spec } = body(schemas.failNext, req);
      emulator.failNext(count, spec);
    }),
  );
  router.post(
    '/chaos',
    route((req) => emulator.setChaos(body(schemas.chaos, req))),
  );
  router.post(
    '/notifications/duplicate',
    route((req) => {
      const { times, count } = body(schemas.duplicate, req);
      emulator.duplicateNextNotifications(times, count);
    }),
  );
  router.post(
    '/notifications/hold',
    route(() => emulator.holdNotifications()),
  );
  router.post(
    '/notifications/release',
    route((req) => emulator.releaseNotifications(body(schemas.release, req).order)),
  );
  router.post(
    '/notifications/replay',
    route((req) => {
      const { channelId, messageNumber } = body(schemas.replay, req);
      emulator.replayNotification(channelId, messageNumber);
    }),
  );

  const events = '/calendars/:calendarId/events';
  router.get(
    `${events}`,
    route((req) => ({ ids: emulator.eventIds(cal(req)) })),
  );
  router.get(
    `${events}/:eventId`,
    route((req) => {
      const event = emulator.getEventRaw(cal(req), ev(req));
      if (!event) throw new ControlError(404, `no event ${ev(req)}`);
      return event;
    }),
  );
  router.patch(
    `${events}/:eventId`,
    route((req) => emulator.editEvent(cal(req), ev(req), body(schemas.patch, req))),
  );
  router.delete(
    `${events}/:eventId`,
    route((req) => emulator.deleteSeries(cal(req), ev(req))),
  );
  router.post(
    `${events}/:eventId/cancel-instance`,
    route((req) => ({ id: emulator.cancelInstance(cal(req), ev(req), body(schemas.instance, req).originalStart) })),
  );
  router.post(
    `${events}/:eventId/restore-instance`,
    route((req) => ({ id: emulator.restoreInstance(cal(req), ev(req), body(schemas.instance, req).originalStart) })),
  );
  router.post(
    `${events}/:eventId/move-instance`,
    route((req) => {
      const { originalStart, start, end } = body(schemas.move, req);
      return { id: emulator.moveInstance(cal(req), ev(req), originalStart, start, end) };
    }),
  );
  router.post(
    `${events}/:eventId/decline-instance`,
    route((req) => {
      const { originalStart, attendee } = body(schemas.declineInstance, req);
      return { id: emulator.declineInstance(cal(req), ev(req), originalStart, attendee) };
    }),
  );
  router.post(
    `${events}/:eventId/decline-series`,
    route((req) => emulator.declineSeries(cal(req), ev(req), body(schemas.declineSeries, req).attendee)),
  );
  router.post(
    `${events}/:eventId/respond`,
    route((req) => {
      const { attendee, status, originalStart } = body(schemas.respond, req);
      if (originalStart === undefined) return emulator.respondSeries(cal(req), ev(req), attendee, status);
      return { id: emulator.respondInstance(cal(req), ev(req), originalStart, attendee, status) };
    }),
  );
  router.post(
    `${events}/:eventId/truncate`,
    route((req) => ({ id: emulator.truncateSeries(cal(req), ev(req), body(schemas.truncate, req).from) })),
  );

  router.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof z.ZodError) res.status(400).json({ error: 'invalid body', issues: error.issues });
    else if (error instanceof ControlError || error instanceof GoogleApiError)
      res.status(error.status).json({ error: error.message });
    else res.status(400).json({ error: error instanceof Error ? error.message : String(error) });
  });
  return router;
}

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
