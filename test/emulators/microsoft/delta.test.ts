import type { Client } from '@microsoft/microsoft-graph-client';
import { describe, expect, it } from 'vitest';
import { graphFailure, useEmulator, weeklyOneOnOne } from './test-support.js';
import type { Json } from './test-support.js';

interface Round {
  pages: Json[];
  items: Json[];
  deltaLink: string;
}

/** Follows nextLinks verbatim until a deltaLink, as an adapter must (bounded). */
async function syncRound(client: Client, first: string, pageSize?: number): Promise<Round> {
  const pages: Json[] = [];
  let url = first;
  for (let i = 0; i < 50; i += 1) {
    const req = client.api(url);
    if (pageSize) req.header('Prefer', `odata.maxpagesize=${pageSize}`);
    const page = (await req.get()) as Json;
    pages.push(page);
    if (page['@odata.deltaLink'])
      return { pages, items: pages.flatMap((p) => p.value as Json[]), deltaLink: page['@odata.deltaLink'] };
    url = page['@odata.nextLink'];
    if (!url) throw new Error('page without nextLink or deltaLink');
  }
  throw new Error('delta round did not finish');
}

const WINDOW = 'startDateTime=2026-10-19T00:00:00Z&endDateTime=2026-11-18T00:00:00Z';

