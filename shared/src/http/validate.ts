import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import { problemFromZod } from './zod-problem.js';

export interface RequestSchemas {
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
}

type Infer<T> = T extends z.ZodType ? z.output<T> : undefined;
export interface ValidInput<S extends RequestSchemas> {
  params: Infer<S['params']>;
  query: Infer<S['query']>;
  body: Infer<S['body']>;
}

const INPUT = Symbol('validInput');

/**
 * Parses params, query and body with zod before the handler runs; any failure is one 400 naming
 * every bad field, and the handler (and its writes) never runs.
 */
export function validate<S extends RequestSchemas>(schemas: S): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    const out: Record<string, unknown> = {};
    for (const location of ['params', 'query', 'body'] as const) {
      const schema = schemas[location];
      if (!schema) continue;
      const raw: unknown = location === 'body' ? (req.body ?? {}) : req[location];
      const result = schema.safeParse(raw);
      if (!result.success) return next(problemFromZod(result.error, location));
      out[location] = result.data;
    }
    (req as unknown as Record<symbol, unknown>)[INPUT] = out;
    next();
  };
}

/** The parsed input `validate` stored on the request. */
export function validInput<S extends RequestSchemas>(req: Request, _schemas?: S): ValidInput<S> {
  return (req as unknown as Record<symbol, ValidInput<S>>)[INPUT] ?? ({} as ValidInput<S>);
}
