import type { calendar_v3 } from '@cadence/scheduling/calendars/google/googleapis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGoogleEmulator, type Account, type GoogleEmulator } from './index.js';
import { calendarFor, failure, weeklyOneOnOne } from './test-support.js';

// Alice's calendar is in New York, so offsets in answers are New York offsets unless asked otherwise
let emulator: GoogleEmulator;
let alice: Account;
let calendar: calendar_v3.Calendar;

beforeAll(async () => {
  emulator = await startGoogleEmulator({ now: () => new Date('2026-10-01T12:00:00Z') });
  alice = emulator.addAccount({ email: 'alice@example.com', timeZone: 'America/New_York' });
  calendar = calendarFor(emulator, alice);
});
afterAll(async () => {
  expect(emulator.internalErrors).toEqual([]);
  await emulator.close();
});

async function insertSeries(overrides: Partial<calendar_v3.Schema$Event> = {}) {
  const { data } = await calendar.events.insert({
    calendarId: 'primary',
    sendUpdates: 'all',
    requestBody: weeklyOneOnOne(overrides),
  });
  return data;
}

describe('events.insert', () => {
  it('stores everything and answers with the server fields Google adds', async () => {
    const event = await insertSeries();
    expect(event).toMatchObject({
      kind: 'calendar#event',
      status: 'confirmed',
      summary: 'Alice / Bob weekly one-on-one',
      location: 'Room 4',
      start: { dateTime: '2026-10-20T09:00:00-04:00', timeZone: 'America/New_York' },
      end: { dateTime: '2026-10-20T10:00:00-04:00', timeZone: 'America/New_York' },
      recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=TU'],
      extendedProperties: {
        private: { cadence: '1', seriesId: 'ser_1' },
        shared: { cadenceAgenda: 'https://cadence.example/agenda/abc' },
      },
      guestsCanInviteOthers: false,
      reminders: { useDefault: false, overrides: [{ method: 'popup', minutes: 10 }] },
      source: { title: 'Cadence agenda', url: 'https://cadence.example/agenda/abc' },
      organizer: { email: 'alice@example.com', self: true },
      creator: { email: 'alice@example.com', self: true },
      sequence: 0,
    });
    expect(event.id).toMatch(/^[a-v0-9]{5,}$/);
    expect(event.iCalUID).toBe(`${event.id}@google.com`);
    expect(event.etag).toMatch(/^"\d+"$/);
    expect(event.htmlLink).toMatch(/^https:\/\/www\.google\.com\/calendar\/event\?eid=/);
    expect(event.created).toBe('2026-10-01T12:00:00.000Z');
    expect(event.updated).toBe('2026-10-01T12:00:00.000Z');
    // default-valued flags are left out, as Google does
    expect(event).not.toHaveProperty('guestsCanModify');
    expect(event.attendees).toEqual([
      { email: 'alice@example.com', organizer: true, self: true, responseStatus: 'accepted' },
      { email: 'bob@example.com', responseStatus: 'needsAction' },
    ]);
  });

  it('refuses a recurring event without a time zone, and an empty time range', async () => {
    const noZone = await failure(
      insertSeries({ start: { dateTime: '2026-10-20T09:00:00-04:00' }, end: { dateTime: '2026-10-20T10:00:00-04:00' } }),
    );
    expect(noZone.status).toBe(400);
    expect(noZone.response?.data.error?.errors?.[0]).toMatchObject({
      reason: 'required',
      message: 'Missing time zone definition for start time.',
    });
    const backwards = await failure(insertSeries({ end: { dateTime: '2026-10-20T08:00:00', timeZone: 'America/New_York' } }));
    expect(backwards.response?.data.error?.errors?.[0]?.reason).toBe('timeRangeEmpty');
  });

  it('answers 409 duplicate for a client-chosen id that exists, and 400 for an id Google would not accept', async () => {
    await insertSeries({ id: 'cadenceser0001' });
    const again = await failure(insertSeries({ id: 'cadenceser0001' }));
    expect(again.status).toBe(409);
    expect(again.response?.data).toEqual({
      error: {
        errors: [{ domain: 'global', reason: 'duplicate', message: 'The requested identifier already exists.' }],
        code: 409,
        message: 'The requested identifier already exists.',
      },
    });
    const badId = await failure(insertSeries({ id: 'Not_Base32hex!' }));
    expect(badId.status).toBe(400);
    expect(badId.response?.data.error?.errors?.[0]?.reason).toBe('invalid');
  });
});

