import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { runWithRequestContext } from '../logging/context.js';

const INCOMING_ID = /^[\w.:-]{1,128}$/;
const TOKEN_LIKE_SEGMENT = /^[A-Za-z0-9_-]{20,}(\.[a-z]+)?$/;

/**
 * The path to log: the matched route template when there is one, otherwise the raw path with
 * token-like segments blanked, because capability links (feeds, agenda pages) carry secrets.
 * Query strings are never logged.
 */
export function loggablePath(req: Request): string {
  const template = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof template === 'string') return `${req.baseUrl}${template}`;
  return req.path
    .split('/')
    .map((seg) => (TOKEN_LIKE_SEGMENT.test(seg) ? ':redacted' : seg))
    .join('/');
}

/**
 * Gives every request an id (the caller's `X-Request-Id` when sane), a child logger that stamps it
 * on every line, and one completion line with status and duration.
 */
export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    const requestId = incoming && INCOMING_ID.test(incoming) ? incoming : randomUUID();
    const log = logger.child({ reqId: requestId });
    res.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const line = {
        method: req.method,
        path: loggablePath(req),
        status: res.statusCode,
        durationMs: Math.round(durationMs * 10) / 10,
      };
      if (res.statusCode >= 500) log.error(line, 'request failed');
      else log.info(line, 'request completed');
    });
    runWithRequestContext({ requestId, logger: log }, next);
  };
}
