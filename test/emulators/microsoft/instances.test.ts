import { describe, expect, it } from 'vitest';
import { allPages, graphFailure, useEmulator, weeklyOneOnOne } from './test-support.js';
import type { Json } from './test-support.js';

const WINDOW = 'startDateTime=2026-10-19T00:00:00Z&endDateTime=2026-11-18T00:00:00Z';

describe('Microsoft emulator: instances', () => {
  const fx = useEmulator();

  const createSeries = async (overrides: Record<string, unknown> = {}) =>
    (await fx.client.api('/me/events').post(weeklyOneOnOne(overrides))) as Json;
  const instances = async (id: string, query = WINDOW) => allPages(fx.client, `/me/events/${id}/instances?${query}`);

  it('expands the weekly pattern in its time zone: 09:00 New York stays 09:00 across the DST change', async () => {
    const series = await createSeries();
    const list = await instances(series.id);
    expect(list.map((i) => i.originalStart)).toEqual([
      '2026-10-20T13:00:00Z',
      '2026-10-27T13:00:00Z',
      '2026-11-03T14:00:00Z',
      '2026-11-10T14:00:00Z',
      '2026-11-17T14:00:00Z',
    ]);
    const nov3 = list[2] as Json;
    expect(nov3.type).toBe('occurrence');
    expect(nov3.seriesMasterId).toBe(series.id);
    expect(nov3.start).toEqual({ dateTime: '2026-11-03T14:00:00.0000000', timeZone: 'UTC' });
    expect(nov3.originalStartTimeZone).toBe('America/New_York');
    expect(nov3.recurrence).toBeNull();
    expect(nov3.subject).toBe('Weekly one-on-one');

    const local = (await fx.client
      .api(`/me/events/${series.id}/instances?${WINDOW}`)
      .header('Prefer', 'outlook.timezone="America/New_York"')
      .get()) as Json;
    expect(local.value.map((i: Json) => i.start.dateTime)).toEqual([
      '2026-10-20T09:00:00.0000000',
      '2026-10-27T09:00:00.0000000',
      '2026-11-03T09:00:00.0000000',
      '2026-11-10T09:00:00.0000000',
      '2026-11-17T09:00:00.0000000',
    ]);

    // Occurrence ids are opaque, stable across calls, and open with GET.
    const again = await instances(series.id);
    expect(again.map((i) => i.id)).toEqual(list.map((i) => i.id));
    expect(new Set(list.map((i) => i.id)).size).toBe(5);
    const one = (await fx.client.api(`/me/events/${nov3.id}`).get()) as Json;
    expect(one.originalStart).toBe('2026-11-03T14:00:00Z');
  });

  it('requires both startDateTime and endDateTime', async () => {
    const series = await createSeries();
    const missing = await graphFailure(
      fx.client.api(`/me/events/${series.id}/instances?startDateTime=2026-10-19T00:00:00Z`).get(),
    );
    expect(missing.statusCode).toBe(400);
    expect(missing.code).toBe('ErrorInvalidParameter');
  });

  it('turns a moved occurrence into an exception with the new times and its original start kept', async () => {
    const series = await createSeries();
    // A person drags Oct 27 to Wednesday 11:00 New York in Outlook.
    fx.emulator.moveOccurrence(fx.manager.userId, series.id, '2026-10-27T13:00:00Z', '2026-10-28T15:00:00Z');
    // The API does the same to Nov 10 (a PATCH on the occurrence id).
    const nov10 = (await instances(series.id)).find((i) => i.originalStart === '2026-11-10T14:00:00Z') as Json;
    await fx.client.api(`/me/events/${nov10.id}`).patch({
      start: { dateTime: '2026-11-10T10:30:00', timeZone: 'Eastern Standard Time' },
      end: { dateTime: '2026-11-10T11:30:00', timeZone: 'Eastern Standard Time' },
    });
    const list = await instances(series.id);
    const oct27 = list.find((i) => i.originalStart === '2026-10-27T13:00:00Z') as Json;
    expect(oct27.type).toBe('exception');
    expect(oct27.start.dateTime).toBe('2026-10-28T15:00:00.0000000');
    expect(oct27.end.dateTime).toBe('2026-10-28T16:00:00.0000000');
    const moved = list.find((i) => i.originalStart === '2026-11-10T14:00:00Z') as Json;
    expect(moved.type).toBe('exception');
    expect(moved.id).toBe(nov10.id);
    expect(moved.start.dateTime).toBe('2026-11-10T15:30:00.0000000');
    expect(list.filter((i) => i.type === 'occurrence')).toHaveLength(3);
  });

  it('leaves an occurrence as it was when an update of it is refused', async () => {
    const series = await createSeries();
    const nov10 = (await instances(series.id)).find((i) => i.originalStart === '2026-11-10T14:00:00Z') as Json;
    const refused = await graphFailure(
      // an end alone, before the occurrence's start (09:00 New York)
      fx.client
        .api(`/me/events/${nov10.id}`)
        .patch({ end: { dateTime: '2026-11-10T08:00:00', timeZone: 'Eastern Standard Time' } }),
    );
    expect(refused.statusCode).toBe(400);
    const after = (await instances(series.id)).find((i) => i.originalStart === '2026-11-10T14:00:00Z') as Json;
    expect(after.type).toBe('occurrence');
    expect(after.start.dateTime).toBe('2026-11-10T14:00:00.0000000');
    expect(after.changeKey).toBe(nov10.changeKey);
    const one = (await fx.client.api(`/me/events/${nov10.id}`).get()) as Json;
    expect(one.type).toBe('occurrence');
    expect(one.end.dateTime).toBe('2026-11-10T15:00:00.0000000');
  });

  it('drops deleted and cancelled occurrences from instances; deleting the master deletes the series', async () => {
    const series = await createSeries();
    const list = await instances(series.id);
    await fx.client.api(`/me/events/${(list[1] as Json).id}`).delete();
    fx.emulator.cancelOccurrence(fx.manager.userId, series.id, '20261110T140000Z');
    const after = await instances(series.id);
    expect(after.map((i) => i.originalStart)).toEqual(['2026-10-20T13:00:00Z', '2026-11-03T14:00:00Z', '2026-11-17T14:00:00Z']);
    expect((await graphFailure(fx.client.api(`/me/events/${(list[1] as Json).id}`).get())).code).toBe('ErrorItemNotFound');

    await fx.client.api(`/me/events/${series.id}`).delete();
    expect((await graphFailure(fx.client.api(`/me/events/${series.id}/instances?${WINDOW}`).get())).statusCode).toBe(404);
    const other = await createSeries();
    fx.emulator.deleteSeries(fx.manager.userId, other.id);
    expect((await graphFailure(fx.client.api(`/me/events/${other.id}`).get())).code).toBe('ErrorItemNotFound');
    expect(fx.emulator.getEventRaw(fx.manager.userId, other.id)).toBeUndefined();
    expect((await graphFailure(fx.client.api(`/me/events/${(list[0] as Json).id}`).get())).statusCode).toBe(404);
  });

  it('shows an attendee decline on that occurrence only', async () => {
    const series = await createSeries();
    fx.emulator.declineOccurrence(fx.manager.userId, series.id, '2026-11-03T14:00:00Z', 'rep@contoso.example');
    const list = await instances(series.id);
    const responses = list.map((i) => (i.attendees as Json[])[0]?.status.response);
    expect(responses).toEqual(['none', 'none', 'declined', 'none', 'none']);
  });

  it('ends numbered and end-dated ranges, and pages instances 10 at a time with an absolute nextLink', async () => {
    const numbered = await createSeries({
      recurrence: {
        pattern: { type: 'weekly', interval: 1, daysOfWeek: ['tuesday'], firstDayOfWeek: 'sunday' },
        range: { type: 'numbered', startDate: '2026-10-20', numberOfOccurrences: 2 },
      },
    });
    expect((await instances(numbered.id)).map((i) => i.originalStart)).toEqual(['2026-10-20T13:00:00Z', '2026-10-27T13:00:00Z']);

    const ended = await createSeries({
      recurrence: {
        pattern: { type: 'weekly', interval: 2, daysOfWeek: ['tuesday', 'thursday'], firstDayOfWeek: 'sunday' },
        range: { type: 'endDate', startDate: '2026-10-20', endDate: '2026-11-05' },
      },
    });
    expect((await instances(ended.id)).map((i) => i.originalStart)).toEqual([
      '2026-10-20T13:00:00Z',
      '2026-10-22T13:00:00Z',
      '2026-11-03T14:00:00Z',
      '2026-11-05T14:00:00Z',
    ]);

    const series = await createSeries();
    const year = 'startDateTime=2026-10-19T00:00:00Z&endDateTime=2027-10-19T00:00:00Z';
    const first = (await fx.client.api(`/me/events/${series.id}/instances?${year}`).get()) as Json;
    expect(first.value).toHaveLength(10);
    expect(first['@odata.nextLink']).toMatch(new RegExp(`^${fx.emulator.url}/v1\\.0/me/events/.+\\$skip=10$`));
    expect(await instances(series.id, year)).toHaveLength(52);
  });
});