describe('events.patch / events.update', () => {
  it('PATCH merges (objects recursively), PUT replaces, If-Match guards; etag and sequence move honestly', async () => {
    const series = await insertSeries();
    const patched = await calendar.events.patch({
      calendarId: 'primary',
      eventId: series.id!,
      requestBody: {
        extendedProperties: { private: { excused: 'no' } },
        attendees: [{ email: 'alice@example.com' }, { email: 'carol@example.com' }],
      },
    });
    expect(patched.data.extendedProperties?.private).toEqual({ cadence: '1', seriesId: 'ser_1', excused: 'no' });
    expect(patched.data.attendees?.map((a) => a.email)).toEqual(['alice@example.com', 'carol@example.com']);
    expect(patched.data.etag).not.toBe(series.etag);
    expect(patched.data.sequence).toBe(0);

    const renamed = await calendar.events.patch({
      calendarId: 'primary',
      eventId: series.id!,
      requestBody: { summary: 'Renamed' },
    });
    expect(renamed.data.sequence).toBe(1);

    const stale = await failure(
      calendar.events.patch(
        { calendarId: 'primary', eventId: series.id!, requestBody: { summary: 'x' } },
        { headers: { 'If-Match': series.etag! } },
      ),
    );
    expect(stale.status).toBe(412);
    expect(stale.response?.data.error?.errors?.[0]?.reason).toBe('conditionNotMet');

    const replaced = await calendar.events.update({
      calendarId: 'primary',
      eventId: series.id!,
      requestBody: { summary: 'Replaced', start: series.start, end: series.end, recurrence: series.recurrence },
    });
    expect(replaced.data.summary).toBe('Replaced');
    expect(replaced.data).not.toHaveProperty('description');
    expect(replaced.data).not.toHaveProperty('extendedProperties');
  });

  it('answers 404 for unknown events and in the calendar time zone unless timeZone is given', async () => {
    expect((await failure(calendar.events.get({ calendarId: 'primary', eventId: 'doesnotexist' }))).status).toBe(404);
    const event = await insertSeries({ recurrence: undefined });
    const utc = await calendar.events.get({ calendarId: 'primary', eventId: event.id!, timeZone: 'UTC' });
    expect(utc.data.start).toEqual({ dateTime: '2026-10-20T13:00:00Z', timeZone: 'America/New_York' });
  });
});

