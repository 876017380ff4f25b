import { randomUUID } from 'node:crypto';
import type { ErrorRequestHandler, Response } from 'express';

/** A Graph API failure, rendered as `{"error":{"code","message","innerError":{…}}}`. */
export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'GraphError';
  }
}

/** An identity-platform (login.microsoftonline.com) failure, which has its own flat body. */
export class IdentityError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
    readonly errorCodes: number[],
  ) {
    super(description);
    this.name = 'IdentityError';
  }
}

export const notFound = (what = 'The specified object was not found in the store.') =>
  new GraphError(404, 'ErrorItemNotFound', what);

export const badRequest = (code: string, message: string) => new GraphError(400, code, message);

/** Graph writes innerError.date without fraction or zone, e.g. "2018-08-20T02:29:38". */
export function innerErrorDate(now: Date): string {
  return now.toISOString().slice(0, 19);
}

export function requestIdOf(res: Response): string {
  const existing = res.getHeader('request-id');
  return typeof existing === 'string' ? existing : randomUUID();
}

export function sendGraphError(res: Response, err: GraphError, now: Date): void {
  const requestId = requestIdOf(res);
  const clientRequestId = res.getHeader('client-request-id');
  for (const [name, value] of Object.entries(err.headers)) res.setHeader(name, value);
  res.status(err.status).json({
    error: {
      code: err.code,
      message: err.message,
      innerError: {
        date: innerErrorDate(now),
        'request-id': requestId,
        'client-request-id': typeof clientRequestId === 'string' ? clientRequestId : requestId,
      },
    },
  });
}

export function sendIdentityError(res: Response, err: IdentityError, now: Date): void {
  const traceId = randomUUID();
  res.status(err.status).json({
    error: err.error,
    error_description: `${err.description}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${randomUUID()}\r\nTimestamp: ${now.toISOString().replace('T', ' ').slice(0, 19)}Z`,
    error_codes: err.errorCodes,
    timestamp: `${now.toISOString().replace('T', ' ').slice(0, 19)}Z`,
    trace_id: traceId,
    correlation_id: randomUUID(),
  });
}

/** Last middleware: Graph-shaped bodies for everything, including body-parser failures. */
export function errorHandler(now: () => Date): ErrorRequestHandler {
  return (err: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    if (err instanceof IdentityError) {
      sendIdentityError(res, err, now());
      return;
    }
    if (err instanceof GraphError) {
      sendGraphError(res, err, now());
      return;
    }
    // body-parser and friends carry an HTTP status (400 bad JSON, 413 too large …).
    const status = typeof err === 'object' && err !== null && 'status' in err ? Number(err.status) : 500;
    if (status >= 400 && status < 500) {
      const message =
        status === 400
          ? 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.'
          : err instanceof Error
            ? err.message
            : 'The request is invalid.';
      sendGraphError(res, new GraphError(status, 'BadRequest', message), now());
      return;
    }
    const message = err instanceof Error ? err.message : 'An internal server error occurred.';
    sendGraphError(res, new GraphError(500, 'generalException', message), now());
  };
}
