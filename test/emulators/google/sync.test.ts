import type { calendar_v3 } from '@cadence/scheduling/calendars/google/googleapis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGoogleEmulator, type GoogleEmulator } from './index.js';
import { calendarFor, failure, weeklyOneOnOne } from './test-support.js';

let emulator: GoogleEmulator;
let accounts = 0;

beforeAll(async () => {
  emulator = await startGoogleEmulator({ now: () => new Date('2026-10-01T12:00:00Z') });
});
afterAll(async () => {
  expect(emulator.internalErrors).toEqual([]);
  await emulator.close();
});

/** Each test gets its own calendar, so change counters do not leak between tests. */
function freshCalendar() {
  accounts += 1;
  const account = emulator.addAccount({ email: `manager${accounts}@example.com`, timeZone: 'Europe/Berlin' });
  return { account, calendar: calendarFor(emulator, account) };
}

type Page = calendar_v3.Schema$Events;

/** Follows nextPageToken to the end, keeping every page. */
async function allPages(calendar: calendar_v3.Calendar, params: calendar_v3.Params$Resource$Events$List): Promise<Page[]> {
  const pages: Page[] = [];
  let pageToken: string | undefined;
  for (let i = 0; i < 100; i++) {
    const { data } = await calendar.events.list({ calendarId: 'primary', ...params, ...(pageToken ? { pageToken } : {}) });
    pages.push(data);
    pageToken = data.nextPageToken ?? undefined;
    if (!pageToken) return pages;
  }
  throw new Error('too many pages');
}

const ids = (pages: Page[]) => pages.flatMap((p) => p.items ?? []).map((i) => i.id);

async function seed(calendar: calendar_v3.Calendar, count: number) {
  const created: calendar_v3.Schema$Event[] = [];
  for (let i = 0; i < count; i++) {
    const { data } = await calendar.events.insert({
      calendarId: 'primary',
      requestBody: weeklyOneOnOne({
        summary: `one-on-one ${i}`,
        extendedProperties: { private: { cadence: '1', seriesId: `ser_${i}` } },
      }),
    });
    created.push(data);
  }
  return created;
}

describe('full sync', () => {
  it('pages with nextPageToken and gives nextSyncToken only on the last page', async () => {
    const { calendar } = freshCalendar();
    const created = await seed(calendar, 5);
    const pages = await allPages(calendar, { maxResults: 2 });
    expect(pages).toHaveLength(3);
    for (const page of pages.slice(0, -1)) {
      expect(page.nextPageToken).toBeTruthy();
      expect(page.nextSyncToken).toBeUndefined();
    }
    expect(pages.at(-1)?.nextPageToken).toBeUndefined();
    expect(pages.at(-1)?.nextSyncToken).toBeTruthy();
    expect(new Set(ids(pages))).toEqual(new Set(created.map((e) => e.id)));
    expect(pages[0]).toMatchObject({ kind: 'calendar#events', timeZone: 'Europe/Berlin', accessRole: 'owner' });
  });

  it('lists masters plus exceptions and cancelled instances (without showDeleted), and deleted events only with showDeleted', async () => {
    const { account, calendar } = freshCalendar();
    const [series, doomed] = await seed(calendar, 2);
    emulator.cancelInstance(account.calendarId, series!.id!, '2026-10-27T13:00:00Z');
    emulator.moveInstance(account.calendarId, series!.id!, '2026-11-03T14:00:00Z', '2026-11-04T14:00:00Z');
    emulator.deleteSeries(account.calendarId, doomed!.id!);
    const plain = ids(await allPages(calendar, {}));
    expect(plain.sort()).toEqual([series!.id, `${series!.id}_20261027T130000Z`, `${series!.id}_20261103T140000Z`].sort());
    const withDeleted = ids(await allPages(calendar, { showDeleted: true }));
    expect(withDeleted).toContain(doomed!.id);
  });

  it('filters by repeated privateExtendedProperty constraints (all must match)', async () => {
    const { calendar } = freshCalendar();
    const created = await seed(calendar, 3);
    const { data } = await calendar.events.list({
      calendarId: 'primary',
      privateExtendedProperty: ['cadence=1', 'seriesId=ser_1'],
    });
    expect(data.items?.map((i) => i.id)).toEqual([created[1]!.id]);
    // googleapis sends the array as privateExtendedProperty=a&privateExtendedProperty=b; both must hold
    for (const constraints of [
      ['cadence=1', 'seriesId=nope'],
      ['cadence=0', 'seriesId=ser_1'],
    ]) {
      const none = await calendar.events.list({ calendarId: 'primary', privateExtendedProperty: constraints });
      expect(none.data.items, constraints.join('&')).toEqual([]);
    }
  });

  it('expands with singleEvents=true, ordered by start time within the window', async () => {
    const { account, calendar } = freshCalendar();
    const [series] = await seed(calendar, 1);
    emulator.cancelInstance(account.calendarId, series!.id!, '2026-10-27T13:00:00Z');
    const { data } = await calendar.events.list({
      calendarId: 'primary',
      singleEvents: true,
      orderBy: 'startTime',
      timeMin: '2026-10-19T00:00:00Z',
      timeMax: '2026-11-11T00:00:00Z',
      timeZone: 'UTC',
    });
    expect(data.items?.map((i) => i.start?.dateTime)).toEqual([
      '2026-10-20T13:00:00Z',
      '2026-11-03T14:00:00Z',
      '2026-11-10T14:00:00Z',
    ]);
    const unordered = await failure(calendar.events.list({ calendarId: 'primary', orderBy: 'startTime' }));
    expect(unordered.status).toBe(400);
    // page sizes above 2500 are clamped, below 1 refused
    expect((await calendar.events.list({ calendarId: 'primary', maxResults: 5000 })).status).toBe(200);
    expect((await failure(calendar.events.list({ calendarId: 'primary', maxResults: 0 }))).status).toBe(400);
  });
});

