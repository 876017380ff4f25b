import type { RequestHandler } from 'express';
import { BATCH_ITEM_HEADER } from './batch.js';
import { GraphError, sendGraphError } from './errors.js';

export interface FailureSpec {
  status: number;
  code?: string;
  message?: string;
  /** Sent as `Retry-After` (seconds); the graph client's retry handler waits that long. */
  retryAfterSeconds?: number;
  /** Destroy the socket instead of answering (a network failure, not an HTTP error). */
  dropConnection?: boolean;
  /** Never answer (the socket stays open, closed after a minute): a call lost on the way back. */
  stall?: boolean;
  /** For the next request inside a `$batch` call (as Graph throttles them one by one), not an HTTP call. */
  inBatch?: boolean;
}

export interface Chaos {
  /** Share of Graph calls answered 429 or 503 at random. */
  apiErrorRate: number;
  /** Share of change notifications silently lost (no `missed` lifecycle event either). */
  notificationDropRate: number;
  retryAfterSeconds: number;
}

export interface CallRecord {
  method: string;
  path: string;
  query: string;
  at: Date;
  status?: number;
  /** The graph client's `Retry-Attempt` header: which retry of an earlier call this was. */
  retryAttempt?: number;
  /** One of a `$batch` call's requests, not an HTTP call of its own. */
  inBatch?: boolean;
}

const DEFAULT_CODES: Record<number, [string, string]> = {
  429: ['ApplicationThrottled', 'Application is over its MailboxConcurrency limit.'],
  503: ['serviceNotAvailable', 'The service is temporarily unavailable. Retry the request after a delay.'],
  504: ['GatewayTimeout', 'The gateway did not receive a timely response.'],
  500: ['generalException', 'An internal server error occurred.'],
};

/** Scripted failures, random chaos and the call log, applied in front of the Graph routes. */
export class Faults {
  readonly calls: CallRecord[] = [];
  readonly chaos: Chaos = { apiErrorRate: 0, notificationDropRate: 0, retryAfterSeconds: 1 };
  private readonly scripted: FailureSpec[] = [];

  constructor(
    private readonly now: () => Date,
    private readonly random: () => number,
  ) {}

  failNext(n: number, spec: FailureSpec): void {
    for (let i = 0; i < n; i += 1) this.scripted.push({ ...spec });
  }

  clear(): void {
    this.scripted.length = 0;
  }

  /** Logs every call (Graph and identity) with the status it got. */
  logger(): RequestHandler {
    return (req, res, next) => {
      const [path = '', query = ''] = req.originalUrl.split(/\?(.*)/s);
      const record: CallRecord = { method: req.method, path, query, at: this.now() };
      const attempt = Number(req.headers['retry-attempt']);
      if (Number.isInteger(attempt) && attempt > 0) record.retryAttempt = attempt;
      if (req.headers[BATCH_ITEM_HEADER]) record.inBatch = true;
      this.calls.push(record);
      res.on('finish', () => {
        record.status = res.statusCode;
      });
      next();
    };
  }

  /** Injects the next scripted failure, else a random one at the chaos rate. */
  injector(): RequestHandler {
    return (req, res, next) => {
      const inBatch = Boolean(req.headers[BATCH_ITEM_HEADER]);
      const at = this.scripted.findIndex((s) => Boolean(s.inBatch) === inBatch);
      let spec = at >= 0 ? this.scripted.splice(at, 1)[0] : undefined;
      if (!spec && this.chaos.apiErrorRate > 0 && this.random() < this.chaos.apiErrorRate) {
        spec = { status: this.random() < 0.5 ? 429 : 503, retryAfterSeconds: this.chaos.retryAfterSeconds };
      }
      if (!spec) {
        next();
        return;
      }
      if (spec.dropConnection) {
        req.socket.destroy();
        return;
      }
      if (spec.stall) {
        const timer = setTimeout(() => req.socket.destroy(), 60_000);
        timer.unref();
        req.socket.once('close', () => clearTimeout(timer));
        return;
      }
      const [code, message] = DEFAULT_CODES[spec.status] ?? ['generalException', 'The request failed.'];
      const headers: Record<string, string> = {};
      if (spec.retryAfterSeconds !== undefined) headers['Retry-After'] = String(spec.retryAfterSeconds);
      sendGraphError(res, new GraphError(spec.status, spec.code ?? code, spec.message ?? message, headers), this.now());
    };
  }
}
