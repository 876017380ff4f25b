import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { agendaHarness, httpClient, occurrenceKeys } from '../harness/agenda.js';

// Monday 16 March 2026, the day before the Tuesday meeting
const h = await agendaHarness('agenda_links', { start: '2026-03-16T15:00:00Z' });
const a = await h.newOrg('Org A');
const b = await h.newOrg('Org B');
const series = await h.newSeries(a, {
  weekday: 'tuesday',
  startTime: '09:00',
  timeZone: 'America/New_York',
  startDate: '2026-03-03',
});
const [, , thisWeek, nextWeek] = (await occurrenceKeys(a, series.id, '2026-03-01', '2026-03-29')) as string[];
const linkPath = `/v1/series/${series.id}/agenda-link`;
const anonymous = httpClient(h.agendaUrl);
const pathOf = (url: string) => new URL(url).pathname;

describe('agenda links', () => {
  let url: string;

  it('issues a link that the invite carries and that opens this week’s agenda', async () => {
    const issued = await a.agenda.post(linkPath).expect(201);
    url = issued.body.url;
    expect(url).toMatch(new RegExp(`^${h.agendaUrl}/a/[A-Za-z0-9_-]{43}$`));
    const inScheduling = await a.scheduling.get(`/v1/series/${series.id}`).expect(200);
    expect(inScheduling.body.agendaUrl).toBe(url);
    expect((await a.agenda.get(linkPath).expect(200)).body).toMatchObject({ active: true, url });

    // no API key: the link is the credential
    const json = await anonymous.get(pathOf(url)).set('accept', 'application/json').expect(200);
    expect(json.body).toMatchObject({ seriesId: series.id, occurrenceKey: thisWeek, template: { id: 'standard' } });
    const page = await anonymous.get(pathOf(url)).set('accept', 'text/html').expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('Tuesday 17 March 2026, 09:00');
    expect(page.text).toContain('Mara Manager 1');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'/);
    // the token never reaches a log line
    expect(h.agendaLogs.text()).not.toContain(pathOf(url).slice(3));
  });

  it('opens the meeting in progress, then the next one', async () => {
    h.clock.set('2026-03-17T13:30:00Z');
    expect((await anonymous.get(pathOf(url)).set('accept', 'application/json').expect(200)).body.occurrenceKey).toBe(thisWeek);
    h.clock.set('2026-03-17T14:00:01Z');
    expect((await anonymous.get(pathOf(url)).set('accept', 'application/json').expect(200)).body.occurrenceKey).toBe(nextWeek);
  });

  it('opens any occurrence by local date or key, and 404s a date without a meeting', async () => {
    const byDate = await anonymous
      .get(`${pathOf(url)}/2026-03-03`)
      .set('accept', 'application/json')
      .expect(200);
    expect(byDate.body.occurrenceKey).toBe('20260303T140000Z');
    const byKey = await anonymous
      .get(`${pathOf(url)}/${nextWeek}`)
      .set('accept', 'application/json')
      .expect(200);
    expect(byKey.body.occurrenceKey).toBe(nextWeek);
    await anonymous.get(`${pathOf(url)}/2026-03-18`).expect(404);
    await anonymous.get(`${pathOf(url)}/20260318T130000Z`).expect(404);
    await anonymous.get(`${pathOf(url)}/2026-02-30`).expect(404);
  });

  it('answers a guessed link with 404: an HTML page for browsers, problem+json for JSON clients', async () => {
    const guessed = `/a/${randomBytes(32).toString('base64url')}`;
    const html = await anonymous.get(guessed).set('accept', 'text/html').expect(404);
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(html.text).toContain('This agenda link is not valid');
    const json = await anonymous.get(guessed).set('accept', 'application/json').expect(404);
    expect(json.headers['content-type']).toMatch(/^application\/problem\+json/);
    await anonymous.get('/a/short').expect(404);
    await anonymous.get(`${guessed}/2026-03-17`).expect(404);
  });

  it('reissues (the old link stops working, the invite gets the new one) and revokes', async () => {
    const reissued = await a.agenda.post(linkPath).expect(201);
    expect(reissued.body.url).not.toBe(url);
    await anonymous.get(pathOf(url)).expect(404);
    await anonymous.get(pathOf(reissued.body.url)).expect(200);
    expect((await a.scheduling.get(`/v1/series/${series.id}`).expect(200)).body.agendaUrl).toBe(reissued.body.url);

    await a.agenda.delete(linkPath).expect(204);
    await anonymous.get(pathOf(reissued.body.url)).expect(404);
    await anonymous.get(`${pathOf(reissued.body.url)}/2026-03-17`).expect(404);
    expect((await a.scheduling.get(`/v1/series/${series.id}`).expect(200)).body.agendaUrl).toBeNull();
    expect((await a.agenda.get(linkPath).expect(200)).body).toMatchObject({ active: false, url: null });
  });

  it('gives the scheduling service the active link, or a new one, over the internal endpoint', async () => {
    const internal = httpClient(h.agendaUrl, { 'x-internal-token': h.internalToken });
    const body = { organizationId: a.id, seriesId: series.id };
    await anonymous.post('/internal/v1/agenda-links', body).expect(401);
    await httpClient(h.agendaUrl, { 'x-internal-token': 'x'.repeat(43) })
      .post('/internal/v1/agenda-links', body)
      .expect(401);
    await internal.post('/internal/v1/agenda-links', { organizationId: a.id }).expect(400);
    const first = await internal.post('/internal/v1/agenda-links', body).expect(201);
    expect(first.body).toMatchObject({ seriesId: series.id, issued: true });
    // the scheduling service stores it on the series (the lead wires this into series creation)
    await a.scheduling.put(`/v1/series/${series.id}/agenda-link`, { url: first.body.url }).expect(200);
    const again = await internal.post('/internal/v1/agenda-links', body).expect(200);
    expect(again.body).toEqual({ seriesId: series.id, url: first.body.url, issued: false });
    await anonymous.get(pathOf(first.body.url)).expect(200);
  });
});