describe('incremental sync', () => {
  it('returns every change since the token, deletions with only their guaranteed fields', async () => {
    const { account, calendar } = freshCalendar();
    const [series, single] = await seed(calendar, 2);
    const token = (await allPages(calendar, {})).at(-1)!.nextSyncToken!;

    const quiet = await calendar.events.list({ calendarId: 'primary', syncToken: token });
    expect(quiet.data.items).toEqual([]);
    expect(quiet.data.nextSyncToken).toBe(token);

    // the manager cancels one meeting through the API, the "UI" cancels another, and moves a third
    await calendar.events.delete({ calendarId: 'primary', eventId: `${series!.id}_20261020T130000Z` });
    emulator.cancelInstance(account.calendarId, series!.id!, '2026-10-27T13:00:00Z');
    emulator.moveInstance(account.calendarId, series!.id!, '2026-11-03T14:00:00Z', '2026-11-03T18:00:00Z');
    await calendar.events.delete({ calendarId: 'primary', eventId: single!.id! });

    const pages = await allPages(calendar, { syncToken: token });
    const items = pages.flatMap((p) => p.items ?? []);
    const byId = new Map(items.map((i) => [i.id, i]));
    expect([...byId.keys()].sort()).toEqual(
      [`${series!.id}_20261020T130000Z`, `${series!.id}_20261027T130000Z`, `${series!.id}_20261103T140000Z`, single!.id].sort(),
    );
    // API and person cancellations look the same
    // times are written with the calendar's (Berlin) offset; the zone field keeps the event's
    expect(byId.get(`${series!.id}_20261020T130000Z`)).toEqual({
      kind: 'calendar#event',
      etag: expect.any(String),
      id: `${series!.id}_20261020T130000Z`,
      status: 'cancelled',
      recurringEventId: series!.id,
      originalStartTime: { dateTime: '2026-10-20T15:00:00+02:00', timeZone: 'America/New_York' },
    });
    expect(Object.keys(byId.get(`${series!.id}_20261027T130000Z`)!).sort()).toEqual(
      ['etag', 'id', 'kind', 'originalStartTime', 'recurringEventId', 'status'].sort(),
    );
    expect(byId.get(single!.id)).toEqual({
      kind: 'calendar#event',
      etag: expect.any(String),
      id: single!.id,
      status: 'cancelled',
    });
    expect(byId.get(`${series!.id}_20261103T140000Z`)).toMatchObject({
      status: 'confirmed',
      start: { dateTime: '2026-11-03T19:00:00+01:00' },
      originalStartTime: { dateTime: '2026-11-03T15:00:00+01:00' },
    });

    // the next token sees only what comes after it
    const next = pages.at(-1)!.nextSyncToken!;
    emulator.editEvent(account.calendarId, series!.id!, { location: 'Room 9' });
    const after = (await calendar.events.list({ calendarId: 'primary', syncToken: next })).data.items!;
    // the master changed, and so did the live exception that inherits the location
    expect(after.map((i) => i.id).sort()).toEqual([series!.id, `${series!.id}_20261103T140000Z`].sort());
    expect(after.every((i) => i.location === 'Room 9')).toBe(true);
  });

  it('pages an incremental sync and still gives nextSyncToken only on the last page', async () => {
    const { account, calendar } = freshCalendar();
    const [series] = await seed(calendar, 1);
    const token = (await allPages(calendar, {})).at(-1)!.nextSyncToken!;
    for (const day of [
      '2026-10-20T13:00:00Z',
      '2026-10-27T13:00:00Z',
      '2026-11-03T14:00:00Z',
      '2026-11-10T14:00:00Z',
      '2026-11-17T14:00:00Z',
    ]) {
      emulator.cancelInstance(account.calendarId, series!.id!, day);
    }
    const pages = await allPages(calendar, { syncToken: token, maxResults: 2 });
    expect(pages.map((p) => p.items?.length)).toEqual([2, 2, 1]);
    expect(pages.slice(0, -1).every((p) => p.nextSyncToken === undefined && p.nextPageToken)).toBe(true);
    expect(pages.at(-1)!.nextSyncToken).toBeTruthy();
    // a page token is bound to its query: dropping the syncToken on page 2 is refused
    const mixed = await failure(calendar.events.list({ calendarId: 'primary', pageToken: pages[0]!.nextPageToken! }));
    expect(mixed.status).toBe(400);
  });

  it('does not lose a change made while the client is paging', async () => {
    const { account, calendar } = freshCalendar();
    const created = await seed(calendar, 3);
    const first = await calendar.events.list({ calendarId: 'primary', maxResults: 1 });
    const seen = first.data.items![0]!;
    emulator.editEvent(account.calendarId, seen.id!, { summary: 'renamed while paging' });
    const rest = await allPages(calendar, { maxResults: 1, pageToken: first.data.nextPageToken! });
    const items = rest.flatMap((p) => p.items ?? []);
    expect(items.find((i) => i.id === seen.id)?.summary).toBe('renamed while paging');
    expect(new Set([seen.id, ...items.map((i) => i.id)])).toEqual(new Set(created.map((e) => e.id)));
  });

  it('answers 410 fullSyncRequired for an expired or invalid token', async () => {
    const { account, calendar } = freshCalendar();
    await seed(calendar, 1);
    const token = (await allPages(calendar, {})).at(-1)!.nextSyncToken!;
    emulator.expireSyncTokens(account.calendarId);
    const expired = await failure(calendar.events.list({ calendarId: 'primary', syncToken: token }));
    expect(expired.status).toBe(410);
    expect(expired.response?.data.error?.errors?.[0]).toMatchObject({ domain: 'global', reason: 'fullSyncRequired' });
    const garbage = await failure(calendar.events.list({ calendarId: 'primary', syncToken: 'CPDAlvWDx70CEPDAlvWDx70CGAU=' }));
    expect(garbage.status).toBe(410);
    // a fresh full sync works again
    const pages = await allPages(calendar, {});
    expect((await calendar.events.list({ calendarId: 'primary', syncToken: pages.at(-1)!.nextSyncToken! })).status).toBe(200);
  });

  it('refuses the parameters Google forbids with syncToken', async () => {
    const { calendar } = freshCalendar();
    const token = (await allPages(calendar, {})).at(-1)!.nextSyncToken!;
    const forbidden: calendar_v3.Params$Resource$Events$List[] = [
      { timeMin: '2026-01-01T00:00:00Z' },
      { timeMax: '2027-01-01T00:00:00Z' },
      { updatedMin: '2026-01-01T00:00:00Z' },
      { q: 'one-on-one' },
      { orderBy: 'updated' },
      { iCalUID: 'x@google.com' },
      { privateExtendedProperty: ['cadence=1'] },
      { sharedExtendedProperty: ['cadence=1'] },
      { showDeleted: false },
    ];
    for (const extra of forbidden) {
      const refused = await failure(calendar.events.list({ calendarId: 'primary', syncToken: token, ...extra }));
      expect(refused.status, JSON.stringify(extra)).toBe(400);
      expect(refused.response?.data.error?.errors?.[0]?.reason).toBe('invalid');
    }
    const allowed = await calendar.events.list({
      calendarId: 'primary',
      syncToken: token,
      showDeleted: true,
      singleEvents: false,
      maxResults: 10,
    });
    expect(allowed.status).toBe(200);
  });
});
