import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { SchedulingClient, SchedulingClients } from '@cadence/shared/clients/scheduling';
import { HttpProblem } from '@cadence/shared/http';
import type { ApiKeyCache } from './key-cache.js';

const CALLER = Symbol('caller');

/** Who is calling an agenda `/v1` route: the organization, and a scheduling client with their own key. */
export interface Caller {
  organizationId: string;
  scheduling: SchedulingClient;
}

const unauthorized = (detail: string) =>
  new HttpProblem(401, { detail, headers: { 'WWW-Authenticate': 'Bearer realm="cadence"' } });

/**
 * API keys live with the scheduling service: a presented key is checked by asking scheduling who
 * it belongs to (`GET /v1/organization` with that key), and the answer is cached briefly.
 */
export function authenticate(clients: SchedulingClients, cache: ApiKeyCache): RequestHandler {
  return (req, _res, next) => {
    const [scheme, key] = (req.get('authorization') ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !key)
      return next(unauthorized('Send an API key as `Authorization: Bearer <key>`.'));
    const scheduling = clients.withKey(key);
    const remember = (organizationId: string) => {
      (req as unknown as Record<symbol, Caller>)[CALLER] = { organizationId, scheduling };
      next();
    };
    const cached = cache.get(key);
    if (cached) return remember(cached);
    scheduling.organization().then(
      (org) => {
        cache.set(key, org.id);
        remember(org.id);
      },
      (err: unknown) => {
        // the organization may have been deleted under a still-valid key: the key is no good either way
        if (err instanceof HttpProblem && (err.status === 401 || err.status === 404))
          return next(unauthorized('The API key is not valid or has been revoked.'));
        next(err);
      },
    );
  };
}

export function callerOf(req: Request): Caller {
  const caller = (req as unknown as Record<symbol, Caller | undefined>)[CALLER];
  if (!caller) throw new Error('callerOf() used on a route without authentication');
  return caller;
}

/** Constant-time comparison of a presented internal token with the configured one. */
export function internalTokenMatches(presented: string | undefined, expected: string | undefined): boolean {
  if (!presented || !expected) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** `/internal` routes: only the scheduling service, with the shared `X-Internal-Token`. */
export function requireInternalToken(expected: string | undefined): RequestHandler {
  return (req, _res, next) => {
    if (!internalTokenMatches(req.get('x-internal-token'), expected))
      return next(unauthorized('The internal token is not valid.'));
    next();
  };
}
