import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { agendaHarness, occurrenceKeys } from '../harness/agenda.js';

const h = await agendaHarness('agenda_standard', { start: '2026-03-02T12:00:00Z' });
const org = await h.newOrg('Acme');
const series = await h.newSeries(org, {
  weekday: 'tuesday',
  startTime: '09:00',
  timeZone: 'America/New_York',
  startDate: '2026-03-03',
});
const [week1] = await occurrenceKeys(org, series.id, '2026-03-01', '2026-03-08');
interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}
const agendaPath = `/v1/series/${series.id}/occurrences/${week1}/agenda`;

describe('the standard agenda', () => {
  it('gives a new series’ first occurrence the seven standard items, 60 minutes in all', async () => {
    const res = await org.agenda.get(agendaPath).expect(200);
    expect(res.body).toMatchObject({
      seriesId: series.id,
      occurrenceKey: '20260303T140000Z',
      template: { id: 'standard', version: 1 },
      plannedMinutes: 60,
      readOnly: false,
      occurrence: { state: 'scheduled', startLocal: '2026-03-03T09:00:00-05:00', location: 'Room 4' },
      series: { manager: { name: 'Mara Manager 1' }, rep: { name: 'Ray Rep 1' } },
      homeworkReview: [],
      newHomework: [],
    });
    expect(res.body.items.map((i: { title: string; minutes: number }) => [i.title, i.minutes])).toEqual([
      ['Homework review', 5],
      ['Pipeline', 15],
      ['Forecast', 10],
      ['Activity trends', 10],
      ['Territory time', 5],
      ['Coaching and development', 10],
      ['New homework', 5],
    ]);
    expect(res.body.items.reduce((sum: number, i: { minutes: number }) => sum + i.minutes, 0)).toBe(60);
    expect(res.body.items[1]).toMatchObject({ guidance: 'New, advanced and stalled opportunities', covered: false, note: '' });
  });

  it('lists the standard template first and refuses to change it', async () => {
    const list = await org.agenda.get('/v1/agenda-templates').expect(200);
    expect(list.body.items[0]).toMatchObject({ id: 'standard', builtIn: true, durationMinutes: 60 });
    const current = await org.agenda.get(`/v1/series/${series.id}/agenda-template`).expect(200);
    expect(current.body.template.id).toBe('standard');
    await org.agenda.put('/v1/agenda-templates/standard', { name: 'Mine', items: [{ title: 'All', minutes: 60 }] }).expect(409);
  });

  it('records covered items, notes and validated figures', async () => {
    const res = await org.agenda
      .patch(agendaPath, {
        notes: 'Good week.',
        items: [{ id: 'i2', covered: true, note: 'Acme deal advanced to proposal' }],
        figures: { calls: 42, meetings: 7, dealsClosed: 3, pipelineAmount: 125000.5, forecastAmount: 80000 },
      })
      .expect(200);
    expect(res.body.items[1]).toMatchObject({ id: 'i2', covered: true, note: 'Acme deal advanced to proposal' });
    expect(res.body.items[1].coveredAt).toBe('2026-03-02T12:00:00.000Z');
    expect(res.body.figures).toEqual({
      calls: 42,
      meetings: 7,
      dealsClosed: 3,
      pipelineAmount: 125000.5,
      forecastAmount: 80000,
      salesCallsPerDealClosed: 14,
    });
    // a partial update keeps the other figures; null clears one
    const again = await org.agenda.patch(agendaPath, { figures: { meetings: null } }).expect(200);
    expect(again.body.figures).toMatchObject({ calls: 42, meetings: null, dealsClosed: 3 });
    expect(again.body.revision).toBe(res.body.revision + 1);
  });

  it('answers bad input with 400 naming the field, and writes nothing', async () => {
    const before = (await org.agenda.get(agendaPath).expect(200)).body;
    const cases: [object, string][] = [
      [{ figures: { calls: -1 } }, 'figures.calls'],
      [{ figures: { calls: 2.5 } }, 'figures.calls'],
      [{ figures: { pipelineAmount: 'lots' } }, 'figures.pipelineAmount'],
      [{ figures: { revenue: 1 } }, 'figures.revenue'],
      [{ items: [{ id: 'i99', covered: true }] }, 'items.0.id'],
      [{ items: [{ id: 'i1', covered: 'yes' }] }, 'items.0.covered'],
      [{ notes: 'x'.repeat(20_001) }, 'notes'],
      [{}, ''],
    ];
    for (const [body, field] of cases) {
      const res = await org.agenda.patch(agendaPath, body).expect(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect((await org.agenda.get(agendaPath).expect(200)).body).toEqual(before);
    await org.agenda.get(`/v1/series/${series.id}/occurrences/20260303T150000Z/agenda`).expect(404);
    await org.agenda.get(`/v1/series/${series.id}/occurrences/not-a-key/agenda`).expect(400);
    await org.agenda.get(`/v1/series/ser_000000000000000000000/occurrences/${week1}/agenda`).expect(404);
  });

  it('makes templates whose time boxes must add up, and says by how much they do not', async () => {
    const short = await org.agenda
      .post('/v1/agenda-templates', {
        name: 'Short',
        items: [
          { title: 'Pipeline', minutes: 30 },
          { title: 'Coaching', minutes: 25 },
        ],
      })
      .expect(400);
    expect(short.body.errors).toEqual([
      { location: 'body', field: 'items', message: 'the time boxes add up to 55 minutes: 5 short of the 60-minute meeting' },
    ]);
    const half = await org.agenda
      .post('/v1/agenda-templates', { name: 'Half hour', durationMinutes: 30, items: [{ title: 'Pipeline', minutes: 30 }] })
      .expect(201);
    const refused = await org.agenda.put(`/v1/series/${series.id}/agenda-template`, { templateId: half.body.id }).expect(400);
    expect(refused.body.errors).toEqual([
      {
        location: 'body',
        field: 'templateId',
        message: 'the time boxes add up to 30 minutes: 30 short of the 60-minute meeting',
      },
    ]);
    await org.agenda.put(`/v1/series/${series.id}/agenda-template`, { templateId: 'tpl_000000000000000000000' }).expect(400);

    // pages of one: the built-in first, then the organization's own
    const first = await org.agenda.get('/v1/agenda-templates?limit=1').expect(200);
    expect(first.body.items.map((t: { id: string }) => t.id)).toEqual(['standard']);
    const second = await org.agenda.get(`/v1/agenda-templates?limit=1&cursor=${first.body.nextCursor}`).expect(200);
    expect(second.body).toEqual({ items: [expect.objectContaining({ id: half.body.id, version: 1 })], nextCursor: null });
  });

  it('rejects requests without a valid key', async () => {
    const anon = await fetch(`${h.agendaUrl}${agendaPath}`);
    expect(anon.status).toBe(401);
    const bad = await fetch(`${h.agendaUrl}${agendaPath}`, { headers: { authorization: 'Bearer cad_nope' } });
    expect(bad.status).toBe(401);
    expect(h.agendaLogs.text()).not.toContain(org.key);
  });

  it('documents every /v1 and internal route in a valid OpenAPI 3.1 document', async () => {
    const doc = (await fetch(`${h.agendaUrl}/openapi.json`).then((r) => r.json())) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    const result = await new Validator().validate(doc as unknown as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const stack = (h.agenda.app.router as unknown as { stack: Layer[] }).stack.flatMap((l) => [l, ...(l.handle?.stack ?? [])]);
    const routes = stack
      .filter((l) => l.route && /^\/(internal\/)?v1\//.test(l.route.path))
      .flatMap((l) => Object.keys(l.route!.methods).map((m) => `${m.toUpperCase()} ${l.route!.path.replace(/:(\w+)/g, '{$1}')}`));
    expect(routes.length).toBeGreaterThan(15);
    expect(documented.sort()).toEqual([...new Set(routes)].sort());
  });
});
