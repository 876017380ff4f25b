import { describe, expect, it } from 'vitest';
import { agendaHarness, httpClient, occurrenceKeys } from '../harness/agenda.js';

const h = await agendaHarness('agenda_forms', { start: '2026-03-16T15:00:00Z' });
const org = await h.newOrg('Acme');
const series = await h.newSeries(org, {
  weekday: 'tuesday',
  startTime: '09:00',
  timeZone: 'America/New_York',
  startDate: '2026-03-03',
});
const other = await h.newSeries(org, {
  weekday: 'friday',
  startTime: '11:00',
  timeZone: 'America/New_York',
  startDate: '2026-03-06',
});
const [, , thisWeek, nextWeek] = (await occurrenceKeys(org, series.id, '2026-03-01', '2026-03-29')) as string[];
const link = new URL((await org.agenda.post(`/v1/series/${series.id}/agenda-link`).expect(201)).body.url).pathname;
const otherLink = new URL((await org.agenda.post(`/v1/series/${other.id}/agenda-link`).expect(201)).body.url).pathname;
const browser = httpClient(h.agendaUrl, { accept: 'text/html' });

/** What a browser holds after loading a page: the cookie and the form token. */
async function load(path: string, cookie?: string) {
  const res = await browser
    .get(path)
    .set('cookie', cookie ?? '')
    .expect(200);
  const setCookie = (res.headers['set-cookie'] as unknown as string[] | undefined)?.[0];
  const csrf = /name="csrf" value="([^"]+)"/.exec(res.text)?.[1];
  return { html: res.text, cookie: cookie ?? setCookie!.split(';')[0]!, setCookie, csrf: csrf! };
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const post = (path: string, cookie: string, fields: Record<string, string>) =>
  browser.post(path).set('cookie', cookie).type('form').send(form(fields));
const agendaJson = async (key: string) =>
  (await org.agenda.get(`/v1/series/${series.id}/occurrences/${key}/agenda`).expect(200)).body;

