import ICAL from 'ical.js';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { schedulingHarness, weeklySeries } from '../harness/scheduling.js';

const h = await schedulingHarness('local_calendar', { now: () => new Date('2026-10-01T12:00:00Z') });
const org = await h.newOrg('Acme');
const outbox = (seriesId: string) => h.ctx.models.Outbox.find({ seriesId }).sort({ sequence: 1 }).lean();

const newSeries = (suffix: string, extra: Record<string, unknown> = {}) =>
  weeklySeries(org, suffix, { location: 'Room 4', ...extra });

describe('the local calendar', () => {
  it('serves a feed a real iCalendar parser reads: RRULE, TZID, one EXDATE and one RECURRENCE-ID override', async () => {
    const { series, manager } = await newSeries('-feed');
    await org.api
      .post(`/v1/local-calendar/series/${series.id}/occurrences/20261027T130000Z/cancel`, { reason: 'offsite' })
      .expect(200);
    const moved = await org.api
      .post(`/v1/local-calendar/series/${series.id}/occurrences/20261103T140000Z/move`, { start: '2026-11-04T15:30:00Z' })
      .expect(200);
    expect(moved.body).toMatchObject({
      state: 'moved',
      move: { minutesMoved: 1530, sameWeek: true },
      start: '2026-11-04T15:30:00.000Z',
      end: '2026-11-04T16:30:00.000Z',
    });

    const feed = await org.api.post(`/v1/people/${manager.id}/feed`).expect(201);
    const path = new URL(feed.body.url).pathname;
    const ics = await request(h.app)
      .get(path)
      .expect(200)
      .expect('content-type', /text\/calendar/);

    const cal = new ICAL.Component(ICAL.parse(ics.text));
    for (const tz of cal.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(tz);
    const vevents = cal.getAllSubcomponents('vevent').filter((v) => String(v.getFirstPropertyValue('uid')).startsWith(series.id));
    const master = vevents.find((v) => !v.hasProperty('recurrence-id'))!;
    const overrides = vevents.filter((v) => v.hasProperty('recurrence-id'));
    expect(vevents).toHaveLength(2);

    expect(String(master.getFirstPropertyValue('rrule'))).toBe('FREQ=WEEKLY;BYDAY=TU');
    expect(master.getFirstProperty('dtstart')!.getParameter('tzid')).toBe('America/New_York');
    const event = new ICAL.Event(master);
    expect(event.startDate.toJSDate().toISOString()).toBe('2026-10-20T13:00:00.000Z');
    const exdates = master.getAllProperties('exdate').flatMap((p) => p.getValues() as ICAL.Time[]);
    expect(exdates.map((d) => d.toJSDate().toISOString())).toEqual(['2026-10-27T13:00:00.000Z']);

    expect(overrides).toHaveLength(1);
    const override = new ICAL.Event(overrides[0]!);
    expect(override.recurrenceId!.toJSDate().toISOString()).toBe('2026-11-03T14:00:00.000Z');
    expect(override.startDate.toJSDate().toISOString()).toBe('2026-11-04T15:30:00.000Z');

    // expanding the parsed event gives the calendar a person sees: no 10-27, 11-03 moved, 11-10 at 14:00Z (after DST)
    event.relateException(overrides[0]!);
    const it = event.iterator();
    const seen: string[] = [];
    for (let next = it.next(); next && seen.length < 4; next = it.next()) {
      if (exdates.some((d) => d.compare(next!) === 0)) continue;
      seen.push(event.getOccurrenceDetails(next).startDate.toJSDate().toISOString());
    }
    expect(seen).toEqual([
      '2026-10-20T13:00:00.000Z',
      '2026-11-04T15:30:00.000Z',
      '2026-11-10T14:00:00.000Z',
      '2026-11-17T14:00:00.000Z',
    ]);

    // a reissued link replaces the old one; a revoked one answers 404
    const again = await org.api.post(`/v1/people/${manager.id}/feed`).expect(201);
    await request(h.app).get(path).expect(404);
    await org.api.delete(`/v1/people/${manager.id}/feed`).expect(204);
    await request(h.app).get(new URL(again.body.url).pathname).expect(404);
    await request(h.app).get('/feeds/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics').expect(404);
  });

  it('classifies a cancellation inside an excuse as excused, outside as unexcused, and counts a repeat once', async () => {
    const { series, rep } = await newSeries('-excuse');
    await org.api
      .post('/v1/excuses', {
        scope: 'person',
        personId: rep.id,
        kind: 'vacation',
        fromDate: '2026-10-26',
        toDate: '2026-10-30',
        reason: 'Lisbon',
      })
      .expect(201);

    const inside = await org.api
      .post(`/v1/local-calendar/series/${series.id}/occurrences/20261027T130000Z/cancel`, {})
      .expect(200);
    expect(inside.body).toMatchObject({
      state: 'cancelled',
      cancellation: { excused: true, kind: 'vacation', reason: 'Lisbon', excusedBy: 'excuse' },
    });

    const outside = await org.api
      .post(`/v1/local-calendar/series/${series.id}/occurrences/20261103T140000Z/cancel`, { reason: 'busy' })
      .expect(200);
    expect(outside.body).toMatchObject({
      state: 'cancelled',
      cancellation: { excused: false, reason: 'busy', cancelledBy: { email: 'mara-excuse@example.com' } },
    });

    await org.api
      .post(`/v1/local-calendar/series/${series.id}/occurrences/20261103T140000Z/cancel`, { reason: 'busy' })
      .expect(200);
    const events = (await outbox(series.id)).filter((e) => e.type === 'occurrence.cancelled');
    expect(events.map((e) => e.occurrenceKey)).toEqual(['20261027T130000Z', '20261103T140000Z']);
    expect(events[1]!.data).toMatchObject({
      seriesId: series.id,
      occurrenceKey: '20261103T140000Z',
      scheduled: { start: '2026-11-03T14:00:00.000Z', startLocal: '2026-11-03T09:00:00-05:00', timeZone: 'America/New_York' },
      rep: { id: rep.id, email: 'ray-excuse@example.com' },
      calendar: 'local',
      classification: { excused: false, reason: 'busy' },
    });

    // a manager excuses it afterwards: re-classified, one more event
    const excused = await org.api
      .post(`/v1/series/${series.id}/occurrences/20261103T140000Z/excuse`, { reason: 'customer emergency', kind: 'other' })
      .expect(200);
    expect(excused.body.cancellation).toMatchObject({ excused: true, excusedBy: 'manager', reason: 'customer emergency' });
    expect((await outbox(series.id)).filter((e) => e.type === 'occurrence.excused')).toHaveLength(1);
    await org.api.post(`/v1/series/${series.id}/occurrences/20261110T140000Z/excuse`, { reason: 'x' }).expect(409);

    const history = await org.api.get(`/v1/series/${series.id}/occurrences/20261103T140000Z`).expect(200);
    expect(history.body.history.map((e: { change: string; source: string }) => `${e.source}:${e.change}`)).toEqual([
      'local:cancelled',
      'api:excused',
    ]);
  });

  it('policy restore reinstates an unexcused cancellation on the calendar and in the feed', async () => {
    const { series, rep } = await newSeries('-restore', { policy: 'restore' });
    const res = await org.api.post(`/v1/local-calendar/series/${series.id}/occurrences/20261027T130000Z/cancel`, {}).expect(200);
    expect(res.body).toMatchObject({ state: 'restored', cancellation: { excused: false } });
    expect((await outbox(series.id)).map((e) => e.type)).toEqual([
      'series.created',
      'occurrence.cancelled',
      'occurrence.restored',
    ]);

    const feed = await org.api.post(`/v1/people/${rep.id}/feed`).expect(201);
    const ics = await request(h.app).get(new URL(feed.body.url).pathname).expect(200);
    expect(ics.text).not.toContain('EXDATE');
    const event = await h.ctx.models.LocalEvents.findOne({ seriesId: series.id }).lean();
    expect(event!.cancelled).toEqual([]);
  });

  it('records declines, edits, a series cut short and a deleted series as events', async () => {
    const { series, rep } = await newSeries('-more');
    const declined = await org.api
      .post(`/v1/local-calendar/series/${series.id}/occurrences/20261020T130000Z/decline`, {})
      .expect(200);
    expect(declined.body).toMatchObject({
      state: 'declined',
      decline: { by: [{ email: rep.email, personId: rep.id, role: 'rep' }] },
    });
    const edited = await org.api
      .post(`/v1/local-calendar/series/${series.id}/occurrences/20261027T130000Z/edit`, { location: 'Cafe' })
      .expect(200);
    expect(edited.body).toMatchObject({ state: 'scheduled', location: 'Cafe', modification: { fields: ['location'] } });
    await org.api.post(`/v1/local-calendar/series/${series.id}/truncate`, { fromKey: '20261110T140000Z' }).expect(200);
    expect((await org.api.get(`/v1/series/${series.id}`).expect(200)).body).toMatchObject({
      endDate: '2026-11-09',
      endReason: 'calendar_truncated',
    });
    const occ = await org.api.get(`/v1/series/${series.id}/occurrences?from=2026-10-01&to=2026-12-31`).expect(200);
    expect(occ.body.items.map((o: { key: string }) => o.key)).toEqual([
      '20261020T130000Z',
      '20261027T130000Z',
      '20261103T140000Z',
    ]);
    await org.api.post(`/v1/local-calendar/series/${series.id}/delete`).expect(200);
    await org.api.post(`/v1/local-calendar/series/${series.id}/delete`).expect(200);
    expect((await org.api.get(`/v1/series/${series.id}`).expect(200)).body).toMatchObject({
      status: 'cancelled',
      endReason: 'calendar_deleted',
    });
    expect((await outbox(series.id)).map((e) => e.type)).toEqual([
      'series.created',
      'occurrence.declined',
      'occurrence.modified',
      'series.truncated',
      'series.cancelled',
    ]);
  });
});
