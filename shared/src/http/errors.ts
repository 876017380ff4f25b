import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import { contextLogger } from '../logging/context.js';
import { conflict, HttpProblem, notFound, PROBLEM_CONTENT_TYPE, unavailable } from './problem.js';
import { problemFromZod } from './zod-problem.js';

interface MongoLikeError {
  name?: string;
  code?: unknown;
  keyValue?: Record<string, unknown>;
  keyPattern?: Record<string, unknown>;
  message?: string;
}

export function isDuplicateKeyError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as MongoLikeError).code === 11000;
}

const UNAVAILABLE_NAMES = new Set([
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  // an operation still running when the service closes its client at shutdown (its caller may be gone)
  'MongoClientClosedError',
  'MongoPoolClearedError',
  'MongoPoolClosedError',
  'MongoExpiredSessionError',
]);

/** The database is down or unreachable: the client should retry, not see a 500. */
export function isDatabaseUnavailableError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as MongoLikeError;
  if (e.name && UNAVAILABLE_NAMES.has(e.name)) return true;
  // mongoose queues operations while disconnected and fails them with this message
  return e.name === 'MongooseError' && /buffering timed out|not connected|Connection was force closed/i.test(e.message ?? '');
}

interface BodyParserError {
  type?: string;
  status?: number;
}

/** Maps anything thrown in a route to a problem; unknown errors become a bare 500. */
export function toProblem(err: unknown): HttpProblem | undefined {
  if (err instanceof HttpProblem) return err;
  if (err instanceof ZodError) return problemFromZod(err, 'body');
  if (isDuplicateKeyError(err)) {
    const fields = Object.keys((err as MongoLikeError).keyPattern ?? (err as MongoLikeError).keyValue ?? {});
    return conflict(
      fields.length ? `A resource with the same ${fields.join(', ')} already exists.` : 'The resource already exists.',
      fields.map((field) => ({ location: 'body', field, message: 'must be unique' })),
    );
  }
  if (isDatabaseUnavailableError(err)) return unavailable('The database is not reachable; try again shortly.');
  const bp = err as BodyParserError;
  if (typeof err === 'object' && err !== null && typeof bp.type === 'string' && typeof bp.status === 'number') {
    switch (bp.type) {
      case 'entity.parse.failed':
        return new HttpProblem(400, {
          title: 'Malformed body',
          detail: 'The request body is not valid JSON.',
          errors: [{ location: 'body', field: '', message: 'is not valid JSON' }],
        });
      case 'entity.too.large':
        return new HttpProblem(413, { detail: 'The request body is too large.' });
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return new HttpProblem(415, { detail: 'Unsupported body encoding or charset.' });
      default:
        if (bp.status >= 400 && bp.status < 500) return new HttpProblem(bp.status);
    }
  }
  return undefined;
}

export function sendProblem(res: Parameters<RequestHandler>[1], problem: HttpProblem): void {
  for (const [k, v] of Object.entries(problem.headers)) res.setHeader(k, v);
  res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem.toJSON()));
}

/** The last middleware: problem+json for every error, never a stack trace to the client. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    const log = contextLogger(logger);
    const problem = toProblem(err);
    if (res.headersSent) {
      log.error({ err }, 'error after response started');
      res.destroy();
      return;
    }
    if (problem) {
      if (problem.status >= 500) log.warn({ err: { name: (err as Error).name, message: (err as Error).message } }, problem.title);
      sendProblem(res, problem);
      return;
    }
    log.error({ err }, 'unhandled error');
    sendProblem(res, new HttpProblem(500, { detail: 'Something went wrong on our side; it has been logged.' }));
  };
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(notFound(`No route for ${req.method} ${req.path}.`));
};
