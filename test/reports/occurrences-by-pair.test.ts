import { describe, expect, it } from 'vitest';
import { cadenceCategory } from '@cadence/shared/cadence/streaks';
import type { OccurrenceView, SeriesOutcomes } from '@cadence/shared/clients/scheduling';
import { schedulingModels } from '@cadence/scheduling/context';
import { occurrenceId, type OccurrenceDoc } from '@cadence/scheduling/occurrences/models';
import {
  beginRecordWrite,
  buildRecordedKeys,
  endRecordWrite,
  fieldsOf,
  listedKey,
} from '@cadence/scheduling/occurrences/recorded-keys';
import { agendaHarness } from '../harness/agenda.js';

/** `GET /v1/occurrences` (scheduling), which reports page through: one page of series at a time. */
const h = await agendaHarness('occurrences_by_pair', { start: '2026-03-02T12:00:00Z' });
const org = await h.newOrg('Acme');
for (const [i, weekday] of ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'].entries())
  await h.newSeries(org, {
    weekday,
    startTime: `${String(i + 8).padStart(2, '0')}:00`,
    timeZone: 'Europe/Berlin',
    startDate: '2026-03-02',
  });

type Page = {
  items: { series: { id: string }; occurrences: { key: string; state: string; originalStart: string }[] }[];
  nextCursor: string | null;
};
const RANGE = 'from=2026-03-01&to=2026-04-01';
const get = async (query: string) => (await org.scheduling.get(`/v1/occurrences?${RANGE}&${query}`).expect(200)).body as Page;

async function allPages(limit: number, rewrite: (cursor: string) => string = (c) => c): Promise<Page['items']> {
  const items: Page['items'] = [];
  let cursor: string | null = null;
  do {
    const page: Page = await get(`limit=${limit}${cursor ? `&cursor=${rewrite(cursor)}` : ''}`);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

type FullPage = { items: { series: unknown; occurrences: OccurrenceView[] }[] };
const fullViews = async () => (await get('limit=100')) as unknown as FullPage;
const reportPage = async () =>
  (await org.scheduling.get(`/v1/occurrences?${RANGE}&limit=100&fields=report`).expect(200)).body as {
    items: { series: unknown; outcomes: SeriesOutcomes }[];
  };
/** What fields=report must say, worked out from the full views. */
const outcomesOf = (whole: FullPage) => {
  const now = h.clock.now();
  return whole.items.map((i) => ({
    keys: i.occurrences.map((o) => o.key),
    categories: i.occurrences.map((o) => cadenceCategory(o, now)),
    restored: i.occurrences.filter((o) => o.restoredAt).map((o) => o.key),
    upcoming: i.occurrences
      .filter((o) => cadenceCategory(o, now) === 'upcoming')
      .map((o) => ({ key: o.key, end: o.end, moved: o.move !== null })),
  }));
};

describe('occurrences by pair, page by page', () => {
  it('gives every series once, in order, whatever the page size', async () => {
    const whole = await get('limit=100');
    expect(whole.items).toHaveLength(5);
    expect(whole.nextCursor).toBeNull();
    expect(whole.items.every((i) => i.occurrences.length === 5 || i.occurrences.length === 4)).toBe(true);
    expect(await allPages(2)).toEqual(whole.items);
    expect(await allPages(1)).toEqual(whole.items);
  });

  it('reads the series once for all the pages of a listing (each read decodes every series on FerretDB)', async () => {
    let seriesReads = 0;
    h.scheduling.ctx.models.Series.db.set('debug', (coll: string, method: string) => {
      if (coll === 'series' && method === 'find') seriesReads++;
    });
    try {
      expect(await allPages(1)).toHaveLength(5);
    } finally {
      h.scheduling.ctx.models.Series.db.set('debug', false);
    }
    expect(seriesReads).toBe(1);
  });

  it('reads the next two pages while answering this one, and answers them from those reads when asked soon after', async () => {
    const finds: string[] = [];
    h.scheduling.ctx.models.Series.db.set('debug', (coll: string, method: string) => {
      if ((coll === 'people' || coll === 'occurrence_outcomes') && method === 'find') finds.push(coll);
    });
    try {
      const pages: Page[] = [];
      const peopleReads: number[] = [];
      let cursor: string | null | undefined;
      for (let i = 0; i < 5 && cursor !== null; i++) {
        const page = await get(`limit=1${cursor ? `&cursor=${cursor}` : ''}`);
        await new Promise((r) => setTimeout(r, 200));
        pages.push(page);
        peopleReads.push(finds.filter((c) => c === 'people').length);
        cursor = page.nextCursor;
      }
      expect(cursor).toBeNull();
      // this page's and the next two's; then one page more ahead each time, until the fifth, the last
      expect(peopleReads).toEqual([3, 4, 5, 5, 5]);
      expect(pages.flatMap((p) => p.items)).toEqual((await get('limit=100')).items);
    } finally {
      h.scheduling.ctx.models.Series.db.set('debug', false);
    }
  });

  it('answers the same page for a cursor asked again, and for a cursor of the older three-part form', async () => {
    const first = await get('limit=2');
    const again = await get(`limit=2&cursor=${first.nextCursor}`);
    expect(await get(`limit=2&cursor=${first.nextCursor}`)).toEqual(again);
    // another replica (or this one after a minute) reads from the cursor's position itself
    const positionOnly = (c: string) =>
      Buffer.from(JSON.stringify((JSON.parse(Buffer.from(c, 'base64url').toString()) as string[]).slice(0, 3))).toString(
        'base64url',
      );
    expect(await allPages(2, positionOnly)).toEqual((await get('limit=100')).items);
  });

  it('shows recorded changes on the planned occurrences', async () => {
    const whole = await get('limit=100');
    const { series, occurrences } = whole.items[0]!;
    await org.scheduling
      .post(`/v1/local-calendar/series/${series.id}/occurrences/${occurrences[2]!.key}/cancel`, { reason: 'x' })
      .expect(200);
    const pages = await allPages(2);
    expect(pages[0]!.occurrences.map((o) => o.state)).toEqual(occurrences.map((o, i) => (i === 2 ? 'cancelled' : o.state)));
  });

  it('gives each series’ occurrences as a report reads them with fields=report: key and cadence category, in columns', async () => {
    const before = await get('limit=100');
    const cancelled = { series: before.items[1]!.series.id, key: before.items[1]!.occurrences[3]!.key };
    await org.scheduling
      .post(`/v1/local-calendar/series/${cancelled.series}/occurrences/${cancelled.key}/cancel`, { reason: 'y' })
      .expect(200);
    const whole = await fullViews();
    const slim = await reportPage();
    expect(slim.items.map((i) => i.series)).toEqual(whole.items.map((i) => i.series));
    expect(slim.items.map((i) => i.outcomes)).toEqual(outcomesOf(whole));
    // the clock stands on Monday 2 March at noon: that morning's meeting is held, the rest to come
    expect(slim.items[0]!.outcomes.categories.slice(0, 2)).toEqual(['held_on_slot', 'upcoming']);
    const cancelledSeries = slim.items[1]!.outcomes;
    expect(cancelledSeries.categories[cancelledSeries.keys.indexOf(cancelled.key)]).toBe('cancelled_unexcused');
    expect(cancelledSeries.upcoming.map((u) => u.key)).not.toContain(cancelled.key);

    const bad = await org.scheduling.get(`/v1/occurrences?${RANGE}&fields=everything`).expect(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(JSON.stringify(bad.body)).toContain('fields');
  });

  it('answers fields=report from the outcomes listed beside the keys, and reads a record only while a write of it is counted', async () => {
    const { items } = await get('limit=100');
    const [a, b] = [items[2]!, items[4]!];
    const at = (o: { originalStart: string }, ms: number) => new Date(Date.parse(o.originalStart) + ms).toISOString();
    const act = (item: Page['items'][number], i: number, path: string, body: object) =>
      org.scheduling
        .post(`/v1/local-calendar/series/${item.series.id}/occurrences/${item.occurrences[i]!.key}/${path}`, body)
        .expect(200);
    await act(a, 1, 'move', { start: at(a.occurrences[1]!, 3600_000) }); // within its week
    await act(a, 2, 'move', { start: at(a.occurrences[2]!, 7 * 86400_000) }); // out of it
    await act(b, 1, 'edit', { durationMinutes: 30 }); // ends earlier
    await act(b, 2, 'decline', {});
    await act(b, 3, 'cancel', { reason: 'flu' });
    await org.scheduling
      .post(`/v1/series/${b.series.id}/occurrences/${b.occurrences[3]!.key}/excuse`, { reason: 'flu', kind: 'sick' })
      .expect(200); // a second write of one record

    const whole = await fullViews();
    const recordReads: string[] = [];
    const { Series, Occurrences, RecordedKeys } = h.scheduling.ctx.models;
    Series.db.set('debug', (coll: string, method: string) => {
      if (coll === 'occurrences' && method === 'find') recordReads.push(method);
    });
    let slim: Awaited<ReturnType<typeof reportPage>>;
    try {
      slim = await reportPage();
    } finally {
      Series.db.set('debug', false);
    }
    expect(slim.items.map((i) => i.outcomes)).toEqual(outcomesOf(whole));
    const categories = slim.items[4]!.outcomes.categories;
    expect(categories.slice(1, 4)).toEqual(['upcoming', 'declined', 'cancelled_excused']);
    expect(slim.items[2]!.outcomes.categories[2]).toBe('moved_out_of_week');
    expect(recordReads).toEqual([]);

    // a writer that counted its write and died after changing the record: the record is read, not the listed outcome
    const key = b.occurrences[1]!.key;
    await RecordedKeys.updateOne({ _id: `${b.series.id}@${key.slice(0, 4)}` }, { $inc: { [fieldsOf(key).writing]: 1 } });
    await Occurrences.updateOne(
      { _id: occurrenceId(b.series.id, key) },
      { $set: { state: 'cancelled', cancellation: { excused: false } } },
    );
    expect((await reportPage()).items[4]!.outcomes.categories[1]).toBe('cancelled_unexcused');
  });

  it('keeps the outcome of the latest version when two writes of one record end out of order', async () => {
    const { items } = await get('limit=100');
    const series = items[1]!.series.id;
    const key = items[1]!.occurrences[4]!.key;
    const models = h.scheduling.ctx.models;
    const listing = { organizationId: org.id, seriesId: series, key };
    const record = (version: number, state: string) =>
      ({
        _id: occurrenceId(series, key),
        key,
        seriesId: series,
        version,
        state,
        cancellation: null,
        move: null,
        decline: null,
        modification: null,
        restoredAt: null,
      }) as unknown as OccurrenceDoc;
    for (let i = 0; i < 3; i++) await beginRecordWrite(models, listing);
    await endRecordWrite(models, listing, record(2, 'cancelled'));
    await endRecordWrite(models, listing); // a write that did not happen (another writer won) takes its count back too
    await endRecordWrite(models, listing, record(1, 'scheduled'));
    expect(await listedKey(models, series, key)).toEqual({
      writing: 0,
      version: 2,
      outcome: expect.objectContaining({ state: 'cancelled' }),
    });
    // no record was written: unlisted again for the tests after this one
    const f = fieldsOf(key);
    await models.RecordedKeys.updateOne(
      { _id: `${series}@${key.slice(0, 4)}` },
      { $unset: { [f.writing]: 1, [f.version]: 1, [f.outcome]: 1 } },
    );
    expect(await listedKey(models, series, key)).toBeUndefined();
  });

  it('looks up only the records its series list, and lists the records an older version wrote once the lists are built', async () => {
    const { Occurrences } = h.scheduling.ctx.models;
    const lookedUp: number[] = [];
    h.scheduling.ctx.models.Series.db.set('debug', (coll: string, method: string, filter: { _id?: { $in?: unknown[] } }) => {
      if (coll === 'occurrences' && method === 'find' && filter._id?.$in) lookedUp.push(filter._id.$in.length);
    });
    let page: Page;
    try {
      page = await get('limit=100');
    } finally {
      h.scheduling.ctx.models.Series.db.set('debug', false);
    }
    const planned = page.items.flatMap((i) => i.occurrences).length;
    const records = await Occurrences.countDocuments({ organizationId: org.id });
    expect(records).toBeGreaterThan(0);
    expect(lookedUp.reduce((a, b) => a + b, 0)).toBe(records); // not every one of the `planned` occurrences
    expect(planned).toBeGreaterThan(records);

    // a record an older version wrote, without listing its key: missed until the lists are built
    const target = page.items[3]!;
    const key = target.occurrences[1]!.key;
    await Occurrences.collection.insertOne({
      ...(await Occurrences.findOne({ organizationId: org.id }).lean())!,
      _id: occurrenceId(target.series.id, key) as never,
      seriesId: target.series.id,
      key,
      originalStart: new Date(target.occurrences[1]!.originalStart),
      state: 'cancelled',
      cancellation: { reason: 'old version', excused: false },
    });
    const stateOf = async () => (await get('limit=100')).items[3]!.occurrences[1]!.state;
    expect(await stateOf()).not.toBe('cancelled');
    // a start of this version on that database (its own models: nothing remembered of the first build)
    const upgraded = schedulingModels(h.scheduling.ctx.models.Series.db.useDb(h.scheduling.ctx.models.Series.db.name));
    await upgraded.RecordedKeysBuilds.deleteMany({});
    // the lists an older version kept in its own layout, which this one does not read
    await upgraded.Series.db.collection('occurrence_keys').insertOne({ _id: `${target.series.id}@2026` as never, keys: [key] });
    expect(await buildRecordedKeys(upgraded)).toEqual({ built: true, records: records + 1 });
    const collections = (await upgraded.Series.db.listCollections()).map((c) => c.name);
    expect(collections).toContain('occurrence_outcomes');
    expect(collections).not.toContain('occurrence_keys'); // derived data of a former layout: dropped
    expect(await stateOf()).toBe('cancelled');
    // and its outcome listed beside its key: a report counts it without reading it
    const report = await reportPage();
    expect(report.items[3]!.outcomes.categories[1]).toBe('cancelled_unexcused');
    expect(await buildRecordedKeys(upgraded)).toEqual({ built: false, records: 0 }); // once per database
  });
});
