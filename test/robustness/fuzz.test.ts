import fc from 'fast-check';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { agendaHarness, occurrenceKeys } from '../harness/agenda.js';

/**
 * Property-based requests against every route of both services, found in their own OpenAPI
 * documents: random path values (including the other organization's real ids), random queries and
 * random JSON bodies, with and without a valid key. Whatever comes in, no 5xx, no stack trace, and
 * organization B never sees organization A's data.
 */
const h = await agendaHarness('fuzz', { start: '2026-10-01T12:00:00Z' });
const a = await h.newOrg('Alpha Corp');
const b = await h.newOrg('Beta Corp');
const series = await h.newSeries(a, {
  weekday: 'tuesday',
  startTime: '09:00',
  timeZone: 'America/New_York',
  startDate: '2026-10-20',
});
const [key] = await occurrenceKeys(a, series.id, '2026-10-19', '2026-10-26');
await a.agenda.get(`/v1/series/${series.id}/occurrences/${key}/agenda`).expect(200);
const homework = (
  await a.agenda
    .post(`/v1/series/${series.id}/occurrences/${key}/homework`, { title: 'Alpha secret homework', owner: 'rep' })
    .expect(201)
).body as { id: string };
const excuse = (
  await a.scheduling
    .post('/v1/excuses', {
      scope: 'organization',
      kind: 'holiday',
      fromDate: '2026-12-25',
      toDate: '2026-12-25',
      reason: 'Alpha holiday',
    })
    .expect(201)
).body as { id: string };
const hook = (await a.scheduling.post('/v1/webhooks', { url: 'https://hooks.alpha.example/x', eventTypes: ['occurrence.*'] }))
  ?.body as { id?: string };

/** Values A owns that must never appear in an answer to B. */
const secretsOfA = [
  'Alpha',
  series.id,
  series.manager.id,
  series.rep.id,
  series.manager.email,
  homework.id,
  excuse.id,
  ...(hook?.id ? [hook.id] : []),
];
const realIds = [series.id, series.manager.id, series.rep.id, homework.id, excuse.id, ...(hook?.id ? [hook.id] : []), key!];

interface Op {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
}
async function operations(baseUrl: string): Promise<Op[]> {
  const doc = (await request(baseUrl).get('/openapi.json').expect(200)).body as {
    paths: Record<string, Record<string, unknown>>;
  };
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((method) => ({ method: method as Op['method'], path })),
  );
}
const services = [
  { name: 'scheduling', url: h.schedulingUrl, ops: await operations(h.schedulingUrl) },
  { name: 'agenda', url: h.agendaUrl, ops: await operations(h.agendaUrl) },
];

const segment = fc.oneof(
  fc.constantFrom(...realIds),
  fc.string({ maxLength: 40 }),
  fc.constantFrom(
    '..',
    '%00',
    '%2e%2e',
    'null',
    '0',
    '-1',
    "'; DROP",
    '{"$gt":""}',
    'ser_000000000000000000000',
    '2026-10-20',
    '20261020T130000Z',
  ),
);
const body = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.dictionary(
    fc.constantFrom(
      'name',
      'email',
      'timeZone',
      'roles',
      'managerId',
      'repId',
      'weekday',
      'startTime',
      'url',
      'eventTypes',
      'title',
      'owner',
      'items',
      'status',
      '$where',
      '__proto__',
      'constructor',
    ),
    fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(...realIds), fc.constant({ $ne: null })),
  ),
);
const query = fc.dictionary(
  fc.constantFrom('from', 'to', 'limit', 'cursor', 'managerId', 'repId', 'status', 'format', 'role', 'personId'),
  fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom(...realIds)),
  { maxKeys: 3 },
);

describe.each(services)('$name under random requests', ({ url, ops }) => {
  it('never answers 5xx, never leaks a stack trace, never shows organization A to organization B', async () => {
    expect(ops.length).toBeGreaterThan(5);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ops),
        fc.array(segment, { minLength: 4, maxLength: 4 }),
        query,
        body,
        fc.constantFrom('b', 'none', 'garbage'),
        async (op, segs, q, payload, who) => {
          let i = 0;
          const path = op.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(segs[i++ % segs.length]!));
          const agent = request(url);
          let req = agent[op.method](path).query(q);
          if (who === 'b') req = req.set('authorization', `Bearer ${b.key}`);
          if (who === 'garbage') req = req.set('authorization', 'Bearer cad_key_garbage.nope');
          // raw JSON text: any JSON value, not only objects, must be handled
          const res =
            op.method === 'get' || op.method === 'delete'
              ? await req
              : await req.set('content-type', 'application/json').send(JSON.stringify(payload));
          const text = res.text ?? '';
          expect(res.status, `${op.method.toUpperCase()} ${path} → ${res.status} ${text.slice(0, 300)}`).toBeLessThan(500);
          expect(text).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)|node_modules|\/work\/|\.ts:\d+/);
          // an answer may echo what B itself sent (a 404 naming the id); anything else of A's is a leak
          const sent = `${path} ${JSON.stringify(q)} ${JSON.stringify(payload)}`;
          for (const secret of secretsOfA.filter((s) => !sent.includes(s))) {
            expect(text.includes(secret), `${op.method.toUpperCase()} ${path} leaked ${secret}: ${text.slice(0, 300)}`).toBe(
              false,
            );
          }
        },
      ),
      { numRuns: ops.length * 20, seed: 20261127 },
    );
  }, 120_000);
});
