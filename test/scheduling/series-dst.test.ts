import { describe, expect, it } from 'vitest';
import { pair, schedulingHarness } from '../harness/scheduling.js';

const h = await schedulingHarness('series_dst', { now: () => new Date('2026-10-01T12:00:00Z') });
const org = await h.newOrg('Acme');

describe('weekly series across daylight-saving changes', () => {
  it('keeps 09:00 New York local across the November change (13:00Z, then 14:00Z)', async () => {
    const { manager, rep } = await pair(org, 'America/New_York');
    const created = await org.api
      .post('/v1/series', {
        managerId: manager.id,
        repId: rep.id,
        weekday: 'tuesday',
        startTime: '09:00',
        timeZone: 'America/New_York',
        startDate: '2026-10-20',
      })
      .expect(201);
    expect(created.body).toMatchObject({
      rrule: 'RRULE:FREQ=WEEKLY;BYDAY=TU',
      durationMinutes: 60,
      policy: 'flag',
      status: 'active',
      calendar: { provider: 'local' },
    });

    const occ = await org.api.get(`/v1/series/${created.body.id}/occurrences?from=2026-10-20&to=2026-11-11`).expect(200);
    const starts = occ.body.items.map((o: { start: string; startLocal: string }) => [o.start, o.startLocal]);
    expect(starts).toEqual([
      ['2026-10-20T13:00:00.000Z', '2026-10-20T09:00:00-04:00'],
      ['2026-10-27T13:00:00.000Z', '2026-10-27T09:00:00-04:00'],
      ['2026-11-03T14:00:00.000Z', '2026-11-03T09:00:00-05:00'],
      ['2026-11-10T14:00:00.000Z', '2026-11-10T09:00:00-05:00'],
    ]);

    const key = occ.body.items[2].key;
    expect(key).toBe('20261103T140000Z');
    const one = await org.api.get(`/v1/series/${created.body.id}/occurrences/${key}`).expect(200);
    expect(one.body).toMatchObject({ key, originalStart: '2026-11-03T14:00:00.000Z', state: 'scheduled', durationMinutes: 60 });
    await org.api.get(`/v1/series/${created.body.id}/occurrences/20261103T150000Z`).expect(404);
  });

  it('does the same in Europe/Berlin around its own change (07:00Z, then 08:00Z)', async () => {
    const { manager, rep } = await pair(org, 'Europe/Berlin', '-b');
    const created = await org.api
      .post('/v1/series', {
        managerId: manager.id,
        repId: rep.id,
        weekday: 'tuesday',
        startTime: '09:00',
        timeZone: 'Europe/Berlin',
        startDate: '2026-10-20',
        count: 3,
      })
      .expect(201);
    expect(created.body.rrule).toBe('RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=3');
    expect(created.body.endDate).toBe('2026-11-03');
    const occ = await org.api.get(`/v1/series/${created.body.id}/occurrences?from=2026-10-01&to=2026-12-01`).expect(200);
    expect(occ.body.items.map((o: { start: string }) => o.start)).toEqual([
      '2026-10-20T07:00:00.000Z',
      '2026-10-27T08:00:00.000Z',
      '2026-11-03T08:00:00.000Z',
    ]);
  });

  it('refuses a second active series for the same pair and a range over two years', async () => {
    const { manager, rep } = await pair(org, 'America/Chicago', '-c');
    const body = {
      managerId: manager.id,
      repId: rep.id,
      weekday: 'monday',
      startTime: '10:30',
      timeZone: 'America/Chicago',
      startDate: '2026-10-05',
    };
    const first = await org.api.post('/v1/series', body).expect(201);
    const second = await org.api.post('/v1/series', body).expect(409);
    expect(second.body).toMatchObject({ status: 409, errors: [{ field: 'repId' }] });
    const tooLong = await org.api.get(`/v1/series/${first.body.id}/occurrences?from=2026-01-01&to=2028-01-02`).expect(400);
    expect(tooLong.body.errors).toEqual([{ location: 'query', field: 'to', message: 'the range may span at most two years' }]);
    // once ended, the pair may start again
    await org.api.post(`/v1/series/${first.body.id}/end`).expect(200);
    await org.api.post('/v1/series', body).expect(201);
  });
});
