import { ReauthRequiredError } from '../../sync/errors.js';

interface GraphErrorShape {
  statusCode?: number;
  code?: string | null;
  message?: string;
  headers?: Headers | Record<string, string> | undefined;
}

/** The HTTP status of a Graph call's error; undefined when no answer came (network, auth provider). */
export const graphStatus = (err: unknown): number | undefined => {
  const status = (err as GraphErrorShape)?.statusCode;
  return typeof status === 'number' && status > 0 ? status : undefined;
};

/** Graph's error code (`ErrorItemNotFound`, `resyncRequired`, `syncStateNotFound` …). */
export const graphCode = (err: unknown): string | undefined => (err as GraphErrorShape)?.code ?? undefined;

/** Seconds of `Retry-After` on a Graph error, if it had one. */
export function retryAfterMs(err: unknown): number | undefined {
  const headers = (err as GraphErrorShape)?.headers;
  const raw = headers instanceof Headers ? headers.get('retry-after') : headers?.['retry-after'];
  const seconds = raw === null || raw === undefined ? NaN : Number(raw);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/**
 * The graph client turns an error thrown by the auth provider into a GraphError named after it;
 * a refused refresh token is recognised by that name and thrown again as itself.
 */
export function asReauth(err: unknown): ReauthRequiredError | undefined {
  if (err instanceof ReauthRequiredError) return err;
  return graphCode(err) === 'ReauthRequiredError' ? new ReauthRequiredError((err as Error).message) : undefined;
}

/** Worth another try: throttling, Graph's 5xx, and calls that got no answer at all. */
export function isRetryable(err: unknown): boolean {
  const status = graphStatus(err);
  if (status === undefined) return !asReauth(err);
  return status === 429 || status >= 500;
}

/**
 * Retries what the graph client's own retry handler leaves over (it retries 429/503/504 three times,
 * honouring Retry-After): network failures, other 5xx, and throttling that outlasted it. Retry-After
 * is honoured here too (capped); otherwise exponential backoff with full jitter. A 401 on a kept
 * access token gets one fresh token (`onUnauthorized`); a refused refresh is ReauthRequiredError.
 */
export async function withGraphRetry<T>(
  call: () => Promise<T>,
  opts: { attempts?: number; baseMs?: number; maxWaitMs?: number; onUnauthorized?: () => void } = {},
): Promise<T> {
  const attempts = opts.attempts ?? 5;
  const base = opts.baseMs ?? 200;
  let refreshed = false;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const reauth = asReauth(err);
      if (reauth) throw reauth;
      if (graphStatus(err) === 401 && opts.onUnauthorized && !refreshed) {
        refreshed = true;
        opts.onUnauthorized();
        continue;
      }
      if (attempt >= attempts || !isRetryable(err)) throw err;
      const wait = retryAfterMs(err) ?? Math.random() * base * 2 ** (attempt - 1);
      await new Promise((r) => setTimeout(r, Math.min(wait, opts.maxWaitMs ?? 30_000)));
    }
  }
}
