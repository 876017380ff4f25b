import type { Request, RequestHandler } from 'express';
import { HttpProblem } from '@cadence/shared/http';
import { verifyApiKey } from './api-keys.js';
import type { OrganizationModels } from './models.js';

const ORG = Symbol('organizationId');

const unauthorized = (detail: string) =>
  new HttpProblem(401, { detail, headers: { 'WWW-Authenticate': 'Bearer realm="cadence"' } });

/** Requires `Authorization: Bearer <api key>` and records the key's organization on the request. */
export function authenticate(models: OrganizationModels): RequestHandler {
  return (req, _res, next) => {
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
