import type { NextFunction, Request, Response } from 'express';
import { injectedError } from './errors.js';

/**
 * The call log and failure injection in front of every Google endpoint: `failNext` queues
 * exact failures (a 403 rate limit, a 500, a dropped connection); chaos fails a random share.
 * Randomness comes from a seeded generator so a failing run can be replayed.
 */

export type CallKind = 'api' | 'oauth';

export interface CallRecord {
  kind: CallKind;
  method: string;
  /** path without the query string, e.g. `/calendar/v3/calendars/primary/events` */
  path: string;
  query: string;
  at: Date;
  status?: number;
  /** true when the answer was an injected failure */
  injected?: boolean;
}

export interface FailureSpec {
  status: number;
  /** Google reason; defaults by status (403/429 → rateLimitExceeded, 5xx → backendError) */
  reason?: string;
  retryAfterSeconds?: number;
  /** close the socket without answering, before the call has any effect */
  dropConnection?: boolean;
  /** carry the call out, then close the socket instead of answering: the client cannot know it worked */
  dropResponse?: boolean;
  /** never answer, before the call has any effect (the socket is closed after a minute) */
  stall?: boolean;
  /** which endpoints may fail: the Calendar API (default), the OAuth endpoints, or both */
  target?: CallKind | 'any';
  method?: string;
  /** only calls whose path contains this text */
  pathIncludes?: string;
}

export interface ChaosSettings {
  apiErrorRate?: number;
  notificationDropRate?: number;
  seed?: number;
}

/** mulberry32: small, seedable, good enough to pick failures */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CHAOS_FAILURES: FailureSpec[] = [
  { status: 500, reason: 'backendError' },
  { status: 503, reason: 'backendError' },
  { status: 403, reason: 'rateLimitExceeded' },
  { status: 403, reason: 'userRateLimitExceeded' },
  { status: 429, reason: 'rateLimitExceeded' },
];

export class Faults {
  readonly calls: CallRecord[] = [];
  private readonly queue: { spec: FailureSpec; remaining: number }[] = [];
  apiErrorRate = 0;

  constructor(
    public random: () => number,
    private readonly clock: () => Date,
  ) {}

  failNext(count: number, spec: FailureSpec): void {
    if (count > 0) this.queue.push({ spec, remaining: count });
  }

  private take(kind: CallKind, req: Request): FailureSpec | undefined {
    for (const [i, entry] of this.queue.entries()) {
      const { spec } = entry;
      const target = spec.target ?? 'api';
      if (target !== 'any' && target !== kind) continue;
      if (spec.method && spec.method.toUpperCase() !== req.method) continue;
      if (spec.pathIncludes && !safeDecode(req.path).includes(spec.pathIncludes)) continue;
      entry.remaining -= 1;
      if (entry.remaining === 0) this.queue.splice(i, 1);
      return spec;
    }
    if (kind === 'api' && this.apiErrorRate > 0 && this.random() < this.apiErrorRate) {
      return CHAOS_FAILURES[Math.floor(this.random() * CHAOS_FAILURES.length)];
    }
    return undefined;
  }

  /** Express middleware: log the call, then maybe fail it. */
  middleware() {
    return (req: Request, res: Response, next: NextFunction) => {
      const kind = classify(req.path);
      if (!kind) return next();
      const record: CallRecord = {
        kind,
        method: req.method,
        path: req.path,
        query: new URL(req.originalUrl, 'http://x').search,
        at: this.clock(),
      };
      this.calls.push(record);
      res.on('finish', () => {
        record.status = res.statusCode;
      });
      const failure = this.take(kind, req);
      if (!failure) return next();
      record.injected = true;
      if (failure.dropResponse) {
        res.end = (() => {
          req.socket.destroy();
          return res;
        }) as Response['end'];
        return next();
      }
      if (failure.dropConnection) {
        req.socket.destroy();
        return;
      }
      if (failure.stall) {
        const timer = setTimeout(() => req.socket.destroy(), 60_000);
        timer.unref();
        req.socket.once('close', () => clearTimeout(timer));
        return;
      }
      const error = injectedError(failure.status, failure.reason, failure.retryAfterSeconds);
      res.set(error.headers);
      if (kind === 'oauth') {
        res.status(failure.status).json({ error: failure.reason ?? 'server_error', error_description: error.message });
      } else {
        res.status(failure.status).json(error.body());
      }
    };
  }
}

function classify(path: string): CallKind | undefined {
  if (path.startsWith('/calendar/v3/')) return 'api';
  if (path === '/token' || path === '/revoke' || path.startsWith('/o/oauth2/')) return 'oauth';
  return undefined;
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
