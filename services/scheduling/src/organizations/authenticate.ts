import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { HttpProblem } from '@cadence/shared/http';
import { verifyApiKey } from './api-keys.js';
import type { OrganizationModels } from './models.js';

const ORG = Symbol('organizationId');

const unauthorized = (detail: string) =>
  new HttpProblem(401, { detail, headers: { 'WWW-Authenticate': 'Bearer realm="cadence"' } });

/** Constant-time comparison of a presented internal token with the configured one. */
function internalTokenMatches(presented: string | undefined, expected: string | undefined): boolean {
  if (!presented || !expected) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * Requires `Authorization: Bearer <api key>` and records the key's organization on the request.
 * Service to service (the agenda service rendering a page for a link holder, who has no key):
 * `X-Internal-Token` plus `X-Cadence-Organization: <orgId>` act for that organization.
 */
export function authenticate(models: OrganizationModels, internalToken?: string): RequestHandler {
  return (req, _res, next) => {
    const orgHeader = req.get('x-cadence-organization');
    if (orgHeader !== undefined) {
      if (!internalTokenMatches(req.get('x-internal-token'), internalToken))
        return next(unauthorized('The internal token is not valid.'));
      models.Organization.exists({ _id: orgHeader }).then((found) => {
        if (!found) return next(unauthorized('No such organization.'));
        (req as unknown as Record<symbol, string>)[ORG] = orgHeader;
        next();
      }, next);
      return;
    }
    const header = req.get('authorization') ?? '';
    const [scheme, key] = header.split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !key)
      return next(unauthorized('Send an API key as `Authorization: Bearer <key>`.'));
    verifyApiKey(models, key).then((found) => {
      if (!found) return next(unauthorized('The API key is not valid or has been revoked.'));
      (req as unknown as Record<symbol, string>)[ORG] = found.organizationId;
      next();
    }, next);
  };
}

/** The caller's organization; every query is scoped by it. */
export function organizationOf(req: Request): string {
  const id = (req as unknown as Record<symbol, string | undefined>)[ORG];
  if (!id) throw new Error('organizationOf() used on a route without authentication');
  return id;
}
