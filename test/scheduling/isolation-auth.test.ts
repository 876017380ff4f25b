import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { runCommand } from '@cadence/scheduling/cli/commands';
import { pair, schedulingHarness, weeklySeries } from '../harness/scheduling.js';

const h = await schedulingHarness('isolation', { now: () => new Date('2026-10-01T12:00:00Z') });
const a = await h.newOrg('A');
const b = await h.newOrg('B');
const { series, manager } = await weeklySeries(a);
const excuse = (
  await a.api
    .post('/v1/excuses', { scope: 'organization', kind: 'holiday', fromDate: '2026-12-25', toDate: '2026-12-25' })
    .expect(201)
).body as { id: string };

describe('organizations are isolated', () => {
  it.each([
    ['get', `/v1/people/${manager.id}`],
    ['patch', `/v1/people/${manager.id}`, { name: 'Hijacked' }],
    ['post', `/v1/people/${manager.id}/feed`],
    ['delete', `/v1/people/${manager.id}/feed`],
    ['get', `/v1/series/${series.id}`],
    ['patch', `/v1/series/${series.id}`, { location: 'Elsewhere' }],
    ['post', `/v1/series/${series.id}/end`],
    ['put', `/v1/series/${series.id}/agenda-link`, { url: 'https://evil.example/a' }],
    ['get', `/v1/series/${series.id}/occurrences`],
    ['get', `/v1/series/${series.id}/occurrences/20261020T130000Z`],
    ['post', `/v1/series/${series.id}/occurrences/20261020T130000Z/excuse`, { reason: 'x' }],
    ['post', `/v1/local-calendar/series/${series.id}/occurrences/20261020T130000Z/cancel`],
    ['post', `/v1/local-calendar/series/${series.id}/delete`],
    ['get', `/v1/excuses/${excuse.id}`],
    ['delete', `/v1/excuses/${excuse.id}`],
  ] as const)("B's key gets 404 for A's %s %s and changes nothing", async (method, path, body?: object) => {
    const agent = request(h.app);
    const res = await agent[method](path)
      .set('authorization', `Bearer ${b.key}`)
      .send(body ?? {});
    expect(res.status).toBe(404);
    expect(JSON.stringify(res.body)).not.toMatch(/Mara|Ray|example\.com/);
    const still = await a.api.get(`/v1/series/${series.id}`).expect(200);
    expect(still.body).toMatchObject({ status: 'active', location: null, agendaUrl: null, manager: { name: 'Mara Manager' } });
    expect((await a.api.get(`/v1/series/${series.id}/occurrences/20261020T130000Z`)).body.state).toBe('scheduled');
  });

  it("lists show only the caller's own data, and a person of A cannot be used by B", async () => {
    expect((await b.api.get('/v1/series').expect(200)).body.items).toEqual([]);
    expect((await b.api.get('/v1/people').expect(200)).body.items).toEqual([]);
    expect((await b.api.get('/v1/excuses').expect(200)).body.items).toEqual([]);
    const other = await pair(b, 'UTC', '-b');
    const res = await b.api
      .post('/v1/series', {
        managerId: manager.id,
        repId: other.rep.id,
        weekday: 'monday',
        startTime: '09:00',
        timeZone: 'UTC',
        startDate: '2026-10-05',
      })
      .expect(400);
    expect(res.body.errors).toEqual([{ location: 'body', field: 'managerId', message: 'no such person in this organization' }]);
  });
});

describe('API keys', () => {
  it('are required, checked and revocable from the CLI; only their hash is stored', async () => {
    await request(h.app)
      .get('/v1/series')
      .expect(401)
      .expect('www-authenticate', /Bearer/);
    await request(h.app).get('/v1/series').set('authorization', 'Bearer cad_key_0000000000000000000000.nope').expect(401);
    await request(h.app).get('/v1/series').set('authorization', `Bearer ${a.key}x`).expect(401);

    const lines: string[] = [];
    const out = (l: string) => lines.push(l);
    expect(await runCommand(h.ctx.models.ApiKey.db, ['key', 'create'], { org: a.id, name: 'ci', json: true }, out)).toBe(0);
    const issued = JSON.parse(lines.pop()!) as { id: string; key: string };
    await request(h.app).get('/v1/series').set('authorization', `Bearer ${issued.key}`).expect(200);
    const stored = await h.ctx.models.ApiKey.findById(issued.id).lean();
    expect(JSON.stringify(stored)).not.toContain(issued.key.split('.')[1]);

    expect(await runCommand(h.ctx.models.ApiKey.db, ['key', 'list'], { org: a.id, json: true }, out)).toBe(0);
    expect((JSON.parse(lines.pop()!) as { id: string }[]).map((k) => k.id)).toContain(issued.id);
    expect(await runCommand(h.ctx.models.ApiKey.db, ['key', 'revoke', issued.id], {}, out)).toBe(0);
    await request(h.app).get('/v1/series').set('authorization', `Bearer ${issued.key}`).expect(401);
    expect(await runCommand(h.ctx.models.ApiKey.db, ['org', 'create'], { name: 'Initech', json: true }, out)).toBe(0);
    const created = JSON.parse(lines.pop()!) as { organization: { id: string }; apiKey: { key: string } };
    const who = await request(h.app).get('/v1/organization').set('authorization', `Bearer ${created.apiKey.key}`).expect(200);
    expect(who.body).toMatchObject({ id: created.organization.id, name: 'Initech' });
    expect(await runCommand(h.ctx.models.ApiKey.db, ['bogus'], {}, out)).toBe(2);
  });
});

describe('the cadence CLI', () => {
  it('creates an organization and prints its key once, as a separate process', async () => {
    const { spawnSync } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--conditions=development',
        'services/scheduling/src/cli/main.ts',
        'org',
        'create',
        '--name',
        'Globex',
        '--json',
      ],
      {
        cwd: fileURLToPath(new URL('../../', import.meta.url)),
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          MONGODB_URI: h.ctx.models.ApiKey.db.getClient().options.hosts.map((x) => `mongodb://${String(x)}/`)[0],
          SCHEDULING_DB_NAME: h.dbName,
        },
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect(run.status, run.stderr).toBe(0);
    const printed = JSON.parse(run.stdout) as { organization: { name: string }; apiKey: { key: string } };
    expect(printed.organization.name).toBe('Globex');
    await request(h.app).get('/v1/organization').set('authorization', `Bearer ${printed.apiKey.key}`).expect(200);
  });
});