describe('events.instances', () => {
  it('expands the weekly rule in the event time zone: 09:00 New York stays 09:00 across the DST change', async () => {
    const series = await insertSeries();
    const { data } = await calendar.events.instances({
      calendarId: 'primary',
      eventId: series.id!,
      timeMin: '2026-10-19T00:00:00Z',
      timeMax: '2026-11-12T00:00:00Z',
      timeZone: 'UTC',
    });
    const items = data.items ?? [];
    expect(items.map((i) => i.id)).toEqual([
      `${series.id}_20261020T130000Z`,
      `${series.id}_20261027T130000Z`,
      `${series.id}_20261103T140000Z`,
      `${series.id}_20261110T140000Z`,
    ]);
    expect(items.map((i) => i.start?.dateTime)).toEqual([
      '2026-10-20T13:00:00Z',
      '2026-10-27T13:00:00Z',
      '2026-11-03T14:00:00Z',
      '2026-11-10T14:00:00Z',
    ]);
    for (const item of items) {
      expect(item.recurringEventId).toBe(series.id);
      expect(item.originalStartTime).toEqual({ dateTime: item.start?.dateTime, timeZone: 'America/New_York' });
      expect(item.start?.timeZone).toBe('America/New_York');
      expect(item).not.toHaveProperty('recurrence');
      expect(item.iCalUID).toBe(series.iCalUID);
    }
    // without timeZone the answer uses the calendar's zone
    const local = await calendar.events.instances({ calendarId: 'primary', eventId: series.id!, maxResults: 3 });
    expect(local.data.items?.map((i) => i.start?.dateTime)).toEqual([
      '2026-10-20T09:00:00-04:00',
      '2026-10-27T09:00:00-04:00',
      '2026-11-03T09:00:00-05:00',
    ]);
  });

  it('honours COUNT, INTERVAL and UNTIL, and pages with maxResults', async () => {
    const counted = await insertSeries({ recurrence: ['RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=5'] });
    const page1 = await calendar.events.instances({
      calendarId: 'primary',
      eventId: counted.id!,
      maxResults: 2,
      timeZone: 'UTC',
    });
    expect(page1.data.items?.map((i) => i.start?.dateTime)).toEqual(['2026-10-20T13:00:00Z', '2026-11-03T14:00:00Z']);
    expect(page1.data.nextPageToken).toBeTruthy();
    const page2 = await calendar.events.instances({
      calendarId: 'primary',
      eventId: counted.id!,
      maxResults: 2,
      timeZone: 'UTC',
      pageToken: page1.data.nextPageToken!,
    });
    const page3 = await calendar.events.instances({
      calendarId: 'primary',
      eventId: counted.id!,
      maxResults: 2,
      timeZone: 'UTC',
      pageToken: page2.data.nextPageToken!,
    });
    expect(page3.data.nextPageToken).toBeFalsy();
    expect([...page2.data.items!, ...page3.data.items!].map((i) => i.start?.dateTime)).toEqual([
      '2026-11-17T14:00:00Z',
      '2026-12-01T14:00:00Z',
      '2026-12-15T14:00:00Z',
    ]);

    const until = await insertSeries({ recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20261029T130000Z'] });
    const { data } = await calendar.events.instances({ calendarId: 'primary', eventId: until.id!, timeZone: 'UTC' });
    expect(data.items?.map((i) => i.start?.dateTime)).toEqual([
      '2026-10-20T13:00:00Z',
      '2026-10-22T13:00:00Z',
      '2026-10-27T13:00:00Z',
      '2026-10-29T13:00:00Z',
    ]);
  });

  it('finds one instance by originalStart', async () => {
    const series = await insertSeries();
    const { data } = await calendar.events.instances({
      calendarId: 'primary',
      eventId: series.id!,
      originalStart: '2026-11-03T09:00:00-05:00',
    });
    expect(data.items?.map((i) => i.id)).toEqual([`${series.id}_20261103T140000Z`]);
  });

  it('hides a cancelled instance unless showDeleted, and shows only the guaranteed fields', async () => {
    const series = await insertSeries();
    await calendar.events.delete({ calendarId: 'primary', eventId: `${series.id}_20261027T130000Z` });
    const window = {
      calendarId: 'primary',
      eventId: series.id!,
      timeMin: '2026-10-19T00:00:00Z',
      timeMax: '2026-11-04T00:00:00Z',
    };
    const visible = await calendar.events.instances(window);
    expect(visible.data.items?.map((i) => i.id)).toEqual([`${series.id}_20261020T130000Z`, `${series.id}_20261103T140000Z`]);
    const all = await calendar.events.instances({ ...window, showDeleted: true });
    const cancelled = all.data.items?.find((i) => i.status === 'cancelled');
    expect(cancelled).toEqual({
      kind: 'calendar#event',
      etag: expect.any(String),
      id: `${series.id}_20261027T130000Z`,
      status: 'cancelled',
      recurringEventId: series.id,
      originalStartTime: { dateTime: '2026-10-27T09:00:00-04:00', timeZone: 'America/New_York' },
    });
    // get still answers, with status cancelled; a second delete is 410 deleted
    const got = await calendar.events.get({ calendarId: 'primary', eventId: `${series.id}_20261027T130000Z` });
    expect(got.data.status).toBe('cancelled');
    const again = await failure(calendar.events.delete({ calendarId: 'primary', eventId: `${series.id}_20261027T130000Z` }));
    expect(again.status).toBe(410);
    expect(again.response?.data.error?.errors?.[0]?.reason).toBe('deleted');
    // PATCH status confirmed restores it
    const restored = await calendar.events.patch({
      calendarId: 'primary',
      eventId: `${series.id}_20261027T130000Z`,
      requestBody: { status: 'confirmed' },
    });
    expect(restored.data.status).toBe('confirmed');
    expect((await calendar.events.instances(window)).data.items).toHaveLength(3);
  });

  it('a moved instance keeps its id and originalStartTime and gets new start/end', async () => {
    const series = await insertSeries();
    const id = `${series.id}_20261027T130000Z`;
    const moved = await calendar.events.patch({
      calendarId: 'primary',
      eventId: id,
      requestBody: {
        start: { dateTime: '2026-10-28T15:00:00-04:00', timeZone: 'America/New_York' },
        end: { dateTime: '2026-10-28T16:00:00-04:00', timeZone: 'America/New_York' },
      },
    });
    expect(moved.data).toMatchObject({
      id,
      status: 'confirmed',
      recurringEventId: series.id,
      originalStartTime: { dateTime: '2026-10-27T09:00:00-04:00', timeZone: 'America/New_York' },
      start: { dateTime: '2026-10-28T15:00:00-04:00' },
      end: { dateTime: '2026-10-28T16:00:00-04:00' },
      sequence: 1,
    });
    const { data } = await calendar.events.instances({
      calendarId: 'primary',
      eventId: series.id!,
      timeMin: '2026-10-26T00:00:00Z',
      timeMax: '2026-10-30T00:00:00Z',
    });
    expect(data.items?.map((i) => [i.id, i.start?.dateTime])).toEqual([[id, '2026-10-28T15:00:00-04:00']]);
    // instance ids that the rule never produces do not exist
    const bogus = await failure(calendar.events.get({ calendarId: 'primary', eventId: `${series.id}_20261028T130000Z` }));
    expect(bogus.status).toBe(404);
  });

  it('person actions: move, decline one, decline all, edit the location', async () => {
    const series = await insertSeries();
    emulator.moveInstance(alice.calendarId, series.id!, '20261103T140000Z', '2026-11-04T14:00:00Z');
    emulator.declineInstance(alice.calendarId, series.id!, '2026-10-27T13:00:00Z', 'bob@example.com');
    const list = await calendar.events.instances({ calendarId: 'primary', eventId: series.id!, maxResults: 3, timeZone: 'UTC' });
    const [first, second, third] = list.data.items!;
    expect(first?.attendees?.find((a) => a.email === 'bob@example.com')?.responseStatus).toBe('needsAction');
    expect(second?.attendees?.find((a) => a.email === 'bob@example.com')?.responseStatus).toBe('declined');
    expect(third).toMatchObject({
      start: { dateTime: '2026-11-04T14:00:00Z' },
      end: { dateTime: '2026-11-04T15:00:00Z' },
      originalStartTime: { dateTime: '2026-11-03T14:00:00Z' },
    });

    emulator.declineSeries(alice.calendarId, series.id!, 'bob@example.com');
    emulator.editEvent(alice.calendarId, series.id!, { location: 'Room 9' });
    const master = await calendar.events.get({ calendarId: 'primary', eventId: series.id! });
    expect(master.data.location).toBe('Room 9');
    expect(master.data.attendees?.find((a) => a.email === 'bob@example.com')?.responseStatus).toBe('declined');
    const after = await calendar.events.instances({ calendarId: 'primary', eventId: series.id!, maxResults: 3 });
    expect(after.data.items?.every((i) => i.location === 'Room 9')).toBe(true);
    expect(
      after.data.items?.every((i) => i.attendees?.find((a) => a.email === 'bob@example.com')?.responseStatus === 'declined'),
    ).toBe(true);
  });

  it('deleting the series cancels it; a second delete is 410 and instances are gone', async () => {
    const series = await insertSeries();
    await calendar.events.delete({ calendarId: 'primary', eventId: series.id! });
    const got = await calendar.events.get({ calendarId: 'primary', eventId: series.id! });
    expect(got.data.status).toBe('cancelled');
    const again = await failure(calendar.events.delete({ calendarId: 'primary', eventId: series.id! }));
    expect(again.status).toBe(410);
    expect(again.response?.data.error?.errors?.[0]).toEqual({
      domain: 'global',
      reason: 'deleted',
      message: 'Resource has been deleted',
    });
    const instances = await failure(calendar.events.instances({ calendarId: 'primary', eventId: series.id! }));
    expect(instances.status).toBe(410);
  });

  it('truncating ("this and following") ends the series with UNTIL and starts a new one for the rest', async () => {
    const series = await insertSeries();
    const newId = emulator.truncateSeries(alice.calendarId, series.id!, '2026-11-10T14:00:00Z');
    const old = await calendar.events.get({ calendarId: 'primary', eventId: series.id! });
    // UNTIL is the end of the day before the split, in the event's zone, written in UTC
    expect(old.data.recurrence).toEqual(['RRULE:FREQ=WEEKLY;BYDAY=TU;UNTIL=20261110T045959Z']);
    expect(old.data.sequence).toBe(1);
    const oldInstances = await calendar.events.instances({ calendarId: 'primary', eventId: series.id!, timeZone: 'UTC' });
    expect(oldInstances.data.items?.map((i) => i.start?.dateTime)).toEqual([
      '2026-10-20T13:00:00Z',
      '2026-10-27T13:00:00Z',
      '2026-11-03T14:00:00Z',
    ]);
    const next = await calendar.events.get({ calendarId: 'primary', eventId: newId });
    expect(next.data).toMatchObject({
      status: 'confirmed',
      recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=TU'],
      start: { dateTime: '2026-11-10T09:00:00-05:00', timeZone: 'America/New_York' },
    });
    expect(next.data.extendedProperties).toEqual(series.extendedProperties);
    const newInstances = await calendar.events.instances({
      calendarId: 'primary',
      eventId: newId,
      maxResults: 2,
      timeZone: 'UTC',
    });
    expect(newInstances.data.items?.map((i) => i.originalStartTime?.dateTime)).toEqual([
      '2026-11-10T14:00:00Z',
      '2026-11-17T14:00:00Z',
    ]);
  });
});
