import { describe, expect, it } from 'vitest';
import { agendaHarness, occurrenceKeys } from '../harness/agenda.js';

// A read cache far longer than the test: whatever shows after a write was forgotten by the write itself.
const h = await agendaHarness('agenda_read_cache', { start: '2026-03-02T12:00:00Z', agenda: { readCacheTtlMs: 3_600_000 } });
const org = await h.newOrg('Acme');
const other = await h.newOrg('Globex');
const series = await h.newSeries(org, {
  weekday: 'tuesday',
  startTime: '09:00',
  timeZone: 'Europe/Berlin',
  startDate: '2026-03-03',
});
const [w1, w2] = (await occurrenceKeys(org, series.id, '2026-03-01', '2026-03-15')) as [string, string];
const agendaPath = (key: string) => `/v1/series/${series.id}/occurrences/${key}/agenda`;
type Hw = { id: string; title: string; status: string };
const titles = (list: Hw[]) => list.map((x) => `${x.title}:${x.status}`);

describe('agenda reads with the read cache on', () => {
  it('shows this replica’s own agenda and homework writes at once', async () => {
    // fill the cache for both weeks
    expect((await org.agenda.get(agendaPath(w1)).expect(200)).body.notes).toBe('');
    expect((await org.agenda.get(agendaPath(w2)).expect(200)).body.homeworkReview).toEqual([]);

    await org.agenda.patch(agendaPath(w1), { notes: 'Pipeline review first' }).expect(200);
    expect((await org.agenda.get(agendaPath(w1)).expect(200)).body.notes).toBe('Pipeline review first');

    const hw = (
      await org.agenda
        .post(`${agendaPath(w1).replace(/agenda$/, 'homework')}`, { title: 'Call Northwind', owner: 'rep' })
        .expect(201)
    ).body as Hw;
    expect(titles((await org.agenda.get(agendaPath(w1)).expect(200)).body.newHomework)).toEqual(['Call Northwind:open']);
    expect(titles((await org.agenda.get(agendaPath(w2)).expect(200)).body.homeworkReview)).toEqual(['Call Northwind:open']);

    // done between the meetings: it shows, done, in week 2's review
    h.clock.set('2026-03-05T12:00:00Z');
    await org.agenda.patch(`/v1/homework/${hw.id}`, { status: 'done' }).expect(200);
    expect(titles((await org.agenda.get(agendaPath(w2)).expect(200)).body.homeworkReview)).toEqual(['Call Northwind:done']);
  });

  it('never answers another organization from the cache', async () => {
    await org.agenda.get(agendaPath(w1)).expect(200);
    const res = await other.agenda.get(agendaPath(w1)).expect(404);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(JSON.stringify(res.body)).not.toContain('Pipeline review first');
  });
});
