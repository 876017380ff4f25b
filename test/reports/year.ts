import type { AgendaHarness, AgendaTestOrg } from '../harness/agenda.js';

/**
 * A hand-built year (2026) for three pairs, every change made at a realistic moment on the
 * harness clock, through the local calendar and the agenda API like people would:
 *
 * A  Mara Manager & `Smith, Jo "JJ"` — New York, Tuesdays 09:00 (policy restore), 6 Jan – 29 Dec.
 *    DST: 3 Mar is 14:00Z, 10 Mar 13:00Z. 10 Mar moved to Thu 12 Mar (same ISO week); vacation
 *    excuse 13–24 Jul, then 14 and 21 Jul cancelled (excused); 1 Sep cancelled without excuse and
 *    reinstated by the policy (restored). Homework and agendas in January, homework on 15 Dec.
 * B  Mara Manager & Ray Rep — New York, Thursdays 15:00, 8 Jan – 31 Dec. 2 Apr (week 13) declined
 *    by the rep after 12 held weeks (streak.broken); 9 Apr moved to Mon 20 Apr, out of its week,
 *    the second miss in a row (cadence.at_risk).
 * C  Nina Boss & Lukas Vertrieb — Berlin, Mondays 08:00 (07:00Z in winter, 06:00Z in summer),
 *    5 Jan – 28 Dec; every other week from 12 Jan to 1 Jun cancelled without excuse (11 misses,
 *    never two in a row, never after more than one held week: no events).
 */
export const REPORT_NOW = '2026-12-16T12:00:00Z';

export const C_CANCELLED = [
  '2026-01-12',
  '2026-01-26',
  '2026-02-09',
  '2026-02-23',
  '2026-03-09',
  '2026-03-23',
  '2026-04-06',
  '2026-04-20',
  '2026-05-04',
  '2026-05-18',
  '2026-06-01',
];

export interface Year {
  org: AgendaTestOrg;
  hookSecret: string;
  people: { mara: string; nina: string; repA: string; repB: string; repC: string };
  series: { a: string; b: string; c: string };
}

/** Local wall time in a zone → the UTC key (`YYYYMMDDTHHMMSSZ`), via Intl (no extra dependency in tests). */
export function keyAt(date: string, time: string, zone: string): string {
  const guess = new Date(`${date}T${time}:00Z`);
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  })
    .formatToParts(guess)
    .reduce<Record<string, string>>((acc, p) => ({ ...acc, [p.type]: p.value }), {});
  const shown = Date.UTC(+parts.year!, +parts.month! - 1, +parts.day!, +parts.hour!, +parts.minute!);
  const utc = new Date(guess.getTime() - (shown - guess.getTime()));
  return utc
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/**
 * `receiverUrl`: where the streak webhooks go (none without). `delivered(type)` waits for a webhook of that type before the clock moves on (deliveries are
 * leased on the same clock: jumping it weeks ahead mid-delivery would look like a lost lease).
 */