describe('organization isolation', () => {
  it('keeps organization A’s agendas, homework, templates and links from organization B', async () => {
    const agenda = `/v1/series/${series.id}/occurrences/${thisWeek}/agenda`;
    await a.agenda.get(agenda).expect(200);
    const hw = await a.agenda
      .post(`/v1/series/${series.id}/occurrences/${thisWeek}/homework`, { title: 'A only', owner: 'rep' })
      .expect(201);
    const tpl = await a.agenda.post('/v1/agenda-templates', { name: 'A’s', items: [{ title: 'All', minutes: 60 }] }).expect(201);

    await b.agenda.get(agenda).expect(404);
    await b.agenda.patch(agenda, { notes: 'B was here' }).expect(404);
    await b.agenda.get(`/v1/series/${series.id}/occurrences/${thisWeek}/homework`).expect(404);
    await b.agenda.post(`/v1/series/${series.id}/occurrences/${thisWeek}/homework`, { title: 'B', owner: 'rep' }).expect(404);
    await b.agenda.get(`/v1/homework/${hw.body.id}`).expect(404);
    await b.agenda.patch(`/v1/homework/${hw.body.id}`, { status: 'dropped' }).expect(404);
    expect((await b.agenda.get('/v1/homework').expect(200)).body.items).toEqual([]);
    expect((await b.agenda.get(`/v1/homework?seriesId=${series.id}`).expect(200)).body.items).toEqual([]);
    await b.agenda.get(`/v1/agenda-templates/${tpl.body.id}`).expect(404);
    await b.agenda.put(`/v1/agenda-templates/${tpl.body.id}`, { name: 'B', items: [{ title: 'x', minutes: 60 }] }).expect(404);
    expect((await b.agenda.get('/v1/agenda-templates').expect(200)).body.items.map((t: { id: string }) => t.id)).toEqual([
      'standard',
    ]);
    await b.agenda.get(`/v1/series/${series.id}/agenda-template`).expect(404);
    await b.agenda.put(`/v1/series/${series.id}/agenda-template`, { templateId: 'standard' }).expect(404);
    await b.agenda.post(linkPath).expect(404);
    await b.agenda.delete(linkPath).expect(404);
    await b.agenda.get(linkPath).expect(404);

    // and nothing changed for A
    expect((await a.agenda.get(agenda).expect(200)).body.notes).toBe('');
    expect((await a.agenda.get(`/v1/homework/${hw.body.id}`).expect(200)).body.status).toBe('open');
  });
});