describe('Microsoft emulator: calendarView delta', () => {
  const fx = useEmulator();

  it('pages with absolute https links, omits series masters and extended properties, then reports only changes', async () => {
    const series = (await fx.client.api('/me/events').post(weeklyOneOnOne())) as Json;
    const single = (await fx.client.api('/me/events').post({
      subject: 'Pipeline review',
      start: { dateTime: '2026-10-21T15:00:00', timeZone: 'UTC' },
      end: { dateTime: '2026-10-21T16:00:00', timeZone: 'UTC' },
    })) as Json;
    await fx.client.api('/me/events').post({
      subject: 'Outside the window',
      start: { dateTime: '2027-01-05T15:00:00', timeZone: 'UTC' },
      end: { dateTime: '2027-01-05T16:00:00', timeZone: 'UTC' },
    });

    const initial = await syncRound(fx.client, `/me/calendarView/delta?${WINDOW}`, 2);
    expect(initial.pages).toHaveLength(3);
    for (const page of initial.pages.slice(0, 2)) {
      expect(page['@odata.nextLink']).toMatch(
        new RegExp(`^${fx.emulator.url}/v1\\.0/me/calendarView/delta\\?\\$skiptoken=[A-Za-z0-9_-]+$`),
      );
      expect(page).not.toHaveProperty('@odata.deltaLink');
    }
    expect(initial.deltaLink).toMatch(
      new RegExp(`^https://127\\.0\\.0\\.1:${fx.emulator.port}/v1\\.0/me/calendarView/delta\\?\\$deltatoken=`),
    );
    expect(initial.items).toHaveLength(6);
    expect(initial.items.map((i) => i.type).sort()).toEqual([
      'occurrence',
      'occurrence',
      'occurrence',
      'occurrence',
      'occurrence',
      'singleInstance',
    ]);
    expect(initial.items.some((i) => i.id === series.id)).toBe(false);
    expect(initial.items.some((i) => 'singleValueExtendedProperties' in i)).toBe(false);
    expect(initial.items.find((i) => i.id === single.id)?.['@odata.type']).toBe('#microsoft.graph.event');

    const nothing = await syncRound(fx.client, initial.deltaLink);
    expect(nothing.items).toEqual([]);

    const occ = (start: string) => initial.items.find((i) => i.originalStart === start) as Json;
    fx.emulator.cancelOccurrence(fx.manager.userId, series.id, '2026-10-27T13:00:00Z');
    fx.emulator.moveOccurrence(fx.manager.userId, series.id, '2026-11-03T14:00:00Z', '2026-11-04T14:00:00Z');
    fx.emulator.moveOccurrence(fx.manager.userId, series.id, '2026-11-10T14:00:00Z', '2026-12-01T14:00:00Z');
    fx.emulator.declineOccurrence(fx.manager.userId, series.id, '2026-11-17T14:00:00Z', 'rep@contoso.example');

    const changes = await syncRound(fx.client, nothing.deltaLink);
    const removed = changes.items.filter((i) => i['@removed']).map((i) => i.id);
    expect(removed.sort()).toEqual([occ('2026-10-27T13:00:00Z').id, occ('2026-11-10T14:00:00Z').id].sort());
    expect(changes.items.find((i) => i['@removed'])).toEqual({
      '@odata.type': '#microsoft.graph.event',
      id: expect.any(String),
      '@removed': { reason: 'deleted' },
    });
    const moved = changes.items.find((i) => i.id === occ('2026-11-03T14:00:00Z').id) as Json;
    expect(moved.type).toBe('exception');
    expect(moved.start.dateTime).toBe('2026-11-04T14:00:00.0000000');
    const declined = changes.items.find((i) => i.id === occ('2026-11-17T14:00:00Z').id) as Json;
    expect(declined.attendees[0].status.response).toBe('declined');
    expect(changes.items).toHaveLength(4);

    // Replays are allowed: the same deltaLink answers the same changes again.
    const replay = await syncRound(fx.client, nothing.deltaLink);
    expect(replay.items.map((i) => i.id).sort()).toEqual(changes.items.map((i) => i.id).sort());

    // Deleting the series removes every occurrence still in the window.
    await fx.client.api(`/me/events/${series.id}`).delete();
    const afterDelete = await syncRound(fx.client, changes.deltaLink);
    expect(afterDelete.items.every((i) => i['@removed'])).toBe(true);
    expect(afterDelete.items).toHaveLength(3);
  });

  it('reports a series moved to another hour as updated occurrences that keep their ids', async () => {
    const series = (await fx.client.api('/me/events').post(weeklyOneOnOne())) as Json;
    const path = `/me/calendarView/delta?startDateTime=2026-12-01T00:00:00Z&endDateTime=2026-12-09T00:00:00Z`;
    const before = await syncRound(fx.client, path);
    const ids = before.items.filter((i) => i.seriesMasterId === series.id).map((i) => i.id);
    expect(ids).toHaveLength(2);
    await fx.client.api(`/me/events/${series.id}`).patch({
      start: { dateTime: '2026-10-20T10:00:00', timeZone: 'America/New_York' },
      end: { dateTime: '2026-10-20T11:00:00', timeZone: 'America/New_York' },
    });
    const after = await syncRound(fx.client, before.deltaLink);
    expect(after.items.filter((i) => i['@removed'])).toEqual([]);
    expect(after.items.map((i) => [i.id, i.start.dateTime])).toEqual([
      [ids[0], '2026-12-01T15:00:00.0000000'],
      [ids[1], '2026-12-08T15:00:00.0000000'],
    ]);
    await fx.client.api(`/me/events/${series.id}`).delete();
  });

  it('rejects $select (and friends) and a missing window', async () => {
    const select = await graphFailure(fx.client.api(`/me/calendarView/delta?${WINDOW}`).select('subject').get());
    expect(select.statusCode).toBe(400);
    expect(select.code).toBe('ErrorInvalidUrlQuery');
    const expand = await graphFailure(
      fx.client.api(`/me/calendarView/delta?${WINDOW}&$expand=singleValueExtendedProperties`).get(),
    );
    expect(expand.statusCode).toBe(400);
    const noWindow = await graphFailure(fx.client.api('/me/calendarView/delta').get());
    expect(noWindow.statusCode).toBe(400);
  });

  it('answers an invalidated token with 410 Gone and a Location that restarts the sync', async () => {
    const path = `/users/${fx.manager.userId}/calendarView/delta?${WINDOW}`;
    await fx.client.api('/me/events').post(weeklyOneOnOne());
    const round = await syncRound(fx.client, path);
    expect(round.deltaLink).toContain(`/v1.0/users/${fx.manager.userId}/calendarView/delta?$deltatoken=`);
    const unfinished = (await fx.client.api(path).header('Prefer', 'odata.maxpagesize=1').get()) as Json;

    expect(fx.emulator.invalidateDeltaLinks(fx.manager.userId)).toBeGreaterThan(0);
    const gone = await graphFailure(fx.client.api(round.deltaLink).get());
    expect(gone.statusCode).toBe(410);
    expect(gone.code).toBe('resyncRequired');
    const location = (gone.headers as Headers | undefined)?.get('location') ?? '';
    expect(location).toMatch(
      new RegExp(`^${fx.emulator.url}/v1\\.0/users/.+/calendarView/delta\\?startDateTime=.+&endDateTime=.+&\\$deltatoken=$`),
    );
    expect((await graphFailure(fx.client.api(unfinished['@odata.nextLink']).get())).statusCode).toBe(410);

    const restarted = await syncRound(fx.client, location);
    expect(restarted.items.length).toBeGreaterThan(0);
    expect(restarted.items.every((i) => !i['@removed'])).toBe(true);

    const never = await graphFailure(fx.client.api(`/me/calendarView/delta?$deltatoken=never-issued`).get());
    expect(never.statusCode).toBe(400);
    expect(never.code).toBe('syncStateNotFound');
  });
});
