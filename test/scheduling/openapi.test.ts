import { Validator } from '@seriousme/openapi-schema-validator';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { schedulingHarness } from '../harness/scheduling.js';

const h = await schedulingHarness('openapi');

interface Operation {
  responses: Record<string, { content?: Record<string, unknown> }>;
  security?: unknown[];
}

/** Every route Express knows, as `METHOD /path/{param}`. */
function expressRoutes(): string[] {
  const stack = (h.app.router as unknown as { stack: { route?: { path: string; methods: Record<string, boolean> } }[] }).stack;
  const nested = stack.flatMap((layer) => {
    const inner =
      (layer as unknown as { handle?: { stack?: { route?: { path: string; methods: Record<string, boolean> } }[] } }).handle
        ?.stack ?? [];
    return [layer, ...inner];
  });
  // customer routes and the documented internal ones (`/internal/v1/…`, service to service)
  return nested
    .filter((l) => l.route && /^\/(internal\/)?v1\//.test(l.route.path))
    .flatMap((l) => Object.keys(l.route!.methods).map((m) => `${m.toUpperCase()} ${l.route!.path.replace(/:(\w+)/g, '{$1}')}`));
}

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document covering every /v1 route and its error responses', async () => {
    const res = await request(h.app).get('/openapi.json').expect(200);
    const validator = new Validator();
    const result = await validator.validate(res.body);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(res.body.openapi).toBe('3.1.0');

    const documented = Object.entries(res.body.paths as Record<string, Record<string, Operation>>).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const routes = expressRoutes();
    expect(routes.length).toBeGreaterThan(15);
    expect(documented.sort()).toEqual([...new Set(routes)].sort());

    for (const [path, ops] of Object.entries(res.body.paths as Record<string, Record<string, Operation>>)) {
      for (const [method, op] of Object.entries(ops)) {
        const where = `${method} ${path}`;
        expect(Object.keys(op.responses), where).toEqual(expect.arrayContaining(['400', '500']));
        expect(op.responses['400']!.content, where).toHaveProperty(['application/problem+json']);
        if (op.security) expect(Object.keys(op.responses), where).toContain('401');
      }
    }
    expect(res.body.components.schemas).toHaveProperty('Series');
    expect(res.body.components.schemas).toHaveProperty('Occurrence');
    expect(res.body.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
  });
});
