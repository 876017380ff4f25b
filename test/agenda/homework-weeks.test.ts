import { describe, expect, it } from 'vitest';
import { agendaHarness, occurrenceKeys } from '../harness/agenda.js';

// Tuesdays 09:00 New York; the US changes to daylight time on Sunday 8 March 2026
const h = await agendaHarness('agenda_homework', { start: '2026-03-02T12:00:00Z' });
const org = await h.newOrg('Acme');
const series = await h.newSeries(org, {
  weekday: 'tuesday',
  startTime: '09:00',
  timeZone: 'America/New_York',
  startDate: '2026-03-03',
});
const [w1, w2, w3, w4] = (await occurrenceKeys(org, series.id, '2026-03-01', '2026-03-29')) as [string, string, string, string];
const occ = (key: string) => `/v1/series/${series.id}/occurrences/${key}`;
type Hw = { id: string; title: string; status: string; due: string; overdue: boolean };
const titles = (list: Hw[]) => list.map((x) => x.title);

describe('homework across weeks', () => {
  let report: Hw;
  let calls: Hw;

  it('is assigned in week 1, due by default one hour before week 2 starts', async () => {
    expect([w1, w2, w3, w4]).toEqual(['20260303T140000Z', '20260310T130000Z', '20260317T130000Z', '20260324T130000Z']);
    h.clock.set('2026-03-03T14:40:00Z');
    report = (await org.agenda.post(`${occ(w1)}/homework`, { title: 'Send the Q2 territory plan', owner: 'rep' }).expect(201))
      .body;
    expect(report).toMatchObject({
      occurrenceKey: w1,
      owner: 'rep',
      status: 'open',
      dueDefaulted: true,
      // week 2 starts 09:00 EDT = 13:00Z
      due: '2026-03-10T12:00:00.000Z',
      statusChangedBy: { role: null, via: 'api' },
    });
    calls = (
      await org.agenda
        .post('/v1/homework', {
          seriesId: series.id,
          occurrenceKey: w1,
          title: 'Call three stalled accounts',
          details: 'Northwind, Contoso, Fabrikam',
          owner: 'manager',
          due: '2026-03-09T21:00:00Z',
        })
        .expect(201)
    ).body;
    expect(calls).toMatchObject({ dueDefaulted: false, due: '2026-03-09T21:00:00.000Z', owner: 'manager' });
    const week1 = await org.agenda.get(`${occ(w1)}/agenda`).expect(200);
    expect(titles(week1.body.newHomework)).toEqual(['Send the Q2 territory plan', 'Call three stalled accounts']);
    expect(week1.body.homeworkReview).toEqual([]);
  });

  it('shows open week-1 homework in week 2’s homework review', async () => {
    h.clock.set('2026-03-10T13:05:00Z');
    const week2 = await org.agenda.get(`${occ(w2)}/agenda`).expect(200);
    expect(titles(week2.body.homeworkReview)).toEqual(['Send the Q2 territory plan', 'Call three stalled accounts']);
    expect(week2.body.homeworkReview[1]).toMatchObject({ status: 'open', overdue: true });
    expect(week2.body.newHomework).toEqual([]);
  });

  it('is done in week 2 and gone from week 3’s review, while week 2 still shows it done', async () => {
    const done = await org.agenda.patch(`/v1/homework/${report.id}`, { status: 'done', changedBy: 'rep' }).expect(200);
    expect(done.body).toMatchObject({
      status: 'done',
      statusChangedAt: '2026-03-10T13:05:00.000Z',
      statusChangedBy: { role: 'rep', via: 'api' },
      reviewedAt: w2,
      overdue: false,
    });
    expect(done.body.history.map((x: { status: string }) => x.status)).toEqual(['open', 'done']);

    const week2 = await org.agenda.get(`${occ(w2)}/homework`).expect(200);
    expect(week2.body.review.map((x: Hw) => [x.title, x.status])).toEqual([
      ['Send the Q2 territory plan', 'done'],
      ['Call three stalled accounts', 'open'],
    ]);
    const week3 = await org.agenda.get(`${occ(w3)}/agenda`).expect(200);
    expect(titles(week3.body.homeworkReview)).toEqual(['Call three stalled accounts']);
  });

  it('makes a cancelled occurrence read-only and rolls its open items to the next one', async () => {
    await org.scheduling
      .post(`/v1/local-calendar/series/${series.id}/occurrences/${w3}/cancel`, { reason: 'Offsite' })
      .expect(200);
    // with week 3 cancelled, homework from week 2 is due before week 4
    const deck = await org.agenda
      .post(`${occ(w2)}/homework`, { title: 'Coaching: discovery questions', owner: 'rep' })
      .expect(201);
    expect(deck.body.due).toBe('2026-03-24T12:00:00.000Z');

    const week3 = await org.agenda.get(`${occ(w3)}/agenda`).expect(200);
    expect(week3.body).toMatchObject({ readOnly: true, occurrence: { state: 'cancelled' }, rolledOverTo: { occurrenceKey: w4 } });
    const refused = await org.agenda.patch(`${occ(w3)}/agenda`, { notes: 'too late' }).expect(409);
    expect(refused.body.detail).toMatch(/cancelled/);
    await org.agenda.post(`${occ(w3)}/homework`, { title: 'Nope', owner: 'rep' }).expect(409);
    expect((await org.agenda.get(`${occ(w3)}/agenda`).expect(200)).body.notes).toBe('');

    const week4 = await org.agenda.get(`${occ(w4)}/agenda`).expect(200);
    expect(titles(week4.body.homeworkReview)).toEqual(['Call three stalled accounts', 'Coaching: discovery questions']);
  });

  it('lists homework by status and overdue, scoped to the organization', async () => {
    h.clock.set('2026-03-11T00:00:00Z');
    const open = await org.agenda.get(`/v1/homework?seriesId=${series.id}&status=open`).expect(200);
    expect(titles(open.body.items)).toEqual(['Call three stalled accounts', 'Coaching: discovery questions']);
    const overdue = await org.agenda.get('/v1/homework?overdue=true').expect(200);
    expect(titles(overdue.body.items)).toEqual(['Call three stalled accounts']);
    const page = await org.agenda.get('/v1/homework?limit=1').expect(200);
    expect(page.body.items).toHaveLength(1);
    const next = await org.agenda.get(`/v1/homework?limit=5&cursor=${page.body.nextCursor}`).expect(200);
    expect(next.body.items).toHaveLength(2);
  });

  it('answers bad homework input with 400 naming the field, and writes nothing', async () => {
    const before = (await org.agenda.get('/v1/homework?limit=200').expect(200)).body.items.length;
    const cases: [object, string][] = [
      [{ title: '', owner: 'rep' }, 'title'],
      [{ title: 'x', owner: 'boss' }, 'owner'],
      [{ title: 'x', owner: 'rep', due: 'next tuesday' }, 'due'],
      [{ title: 'x', owner: 'rep', colour: 'red' }, 'colour'],
    ];
    for (const [body, field] of cases) {
      const res = await org.agenda.post(`${occ(w2)}/homework`, body).expect(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
    }
    const patch = await org.agenda.patch(`/v1/homework/${calls.id}`, { status: 'finished' }).expect(400);
    expect(patch.body.errors[0].field).toBe('status');
    await org.agenda.patch(`/v1/homework/${calls.id}`, { changedBy: 'rep' }).expect(400);
    await org.agenda.patch('/v1/homework/hw_000000000000000000000', { status: 'done' }).expect(404);
    await org.agenda.get('/v1/homework?overdue=maybe').expect(400);
    expect((await org.agenda.get('/v1/homework?limit=200').expect(200)).body.items.length).toBe(before);
  });

  it('is due at the end of the same weekday a week later when no meeting follows', async () => {
    const last = await h.newSeries(org, {
      weekday: 'friday',
      startTime: '16:00',
      timeZone: 'Europe/Berlin',
      startDate: '2026-03-20',
      count: 1,
    });
    const [only] = await occurrenceKeys(org, last.id, '2026-03-20', '2026-03-21');
    const hw = await org.agenda
      .post(`/v1/series/${last.id}/occurrences/${only}/homework`, { title: 'Wrap up', owner: 'manager' })
      .expect(201);
    // Friday 27 March 23:59:59.999 in Berlin (CET, UTC+1)
    expect(hw.body.due).toBe('2026-03-27T22:59:59.999Z');
  });
});
