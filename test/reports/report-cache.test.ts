import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { agendaHarness, agendaReplica, occurrenceKeys } from '../harness/agenda.js';

/**
 * A report's reads are kept REPORT_CACHE_MS, but its figures are as of each request: a meeting
 * that was still to come when the read was made counts as held once it is over.
 */
const h = await agendaHarness('report_cache', { start: '2026-03-02T12:00:00Z' });
const org = await h.newOrg('Acme');
// Mondays 14:00 in Berlin (13:00Z), an hour long: on 2 March at noon UTC that day's is still to come
const series = await h.newSeries(org, {
  weekday: 'monday',
  startTime: '14:00',
  timeZone: 'Europe/Berlin',
  startDate: '2026-02-02',
});
const path = '/v1/reports/cadence?from=2026-02-02&to=2026-03-02';
type Figures = {
  scheduled: { total: number; past: number; upcoming: number };
  held: { total: number };
  cancelled: { unexcused: number };
};

describe('a kept report read', () => {
  it('counts a meeting that ended after the read as held, while showing what the read saw', async () => {
    const cached = (await agendaReplica(h, 'agenda-report-cache', { reportCacheMs: 24 * 3600_000 })).app;
    const viaCache = async () =>
      (await request(cached).get(path).set('authorization', `Bearer ${org.key}`).expect(200)).body.pairs[0] as Figures;
    const fresh = async () => (await org.agenda.get(path).expect(200)).body.pairs[0] as Figures;

    expect(await viaCache()).toMatchObject({ scheduled: { total: 5, past: 4, upcoming: 1 }, held: { total: 4 } });
    // a change after the read: the kept read does not see it, a fresh one does
    const [, , , feb23] = await occurrenceKeys(org, series.id, '2026-02-02', '2026-03-02');
    await org.scheduling.post(`/v1/local-calendar/series/${series.id}/occurrences/${feb23}/cancel`, { reason: 'x' }).expect(200);

    h.clock.set('2026-03-02T14:30:00Z'); // 2 March's meeting is over
    expect(await viaCache()).toMatchObject({
      scheduled: { total: 5, past: 5, upcoming: 0 },
      held: { total: 5 },
      cancelled: { unexcused: 0 },
    });
    expect(await fresh()).toMatchObject({
      scheduled: { total: 5, past: 5, upcoming: 0 },
      held: { total: 4 },
      cancelled: { unexcused: 1 },
    });
  });
});
