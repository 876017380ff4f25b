import { describe, expect, it } from 'vitest';
import { graphClient, graphFailure, PROP_ID, useEmulator, weeklyOneOnOne } from './test-support.js';
import type { Json } from './test-support.js';

describe('Microsoft emulator: events', () => {
  const fx = useEmulator();

  it('creates a series master with Graph defaults filled, UTC seven-digit times and no extended properties', async () => {
    const created = (await fx.client.api('/me/events').post(weeklyOneOnOne())) as Json;
    expect(created.id).toMatch(/^AAMk[A-Za-z0-9_=-]+$/);
    expect(created.type).toBe('seriesMaster');
    expect(created.seriesMasterId).toBeNull();
    expect(created.start).toEqual({ dateTime: '2026-10-20T13:00:00.0000000', timeZone: 'UTC' });
    expect(created.end).toEqual({ dateTime: '2026-10-20T14:00:00.0000000', timeZone: 'UTC' });
    expect(created.originalStartTimeZone).toBe('America/New_York');
    expect(created.recurrence).toEqual({
      pattern: {
        type: 'weekly',
        interval: 1,
        month: 0,
        dayOfMonth: 0,
        daysOfWeek: ['tuesday'],
        firstDayOfWeek: 'monday',
        index: 'first',
      },
      range: {
        type: 'noEnd',
        startDate: '2026-10-20',
        endDate: '0001-01-01',
        recurrenceTimeZone: 'America/New_York',
        numberOfOccurrences: 0,
      },
    });
    expect(created.attendees).toEqual([
      {
        type: 'required',
        status: { response: 'none', time: '0001-01-01T00:00:00Z' },
        emailAddress: { name: 'Riley Rep', address: 'rep@contoso.example' },
      },
    ]);
    expect(created.organizer).toEqual({ emailAddress: { name: 'Morgan Manager', address: 'manager@contoso.example' } });
    expect(created.allowNewTimeProposals).toBe(false);
    expect(created.body.contentType).toBe('html');
    expect(created.body.content).toContain('<body>\r\n<p>Agenda:');
    expect(created['@odata.etag']).toBe(`W/"${created.changeKey}"`);
    expect(created.createdDateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);
    expect(created).not.toHaveProperty('singleValueExtendedProperties');

    const plain = (await fx.client.api(`/me/events/${created.id}`).get()) as Json;
    expect(plain).not.toHaveProperty('singleValueExtendedProperties');
    const expanded = (await fx.client
      .api(`/me/events/${created.id}`)
      .expand(`singleValueExtendedProperties($filter=id eq '${PROP_ID}')`)
      .get()) as Json;
    expect(expanded.singleValueExtendedProperties).toEqual([{ id: PROP_ID, value: 'series-1' }]);
  });

  it('defaults allowNewTimeProposals to true and fills numbered ranges with endDate 0001-01-01', async () => {
    const body = weeklyOneOnOne({
      allowNewTimeProposals: undefined,
      recurrence: {
        pattern: { type: 'weekly', interval: 2, daysOfWeek: ['Tuesday'], firstDayOfWeek: 'sunday' },
        range: { type: 'numbered', startDate: '2026-10-20', numberOfOccurrences: 3 },
      },
    });
    const created = (await fx.client.api('/me/events').post(body)) as Json;
    expect(created.allowNewTimeProposals).toBe(true);
    expect(created.recurrence.range).toEqual({
      type: 'numbered',
      startDate: '2026-10-20',
      endDate: '0001-01-01',
      recurrenceTimeZone: 'America/New_York',
      numberOfOccurrences: 3,
    });
    expect(created.recurrence.pattern.daysOfWeek).toEqual(['tuesday']);
  });

  it('rejects a weekly pattern without firstDayOfWeek, or with properties the pattern does not use', async () => {
    const noFirstDay = weeklyOneOnOne({
      recurrence: {
        pattern: { type: 'weekly', interval: 1, daysOfWeek: ['tuesday'] },
        range: { type: 'noEnd', startDate: '2026-10-20' },
      },
    });
    const e1 = await graphFailure(fx.client.api('/me/events').post(noFirstDay));
    expect(e1.statusCode).toBe(400);
    expect(e1.message).toMatch(/firstDayOfWeek/);

    const unused = weeklyOneOnOne({
      recurrence: {
        pattern: { type: 'weekly', interval: 1, daysOfWeek: ['tuesday'], firstDayOfWeek: 'monday', dayOfMonth: 15 },
        range: { type: 'noEnd', startDate: '2026-10-20' },
      },
    });
    const e2 = await graphFailure(fx.client.api('/me/events').post(unused));
    expect(e2.statusCode).toBe(400);
    expect(e2.message).toMatch(/dayOfMonth/);

    const unknown = await graphFailure(fx.client.api('/me/events').post(weeklyOneOnOne({ colour: 'green' })));
    expect(unknown.statusCode).toBe(400);
    expect(unknown.code).toBe('RequestBodyRead');

    const badZone = await graphFailure(
      fx.client.api('/me/events').post(weeklyOneOnOne({ start: { dateTime: '2026-10-20T09:00:00', timeZone: 'Mars/Olympus' } })),
    );
    expect(badZone.code).toBe('TimeZoneNotSupportedException');
  });

  it('treats a repeated transactionId as the same create', async () => {
    const body = weeklyOneOnOne({ transactionId: 'cadence-series-42' });
    const first = (await fx.client.api('/me/events').post(body)) as Json;
    const second = (await fx.client.api('/me/events').post(body)) as Json;
    expect(second.id).toBe(first.id);
    expect(first.transactionId).toBe('cadence-series-42');
    const matching = (await fx.client
      .api('/me/events')
      .filter(`singleValueExtendedProperties/Any(ep: ep/id eq '${PROP_ID}' and ep/value eq 'series-1')`)
      .top(100)
      .get()) as Json;
    expect(matching.value.filter((e: Json) => e.transactionId === 'cadence-series-42')).toHaveLength(1);
  });

  it('finds events by extended property value with $filter, case-insensitively on the value', async () => {
    const mine = (await fx.client.api('/users/manager@contoso.example/events').post(
      weeklyOneOnOne({
        singleValueExtendedProperties: [{ id: PROP_ID, value: 'Series-Filter-Me' }],
      }),
    )) as Json;
    const found = (await fx.client
      .api('/me/events')
      .filter(`singleValueExtendedProperties/Any(ep: ep/id eq '${PROP_ID}' and ep/value eq 'series-filter-me')`)
      .expand(`singleValueExtendedProperties($filter=id eq '${PROP_ID}')`)
      .get()) as Json;
    expect(found.value.map((e: Json) => e.id)).toEqual([mine.id]);
    expect(found.value[0].singleValueExtendedProperties).toEqual([{ id: PROP_ID, value: 'Series-Filter-Me' }]);
    const none = (await fx.client
      .api('/me/events')
      .filter(
        `singleValueExtendedProperties/Any(ep: ep/id eq '${PROP_ID.replace('CadenceSeriesId', 'cadenceseriesid')}' and ep/value eq 'series-filter-me')`,
      )
      .get()) as Json;
    expect(none.value).toEqual([]);
  });

  it('writes times in the Prefer: outlook.timezone zone, Windows names included', async () => {
    const created = (await fx.client.api('/me/events').post(weeklyOneOnOne())) as Json;
    const eastern = (await fx.client
      .api(`/me/events/${created.id}`)
      .header('Prefer', 'outlook.timezone="Eastern Standard Time"')
      .get()) as Json;
    expect(eastern.start).toEqual({ dateTime: '2026-10-20T09:00:00.0000000', timeZone: 'Eastern Standard Time' });
    const iana = (await fx.client
      .api(`/me/events/${created.id}`)
      .header('Prefer', 'outlook.timezone="Europe/Paris"')
      .get()) as Json;
    expect(iana.start.dateTime).toBe('2026-10-20T15:00:00.0000000');
  });

  it('patches, cancels (202, organizer) and deletes, then answers 404 ErrorItemNotFound', async () => {
    const created = (await fx.client.api('/me/events').post(weeklyOneOnOne())) as Json;
    const patched = (await fx.client.api(`/me/events/${created.id}`).patch({ subject: 'Renamed 1:1' })) as Json;
    expect(patched.subject).toBe('Renamed 1:1');
    expect(patched.changeKey).not.toBe(created.changeKey);

    const res = await fetch(`${fx.emulator.url}/v1.0/me/events/${created.id}/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fx.manager.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ comment: 'No longer needed' }),
    });
    expect(res.status).toBe(202);
    const gone = await graphFailure(fx.client.api(`/me/events/${created.id}`).get());
    expect(gone.statusCode).toBe(404);
    expect(gone.code).toBe('ErrorItemNotFound');
    expect(gone.requestId).toBeTruthy();

    const other = (await fx.client.api('/me/events').post(weeklyOneOnOne())) as Json;
    await fx.client.api(`/me/events/${other.id}`).delete();
    expect((await graphFailure(fx.client.api(`/me/events/${other.id}`).get())).code).toBe('ErrorItemNotFound');
    expect((await graphFailure(fx.client.api('/me/events/not-an-id').get())).code).toBe('ErrorInvalidIdMalformed');
  });

  it('requires a valid bearer token and keeps mailboxes apart', async () => {
    const anonymous = await fetch(`${fx.emulator.url}/v1.0/me/events`);
    expect(anonymous.status).toBe(401);
    const body = (await anonymous.json()) as Json;
    expect(body.error.code).toBe('InvalidAuthenticationToken');
    expect(body.error.innerError).toEqual({
      date: expect.any(String),
      'request-id': expect.any(String),
      'client-request-id': expect.any(String),
    });

    const badToken = await graphFailure(graphClient(fx.emulator, 'nonsense').api('/me').get());
    expect(badToken.statusCode).toBe(401);

    const rep = fx.emulator.addAccount({ email: 'rep@contoso.example' });
    const repClient = graphClient(fx.emulator, rep.accessToken);
    expect(((await repClient.api('/me').get()) as Json).mail).toBe('rep@contoso.example');
    const denied = await graphFailure(repClient.api(`/users/${fx.manager.userId}/events`).get());
    expect(denied.statusCode).toBe(403);
  });
});
