import { extendZodWithOpenApi, OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { PROBLEM_CONTENT_TYPE, problemSchema } from './problem.js';
import { validate, validInput, type RequestSchemas, type ValidInput } from './validate.js';

extendZodWithOpenApi(z);

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface ResponseSpec {
  description: string;
  /** A JSON body schema; omit for empty bodies. */
  schema?: z.ZodType;
  /** Non-JSON bodies (text/calendar, text/csv…) are described by content type only. */
  contentType?: string;
}

export interface RouteSpec<S extends RequestSchemas> {
  method: Method;
  /** Express-style path (`/v1/series/:id`); converted to `{id}` for OpenAPI. */
  path: string;
  summary: string;
  tags: string[];
  request?: S;
  /** Success responses; error responses are added from `errors`. */
  responses: Record<number, ResponseSpec>;
  /** Error statuses this route can answer with problem+json (400, 401, 500 are always listed). */
  errors?: number[];
  /** Requires an API key (default true). */
  auth?: boolean;
  /** Extra middleware that runs after authentication and before validation. */
  before?: RequestHandler[];
}

export type RouteHandler<S extends RequestSchemas> = (input: ValidInput<S>, req: Request, res: Response) => unknown;

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request: the problem names each bad field',
  401: 'Missing or invalid API key',
  403: 'Forbidden',
  404: 'Not found (also for other organizations’ resources)',
  409: 'Conflict with the current state',
  410: 'Gone',
  413: 'Body too large',
  422: 'Request understood but cannot be applied',
  429: 'Too many requests',
  500: 'Unexpected server error',
  503: 'Database unavailable; retry',
};

/**
 * Routes declared once: the same zod schemas validate requests at run time and describe the API
 * in the OpenAPI 3.1 document, so the two cannot drift apart.
 */
export class ApiRouter {
  readonly router = Router();

  constructor(
    readonly registry: OpenAPIRegistry,
    private readonly authenticate: RequestHandler,
  ) {}

  route<S extends RequestSchemas>(spec: RouteSpec<S>, handler: RouteHandler<S>): this {
    const auth = spec.auth ?? true;
    this.registerDoc(spec, auth);
    const run = (req: Request, res: Response, next: NextFunction) => {
      Promise.resolve()
        .then(() => handler(validInput<S>(req), req, res))
        .then((result) => {
          if (res.headersSent || result === undefined) return;
          const status = Number(Object.keys(spec.responses)[0] ?? 200);
          res.status(status).json(result);
        })
        .catch(next);
    };
    const chain: RequestHandler[] = [
      ...(auth ? [this.authenticate] : []),
      ...(spec.before ?? []),
      validate(spec.request ?? {}),
      run,
    ];
    this.router[spec.method](spec.path, ...chain);
    return this;
  }

  private registerDoc<S extends RequestSchemas>(spec: RouteSpec<S>, auth: boolean): void {
    const errors = [...new Set([400, ...(auth ? [401] : []), ...(spec.errors ?? []), 500, 503])].sort();
    const responses: Record<string, unknown> = {};
    for (const [status, r] of Object.entries(spec.responses)) {
      responses[status] = {
        description: r.description,
        ...(r.schema
          ? { content: { 'application/json': { schema: r.schema } } }
          : r.contentType
            ? { content: { [r.contentType]: { schema: { type: 'string' } } } }
            : {}),
      };
    }
    for (const status of errors) {
      responses[status] = {
        description: ERROR_DESCRIPTIONS[status] ?? 'Error',
        content: { [PROBLEM_CONTENT_TYPE]: { schema: problemSchema } },
      };
    }
    const request: Record<string, unknown> = {};
    if (spec.request?.params) request.params = spec.request.params;
    if (spec.request?.query) request.query = spec.request.query;
    if (spec.request?.body) request.body = { content: { 'application/json': { schema: spec.request.body } }, required: true };
    this.registry.registerPath({
      method: spec.method,
      path: spec.path.replace(/:(\w+)/g, '{$1}'),
      summary: spec.summary,
      tags: spec.tags,
      ...(auth ? { security: [{ apiKey: [] }] } : {}),
      request,
      responses,
    } as Parameters<OpenAPIRegistry['registerPath']>[0]);
  }
}

export function createOpenApiRegistry(): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'An organization API key: `Authorization: Bearer cad_…`',
  });
  return registry;
}

export function openApiDocument(registry: OpenAPIRegistry, info: { title: string; version: string; description: string }) {
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info,
  });
}

export { z };
