import { describe, expect, it } from 'vitest';
import { agendaHarness, occurrenceKeys } from '../harness/agenda.js';

const h = await agendaHarness('agenda_making', { start: '2026-04-01T12:00:00Z' });
const org = await h.newOrg('Acme');
const agendaOf = (seriesId: string, key: string) => `/v1/series/${seriesId}/occurrences/${key}/agenda`;
type Item = { title: string; minutes: number };
const items = (body: { items: Item[] }) => body.items.map((i) => `${i.title} ${i.minutes}`);

describe('making occurrence agendas', () => {
  it('applies a template change to week 5 (not made yet) but not to week 4 (already made)', async () => {
    const series = await h.newSeries(org, {
      weekday: 'thursday',
      startTime: '10:00',
      timeZone: 'Europe/London',
      startDate: '2026-04-02',
    });
    const weeks = await occurrenceKeys(org, series.id, '2026-04-01', '2026-05-06');
    expect(weeks).toHaveLength(5);
    const template = await org.agenda
      .post('/v1/agenda-templates', {
        name: 'Field sales',
        items: [
          { title: 'Homework review', guidance: 'What was due', minutes: 10 },
          { title: 'Pipeline', minutes: 30 },
          { title: 'New homework', minutes: 20 },
        ],
      })
      .expect(201);
    expect(template.body).toMatchObject({ version: 1, builtIn: false, durationMinutes: 60 });
    await org.agenda.put(`/v1/series/${series.id}/agenda-template`, { templateId: template.body.id }).expect(200);

    for (const key of weeks.slice(0, 4)) await org.agenda.get(agendaOf(series.id, key)).expect(200);

    const changed = await org.agenda
      .put(`/v1/agenda-templates/${template.body.id}`, {
        name: 'Field sales',
        items: [
          { title: 'Homework review', minutes: 5 },
          { title: 'Pipeline', minutes: 25 },
          { title: 'Territory time', minutes: 15 },
          { title: 'New homework', minutes: 15 },
        ],
      })
      .expect(200);
    expect(changed.body.version).toBe(2);

    const week4 = await org.agenda.get(agendaOf(series.id, weeks[3]!)).expect(200);
    expect(week4.body.template).toEqual({ id: template.body.id, version: 1, name: 'Field sales' });
    expect(items(week4.body)).toEqual(['Homework review 10', 'Pipeline 30', 'New homework 20']);
    const week5 = await org.agenda.get(agendaOf(series.id, weeks[4]!)).expect(200);
    expect(week5.body.template).toEqual({ id: template.body.id, version: 2, name: 'Field sales' });
    expect(items(week5.body)).toEqual(['Homework review 5', 'Pipeline 25', 'Territory time 15', 'New homework 15']);

    const v1 = await org.agenda.get(`/v1/agenda-templates/${template.body.id}/versions/1`).expect(200);
    expect(items(v1.body)).toEqual(['Homework review 10', 'Pipeline 30', 'New homework 20']);
    await org.agenda.get(`/v1/agenda-templates/${template.body.id}/versions/3`).expect(404);

    // the template is in use by a 60-minute series: its length cannot change under it
    const longer = await org.agenda
      .put(`/v1/agenda-templates/${template.body.id}`, {
        name: 'Long',
        durationMinutes: 90,
        items: [{ title: 'All', minutes: 90 }],
      })
      .expect(409);
    expect(longer.body.errors[0].field).toBe('durationMinutes');
  });

  it('makes one agenda for twenty concurrent first requests', async () => {
    const series = await h.newSeries(org, {
      weekday: 'monday',
      startTime: '08:30',
      timeZone: 'Asia/Tokyo',
      startDate: '2026-04-06',
    });
    const [key] = await occurrenceKeys(org, series.id, '2026-04-06', '2026-04-07');
    const answers = await Promise.all(Array.from({ length: 20 }, () => org.agenda.get(agendaOf(series.id, key!))));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
    expect(answers[0]!.body).toMatchObject({ revision: 1, plannedMinutes: 60 });
    const stored = await h.agenda.ctx.models.Agendas.find({ seriesId: series.id }).lean();
    expect(stored.map((a) => a._id)).toEqual([`${series.id}:${key}`]);

    // concurrent changes are all kept (compare-and-set on the revision, retried)
    const ticks = await Promise.all(
      ['i1', 'i2', 'i3', 'i4', 'i5'].map((id) => org.agenda.patch(agendaOf(series.id, key!), { items: [{ id, covered: true }] })),
    );
    expect(ticks.map((t) => t.status)).toEqual(Array(5).fill(200));
    const after = await org.agenda.get(agendaOf(series.id, key!)).expect(200);
    expect(after.body.items.filter((i: { covered: boolean }) => i.covered).map((i: { id: string }) => i.id)).toEqual([
      'i1',
      'i2',
      'i3',
      'i4',
      'i5',
    ]);
    expect(after.body.revision).toBe(6);
  });
});
