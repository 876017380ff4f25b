import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { TargetRefused, type ResolvedAddress, type TargetGuard } from './target-guard.js';

/** What one POST came to; `responseStatus` null means no response arrived. */
export interface SendOutcome {
  responseStatus: number | null;
  error: string | null;
  responseHeaders: Record<string, string | string[] | undefined>;
  responseBody: string | null;
  durationMs: number;
}

export interface SendOptions {
  guard: TargetGuard;
  timeoutMs: number;
  /** Read at most this much of the answer (it only goes to the log). */
  maxResponseBytes: number;
  /** Aborts the send (shutdown); the outcome then says `aborted`. */
  signal?: AbortSignal;
}

// keep-alive saves a TLS handshake per delivery; idle sockets close before typical server timeouts
const agents = {
  'http:': new http.Agent({ keepAlive: true, timeout: 4_000, maxSockets: 256 }),
  'https:': new https.Agent({ keepAlive: true, timeout: 4_000, maxSockets: 256 }),
};

/** A lookup that answers with the address the guard checked, so the connection goes exactly there. */
const pinnedLookup =
  (target: ResolvedAddress): LookupFunction =>
  (_hostname, options, callback) => {
    if (options.all) (callback as (e: null, a: ResolvedAddress[]) => void)(null, [target]);
    else callback(null, target.address, target.family);
  };

const TLS_CODES = /^(CERT_|ERR_TLS|ERR_SSL|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_|HOSTNAME_MISMATCH)/;

function describeError(err: unknown, timedOut: boolean): string {
  if (timedOut) return 'timeout';
  if (err instanceof TargetRefused) return `target refused: ${err.message}`;
  const code = (err as { code?: string }).code ?? '';
  if ((err as Error).name === 'AbortError') return 'aborted';
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'connection reset';
  if (TLS_CODES.test(code)) return `tls error: ${code}`;
  return `connection failed${code ? `: ${code}` : ''}`;
}

/**
 * POSTs a JSON body without following redirects (a 3xx is an answer like any other), within an
 * overall deadline that covers DNS, connect and reading the answer, of which at most
 * `maxResponseBytes` is read.
 */
export async function postJson(url: URL, body: string, headers: Record<string, string>, opts: SendOptions): Promise<SendOutcome> {
  const started = performance.now();
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const target = await abortable(opts.guard.resolve(url), signal);
    const client = url.protocol === 'https:' ? https : http;
    const res = await new Promise<{ status: number; headers: IncomingMessage['headers']; body: string }>((resolve, reject) => {
      const req = client.request(
        url,
        {
          method: 'POST',
          agent: agents[url.protocol as 'http:' | 'https:'],
          lookup: pinnedLookup(target),
          signal,
          headers: {
            ...headers,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'user-agent': 'Cadence-Webhooks/1.0',
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          let done = false;
          const finish = () => {
            if (done) return;
            done = true;
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            });
          };
          response.on('data', (chunk: Buffer) => {
            if (size < opts.maxResponseBytes) chunks.push(chunk.subarray(0, opts.maxResponseBytes - size));
            size += chunk.length;
            if (size >= opts.maxResponseBytes) {
              finish();
              response.destroy();
            }
          });
          response.on('end', finish);
          response.on('error', (err) => (done ? undefined : reject(err)));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    return {
      responseStatus: res.status,
      error: res.status >= 300 && res.status < 400 ? 'redirects are not followed' : null,
      responseHeaders: res.headers,
      responseBody: res.body || null,
      durationMs: elapsed(),
    };
  } catch (err) {
    return {
      responseStatus: null,
      error: describeError(err, timeout.aborted),
      responseHeaders: {},
      responseBody: null,
      durationMs: elapsed(),
    };
  }
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