export async function buildYear(
  h: AgendaHarness,
  receiverUrl: string | undefined,
  delivered: (type: string) => Promise<unknown> = async () => {},
): Promise<Year> {
  h.clock.set('2026-01-01T00:00:00Z');
  const org = await h.newOrg('Acme, "Sales" Inc.');
  const s = org.scheduling;
  const person = async (name: string, email: string, timeZone: string, role: string) =>
    ((await s.post('/v1/people', { name, email, timeZone, roles: [role] }).expect(201)).body as { id: string }).id;
  const mara = await person('Mara Manager', 'mara@example.com', 'America/New_York', 'manager');
  const nina = await person('Nina Boss', 'nina@example.com', 'Europe/Berlin', 'manager');
  const repA = await person('Smith, Jo "JJ"', 'jo@example.com', 'America/New_York', 'rep');
  const repB = await person('Ray Rep', 'ray@example.com', 'America/New_York', 'rep');
  const repC = await person('Lukas Vertrieb', 'lukas@example.com', 'Europe/Berlin', 'rep');
  const newSeries = async (body: object) => ((await s.post('/v1/series', body).expect(201)).body as { id: string }).id;
  const a = await newSeries({
    managerId: mara,
    repId: repA,
    weekday: 'tuesday',
    startTime: '09:00',
    timeZone: 'America/New_York',
    startDate: '2026-01-01',
    policy: 'restore',
  });
  const b = await newSeries({
    managerId: mara,
    repId: repB,
    weekday: 'thursday',
    startTime: '15:00',
    timeZone: 'America/New_York',
    startDate: '2026-01-02',
  });
  const c = await newSeries({
    managerId: nina,
    repId: repC,
    weekday: 'monday',
    startTime: '08:00',
    timeZone: 'Europe/Berlin',
    startDate: '2026-01-01',
  });
  await s
    .post('/v1/excuses', { scope: 'person', personId: repA, kind: 'vacation', fromDate: '2026-07-13', toDate: '2026-07-24' })
    .expect(201);
  const hook = receiverUrl
    ? ((
        await s
          .post('/v1/webhooks', { url: `${receiverUrl}/cadence`, eventTypes: ['streak.broken', 'cadence.at_risk'] })
          .expect(201)
      ).body as { secret: string })
    : { secret: '' };

  const A = (date: string) => keyAt(date, '09:00', 'America/New_York');
  const B = (date: string) => keyAt(date, '15:00', 'America/New_York');
  const C = (date: string) => keyAt(date, '08:00', 'Europe/Berlin');
  const at = (iso: string) => h.clock.set(iso);
  const homework = async (series: string, key: string, title: string) =>
    (
      (await org.agenda.post(`/v1/series/${series}/occurrences/${key}/homework`, { title, owner: 'rep' }).expect(201)).body as {
        id: string;
      }
    ).id;
  const agenda = (series: string, key: string, body: object) =>
    org.agenda.patch(`/v1/series/${series}/occurrences/${key}/agenda`, body).expect(200);
  const local = (series: string, key: string, action: string, body: object = {}) =>
    s.post(`/v1/local-calendar/series/${series}/occurrences/${key}/${action}`, body).expect(200);

  // C's cancellations, each two days ahead, interleaved in time order with the rest
  const events: [string, () => Promise<unknown>][] = C_CANCELLED.map((d) => [
    `${d}T00:00:00Z`,
    () => local(c, C(d), 'cancel', { reason: 'busy' }),
  ]);
  let h1 = '';
  let h2 = '';
  events.push(
    [
      '2026-01-06T15:00:00Z',
      async () => {
        h1 = await homework(a, A('2026-01-06'), 'Update the forecast');
        h2 = await homework(a, A('2026-01-06'), 'Call Contoso, Inc.');
        await homework(a, A('2026-01-06'), 'Clean up stale opportunities'); // never done: overdue
        const all = ['i1', 'i2', 'i3', 'i4', 'i5', 'i6', 'i7'].map((id) => ({ id, covered: true }));
        await agenda(a, A('2026-01-06'), { notes: 'Good start', items: all, figures: { calls: 40, dealsClosed: 2 } });
      },
    ],
    ['2026-01-08T21:00:00Z', () => agenda(b, B('2026-01-08'), { notes: 'Notes, with a comma' })],
    ['2026-01-12T12:00:00Z', () => org.agenda.patch(`/v1/homework/${h1}`, { status: 'done' }).expect(200)],
    [
      '2026-01-13T15:00:00Z',
      async () => {
        const dropped = await homework(a, A('2026-01-13'), 'Plan the QBR');
        await org.agenda.patch(`/v1/homework/${dropped}`, { status: 'dropped' }).expect(200);
        const three = ['i1', 'i2', 'i3'].map((id) => ({ id, covered: true }));
        await agenda(a, A('2026-01-13'), { items: three, figures: { calls: 30, dealsClosed: 3 } });
      },
    ],
    // due was 13 Jan 13:00Z (an hour before the next meeting): done late
    ['2026-01-14T12:00:00Z', () => org.agenda.patch(`/v1/homework/${h2}`, { status: 'done' }).expect(200)],
    ['2026-01-20T15:00:00Z', () => agenda(a, A('2026-01-20'), { figures: { calls: 36, dealsClosed: 4 } })],
    ['2026-03-09T12:00:00Z', () => local(a, A('2026-03-10'), 'move', { start: '2026-03-12T14:00:00Z' })],
    [
      '2026-03-30T12:00:00Z',
      async () => {
        await local(b, B('2026-04-02'), 'decline');
        await delivered('streak.broken');
      },
    ],
    [
      '2026-04-06T12:00:00Z',
      async () => {
        await local(b, B('2026-04-09'), 'move', { start: '2026-04-20T19:00:00Z' });
        await delivered('cadence.at_risk');
      },
    ],
    [
      '2026-07-10T12:00:00Z',
      async () => {
        await local(a, A('2026-07-14'), 'cancel', { reason: 'vacation' });
        await local(a, A('2026-07-21'), 'cancel', { reason: 'vacation' });
      },
    ],
    ['2026-08-31T12:00:00Z', () => local(a, A('2026-09-01'), 'cancel', { reason: 'customer visit' })],
    ['2026-12-15T15:00:00Z', () => homework(a, A('2026-12-15'), 'Prepare the 2027 territory plan')],
  );
  events.sort(([x], [y]) => (x < y ? -1 : 1));
  for (const [when, act] of events) {
    at(when);
    await act();
  }
  at(REPORT_NOW);
  return { org, hookSecret: hook.secret, people: { mara, nina, repA, repB, repC }, series: { a, b, c } };
}