describe('the agenda page’s forms', () => {
  it('sets a SameSite=Strict, HttpOnly cookie and a token in every form', async () => {
    const page = await load(link);
    expect(page.setCookie).toMatch(
      /^cadence_agenda_csrf=[A-Za-z0-9_-]{22}; Max-Age=\d+; Path=\/a\/; Expires=.*; HttpOnly; SameSite=Strict$/,
    );
    expect(page.html.match(/<form /g)!.length).toBeGreaterThan(10);
    expect(page.html).not.toMatch(/<script/i);
  });

  it('refuses forms without the cookie, with a wrong token, or with another link’s token', async () => {
    const page = await load(link);
    const fields = { intent: 'cover', occurrence: thisWeek!, item: 'i1', covered: 'true' };
    const noCookie = await browser
      .post(link)
      .type('form')
      .send(form({ ...fields, csrf: page.csrf }))
      .expect(403);
    expect(noCookie.text).toContain('Reload the page');
    await post(link, page.cookie, { ...fields, csrf: 'x'.repeat(43) }).expect(403);
    await post(link, page.cookie, fields).expect(403);
    const theirs = await load(otherLink, page.cookie);
    await post(link, page.cookie, { ...fields, csrf: theirs.csrf }).expect(403);
    expect((await agendaJson(thisWeek!)).items[0].covered).toBe(false);
  });

  it('ticks an item and redirects back with 303', async () => {
    const page = await load(link);
    const res = await post(link, page.cookie, {
      csrf: page.csrf,
      intent: 'cover',
      occurrence: thisWeek!,
      item: 'i2',
      covered: 'true',
    }).expect(303);
    expect(res.headers.location).toBe(link);
    expect((await agendaJson(thisWeek!)).items[1].covered).toBe(true);
    const again = await load(link, page.cookie);
    expect(again.html).toMatch(/<li id="item-i2" class="covered">/);
  });

  it('shows a note with markup as text', async () => {
    const page = await load(link);
    const note = '<script>alert("owned")</script> & <b>bold</b>';
    await post(link, page.cookie, { csrf: page.csrf, intent: 'notes', occurrence: thisWeek!, notes: note }).expect(303);
    await post(link, page.cookie, {
      csrf: page.csrf,
      intent: 'item-note',
      occurrence: thisWeek!,
      item: 'i3',
      note: '"><img src=x onerror=alert(1)>',
    }).expect(303);
    const after = await load(link, page.cookie);
    expect(after.html).toContain('&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;');
    expect(after.html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(after.html).not.toMatch(/<script|<img|<b>/i);
    expect((await agendaJson(thisWeek!)).notes).toBe(note);
  });

  it('records figures, rejecting what is not a number', async () => {
    const page = await load(link);
    const figures = { calls: '1,200', meetings: '9', dealsClosed: '4', pipelineAmount: '250000.50', forecastAmount: '' };
    const bad = await post(link, page.cookie, {
      csrf: page.csrf,
      intent: 'figures',
      occurrence: thisWeek!,
      ...figures,
      meetings: 'many',
    }).expect(400);
    expect(bad.headers['content-type']).toMatch(/^text\/html/);
    expect(bad.text).toContain('meetings: must be a number');
    expect((await agendaJson(thisWeek!)).figures.calls).toBeNull();
    await post(link, page.cookie, { csrf: page.csrf, intent: 'figures', occurrence: thisWeek!, ...figures }).expect(303);
    expect((await agendaJson(thisWeek!)).figures).toEqual({
      calls: 1200,
      meetings: 9,
      dealsClosed: 4,
      pipelineAmount: 250000.5,
      forecastAmount: null,
      salesCallsPerDealClosed: 300,
    });
  });

  it('adds homework (due read in the series’ zone) and completes it, recording who and where', async () => {
    const page = await load(link);
    const base = { csrf: page.csrf, intent: 'homework-add', occurrence: thisWeek!, details: '' };
    await post(link, page.cookie, { ...base, title: 'Refresh the forecast', owner: 'rep', due: '2026-03-20T17:00' }).expect(303);
    await post(link, page.cookie, { ...base, title: '', owner: 'rep', due: '' }).expect(400);
    await post(link, page.cookie, { ...base, title: 'x', owner: 'ceo', due: '' }).expect(400);
    const [hw] = (await agendaJson(thisWeek!)).newHomework;
    expect(hw).toMatchObject({
      title: 'Refresh the forecast',
      due: '2026-03-20T21:00:00.000Z',
      statusChangedBy: { via: 'agenda-page' },
    });

    const next = `${link}/${nextWeek}`;
    const nextPage = await load(next, page.cookie);
    expect(nextPage.html).toContain('Refresh the forecast');
    await post(next, page.cookie, {
      csrf: nextPage.csrf,
      intent: 'homework-status',
      occurrence: nextWeek!,
      homework: hw.id,
      status: 'done',
      changedBy: 'rep',
    })
      .expect(303)
      .expect('location', next);
    const done = (await org.agenda.get(`/v1/homework/${hw.id}`).expect(200)).body;
    expect(done).toMatchObject({ status: 'done', statusChangedBy: { role: 'rep', via: 'agenda-page' }, reviewedAt: nextWeek });
  });

  it('makes a cancelled occurrence’s page read-only', async () => {
    await org.scheduling
      .post(`/v1/local-calendar/series/${series.id}/occurrences/${nextWeek}/cancel`, { reason: 'Holiday' })
      .expect(200);
    const page = await load(link);
    const cancelled = await load(`${link}/${nextWeek}`, page.cookie);
    expect(cancelled.html).toContain('This meeting was cancelled.');
    expect(cancelled.html).not.toContain('<form');
    await post(`${link}/${nextWeek}`, page.cookie, {
      csrf: page.csrf,
      intent: 'notes',
      occurrence: nextWeek!,
      notes: 'x',
    }).expect(409);
    // the link now opens the next meeting that takes place
    expect((await browser.get(link).set('accept', 'application/json').expect(200)).body.occurrenceKey).toBe(thisWeek);
    h.clock.set('2026-03-17T15:00:00Z');
    expect((await browser.get(link).set('accept', 'application/json').expect(200)).body.occurrenceKey).toBe('20260331T130000Z');
  });
});
