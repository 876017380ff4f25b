import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { schedulingHarness, weeklySeries } from '../harness/scheduling.js';

const h = await schedulingHarness('validation', { now: () => new Date('2026-10-01T12:00:00Z') });
const org = await h.newOrg('Acme');
const { series, manager, rep } = await weeklySeries(org);
const S = series.id;
const K = '20261020T130000Z';
const validSeries = {
  managerId: manager.id,
  repId: rep.id,
  weekday: 'friday',
  startTime: '09:00',
  timeZone: 'Europe/Paris',
  startDate: '2026-10-23',
};

/** Every document in every collection: a rejected request must leave this unchanged. */
async function snapshot() {
  const m = h.ctx.models;
  const all = await Promise.all(
    [m.People, m.Series, m.Occurrences, m.Excuses, m.Outbox, m.LocalEvents].map((model) =>
      (model as typeof m.People).find().lean(),
    ),
  );
  return JSON.stringify(all);
}

type Case = [method: 'get' | 'post' | 'patch' | 'put' | 'delete', path: string, body: unknown, field: string, location?: string];

const cases: Case[] = [
  // unknown fields
  ['post', '/v1/people', { name: 'X', email: 'x@example.com', timeZone: 'UTC', roles: ['rep'], shoeSize: 42 }, 'shoeSize'],
  ['patch', `/v1/people/${manager.id}`, { nickname: 'M' }, 'nickname'],
  ['post', '/v1/series', { ...validSeries, color: 'red' }, 'color'],
  ['patch', `/v1/series/${S}`, { colour: 'blue' }, 'colour'],
  [
    'post',
    '/v1/excuses',
    { scope: 'organization', kind: 'holiday', fromDate: '2026-12-25', toDate: '2026-12-25', extra: true },
    'extra',
  ],
  ['post', `/v1/series/${S}/occurrences/${K}/excuse`, { reason: 'r', why: 'x' }, 'why'],
  ['post', `/v1/local-calendar/series/${S}/occurrences/${K}/cancel`, { reason: 'r', when: 'now' }, 'when'],
  ['post', `/v1/local-calendar/series/${S}/occurrences/${K}/move`, { start: '2026-10-21T13:00:00Z', room: 1 }, 'room'],
  ['post', `/v1/local-calendar/series/${S}/occurrences/${K}/decline`, { because: 'x' }, 'because'],
  ['post', `/v1/local-calendar/series/${S}/occurrences/${K}/edit`, { location: 'x', color: 1 }, 'color'],
  ['post', `/v1/local-calendar/series/${S}/truncate`, { fromKey: K, also: 1 }, 'also'],
  ['put', `/v1/series/${S}/agenda-link`, { url: null, extra: 1 }, 'extra'],
  // bad time zones
  ['post', '/v1/people', { name: 'X', email: 'x@example.com', timeZone: 'Mars/Olympus', roles: ['rep'] }, 'timeZone'],
  ['post', '/v1/series', { ...validSeries, timeZone: 'EST5' }, 'timeZone'],
  ['patch', `/v1/people/${manager.id}`, { timeZone: 'Europe/Atlantis' }, 'timeZone'],
  // bad HH:mm
  ['post', '/v1/series', { ...validSeries, startTime: '9am' }, 'startTime'],
  ['post', '/v1/series', { ...validSeries, startTime: '24:00' }, 'startTime'],
  ['patch', `/v1/series/${S}`, { startTime: '09:60' }, 'startTime'],
  // other bad values
  ['post', '/v1/series', { ...validSeries, durationMinutes: 5 }, 'durationMinutes'],
  ['post', '/v1/series', { ...validSeries, weekday: 'funday' }, 'weekday'],
  ['post', '/v1/series', { ...validSeries, startDate: '2026-02-30' }, 'startDate'],
  ['post', '/v1/series', { ...validSeries, managerId: 'per_nope' }, 'managerId'],
  ['post', '/v1/people', { name: 'X', email: 'not-mail', timeZone: 'UTC', roles: ['rep'] }, 'email'],
  ['post', '/v1/excuses', { scope: 'organization', kind: 'holiday', fromDate: '2026-12-26', toDate: '2026-12-25' }, 'toDate'],
  ['post', `/v1/local-calendar/series/${S}/occurrences/${K}/move`, { start: 'tomorrow' }, 'start'],
  ['put', `/v1/series/${S}/agenda-link`, { url: 'javascript:alert(1)' }, 'url'],
  // bad ids and keys in the path
  ['get', '/v1/series/not-an-id', undefined, 'id', 'params'],
  ['get', '/v1/people/ser_0000', undefined, 'id', 'params'],
  ['get', `/v1/series/${S}/occurrences/2026-10-20`, undefined, 'key', 'params'],
  ['get', `/v1/series/${S}/occurrences/20261340T130000Z`, undefined, 'key', 'params'],
  ['post', `/v1/local-calendar/series/${S}/occurrences/tomorrow/cancel`, {}, 'key', 'params'],
  ['delete', '/v1/excuses/123', undefined, 'id', 'params'],
  // bad query
  ['get', `/v1/series/${S}/occurrences?from=yesterday`, undefined, 'from', 'query'],
  ['get', '/v1/series?limit=0', undefined, 'limit', 'query'],
  ['get', '/v1/series?status=paused', undefined, 'status', 'query'],
  ['get', '/v1/people?sort=name', undefined, 'sort', 'query'],
];

describe('bad input on every route', () => {
  it.each(cases)('%s %s → 400 naming %s, nothing written', async (method, path, body, field, location = 'body') => {
    const before = await snapshot();
    const agent = request(h.app);
    const res = await agent[method](path)
      .set('authorization', `Bearer ${org.key}`)
      .send(body as object);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.errors).toContainEqual(expect.objectContaining({ field, location }));
    expect(await snapshot()).toBe(before);
  });

  it.each([
    ['post', '/v1/people'],
    ['post', '/v1/series'],
    ['patch', `/v1/series/${S}`],
    ['post', '/v1/excuses'],
    ['post', `/v1/local-calendar/series/${S}/occurrences/${K}/move`],
  ] as const)('%s %s with a malformed JSON body → 400, nothing written', async (method, path) => {
    const before = await snapshot();
    const agent = request(h.app);
    const res = await agent[method](path)
      .set('authorization', `Bearer ${org.key}`)
      .set('content-type', 'application/json')
      .send('{"name": "x",');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ title: 'Malformed body', errors: [{ location: 'body' }] });
    expect(await snapshot()).toBe(before);
  });
});
