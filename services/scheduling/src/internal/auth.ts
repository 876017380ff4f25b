import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { HttpProblem } from '@cadence/shared/http';

export const INTERNAL_TOKEN_HEADER = 'x-internal-token';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Service-to-service calls carry `X-Internal-Token`; compared in constant time (over digests, so
 * the length does not leak either). Without a configured token every call is refused.
 */
export function internalAuth(token: string | undefined): RequestHandler {
  const expected = token ? digest(token) : undefined;
  return (req, _res, next) => {
    const given = req.get(INTERNAL_TOKEN_HEADER);
    if (!expected) return next(new HttpProblem(401, { detail: 'Internal publishing is not configured (INTERNAL_TOKEN).' }));
    if (!given || !timingSafeEqual(digest(given), expected))
      return next(new HttpProblem(401, { detail: 'Send the internal token as `X-Internal-Token`.' }));
    next();
  };
}
