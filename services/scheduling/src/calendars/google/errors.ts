import { ReauthRequiredError } from '../../sync/errors.js';

interface GoogleErrorShape {
  status?: number;
  code?: number | string;
  message?: string;
  response?: { status?: number; data?: { error?: { errors?: { reason?: string }[] } | string } };
}

export const googleStatus = (err: unknown): number | undefined => {
  const e = err as GoogleErrorShape;
  const status = e?.status ?? e?.response?.status ?? (typeof e?.code === 'number' ? e.code : undefined);
  return typeof status === 'number' ? status : undefined;
};

/** The `reason` of a Google API error body (`rateLimitExceeded`, `fullSyncRequired`…). */
export const googleReason = (err: unknown): string | undefined => {
  const data = (err as GoogleErrorShape)?.response?.data?.error;
  return typeof data === 'object' ? data?.errors?.[0]?.reason : undefined;
};

/** The OAuth client reports a refused refresh token as `invalid_grant`. */
export const isInvalidGrant = (err: unknown): boolean => {
  const e = err as GoogleErrorShape;
  return e?.message === 'invalid_grant' || e?.response?.data?.error === 'invalid_grant';
};

const RATE_LIMIT_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded']);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'UND_ERR_SOCKET', 'ECONNABORTED']);
/** A call cut off at GOOGLE_REQUEST_TIMEOUT_MS: gaxios wraps the fetch abort, with no code of its own. */
const ABORTED = new Set(['AbortError', 'TimeoutError']);

/** Worth another try: rate limits (403 or 429), Google's 5xx, dropped connections and calls that timed out. */
export function isRetryable(err: unknown): boolean {
  const status = googleStatus(err);
  if (status === 429 || (status !== undefined && status >= 500)) return true;
  if (status === 403) return RATE_LIMIT_REASONS.has(googleReason(err) ?? '');
  if (status !== undefined) return false;
  const { code, cause } = (err ?? {}) as { code?: unknown; cause?: { name?: unknown } };
  return (typeof code === 'string' && NETWORK_CODES.has(code)) || ABORTED.has(String(cause?.name));
}

/**
 * Retries what gaxios does not (it retries only some GETs, never POSTs or 403 rate limits), with
 * exponential backoff and full jitter; a refused refresh token becomes ReauthRequiredError.
 */
export async function withGoogleRetry<T>(call: () => Promise<T>, opts: { attempts?: number; baseMs?: number } = {}): Promise<T> {
  const attempts = opts.attempts ?? 6;
  const base = opts.baseMs ?? 200;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (isInvalidGrant(err)) throw new ReauthRequiredError('Google refused the refresh token (invalid_grant)');
      if (attempt >= attempts || !isRetryable(err)) throw err;
      await new Promise((r) => setTimeout(r, Math.random() * base * 2 ** (attempt - 1)));
    }
  }
}
