import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { agendaId } from '@cadence/agenda/agendas/models';
import { buildReportFacts, FACTS_LAYOUT } from '@cadence/agenda/reports/facts/backfill';
import { decodeFacts, decodeFactsToRead } from '@cadence/agenda/reports/facts/codec';
import { repairPendingFacts } from '@cadence/agenda/reports/facts/repair';
import { commitVersion } from '@cadence/shared/db';
import { newId } from '@cadence/shared/ids';
import { agendaHarness, agendaReplica, httpClient, occurrenceKeys } from '../harness/agenda.js';
import { serve } from '../harness/http.js';

/**
 * The report reads agendas and homework through per-series facts kept by every write
 * (services/agenda/src/reports/facts/). Whatever happens to the writers, it must say what the
 * documents say: each check compares it with the same report computed from the documents.
 */
const h = await agendaHarness('report_facts', { start: '2026-03-02T12:00:00Z' });
const replica = await agendaReplica(h, 'agenda-2');
const replicaUrl = (await serve(replica.app)).url;
const org = await h.newOrg('Acme');
const series = await h.newSeries(org, {
  weekday: 'tuesday',
  startTime: '09:00',
  timeZone: 'Europe/Berlin',
  startDate: '2026-03-03',
});
const keys = await occurrenceKeys(org, series.id, '2026-03-01', '2026-05-01');
const replicas = [org.agenda, httpClient(replicaUrl, { authorization: `Bearer ${org.key}` })];
const { Agendas, Homework, Journal, PendingFacts, ReportFacts, FactsBuilds } = h.agenda.ctx.models;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const PATH = '/v1/reports/cadence?from=2026-03-01&to=2026-04-30';
const report = async () => (await org.agenda.get(PATH).expect(200)).body as Json;

/** The same report from the documents: a replica that does not know the facts are built reads those. */
async function reportFromDocuments(): Promise<Json> {
  await FactsBuilds.deleteMany({});
  try {
    const fresh = await agendaReplica(h, 'agenda-documents');
    return (await request(fresh.app).get(PATH).set('authorization', `Bearer ${org.key}`).expect(200)).body as Json;
  } finally {
    await FactsBuilds.create({ _id: FACTS_LAYOUT, completedAt: new Date() });
  }
}

const pairOf = (r: Json) => r.pairs[0] as Json;

describe('report facts kept by concurrent writers', () => {
  it('agree with the documents after agendas and homework of one series change at once on two replicas', async () => {
    await Promise.all(
      keys.slice(0, 6).map((key, i) =>
        replicas[i % 2]!.patch(`/v1/series/${series.id}/occurrences/${key}/agenda`, {
          notes: i % 2 ? 'Pipeline' : '',
          items: [
            { id: 'i1', covered: true },
            { id: 'i2', covered: i % 3 === 0 },
          ],
          figures: { calls: 10 + i, dealsClosed: 1 + (i % 3) },
        }),
      ),
    );
    const assigned = await Promise.all(
      keys.slice(0, 6).flatMap((key, i) =>
        [1, 2].map(
          async (n) =>
            (
              (
                await replicas[(i + n) % 2]!.post(`/v1/series/${series.id}/occurrences/${key}/homework`, {
                  title: `Item ${i}.${n}`,
                  owner: 'rep',
                })
              ).body as { id: string }
            ).id,
        ),
      ),
    );
    // both replicas close the same items at once; a 409 asks to try again, nothing is lost
    const closing = await Promise.all(
      assigned.flatMap((id, i) =>
        [0, 1].map((r) => replicas[r]!.patch(`/v1/homework/${id}`, { status: i % 3 ? 'done' : 'dropped' })),
      ),
    );
    expect(closing.map((r) => r.status).filter((s) => s !== 200 && s !== 409)).toEqual([]);

    h.clock.set('2026-04-20T12:00:00Z');
    const live = await report();
    expect(pairOf(live).homework).toMatchObject({ assigned: 12, completed: 8, dropped: 4 });
    expect(pairOf(live).agenda).toMatchObject({ withAgenda: 6, withNotes: 3 });
    expect(pairOf(live).activity.weeksWithFigures).toBe(6);
    expect(live).toEqual(await reportFromDocuments());
    expect(await PendingFacts.countDocuments()).toBe(0); // every writer finished its facts
  });
});

describe('a writer that dies between its write and the facts', () => {
  const key = keys[6]!;
  const id = agendaId(series.id, key);
  const marker = () =>
    PendingFacts.create({ _id: newId('rfp'), organizationId: org.id, source: 'agenda', sourceId: id, at: new Date() });
  const notes = (r: Json) => pairOf(r).agenda.withNotes as number;

  it('is shown at once from the document, and the repair writes it into the facts', async () => {
    await org.agenda.get(`/v1/series/${series.id}/occurrences/${key}/agenda`).expect(200); // the agenda exists
    const before = notes(await report());
    // what a writer leaves when it dies after its update: the marker and the changed document, old facts
    await marker();
    const doc = (await Agendas.findById(id).lean())!;
    expect(await commitVersion(Agendas, Journal, id, doc.version, { notes: 'Written, then the process died' })).toBe(true);
    expect(notes(await report())).toBe(before + 1);

    // the repair takes markers older than ORPHAN_MARKER_MS; asked as if that long had passed
    expect(await repairPendingFacts(h.agenda.ctx, new Date(Date.now() + 1))).toBe(1);
    expect(await PendingFacts.countDocuments()).toBe(0);
    const repaired = await report();
    expect(notes(repaired)).toBe(before + 1);
    expect(repaired).toEqual(await reportFromDocuments());
  });

  it('is shown at once from the document for homework too', async () => {
    const before = pairOf(await report()).homework as Json;
    const item = (await Homework.findOne({ organizationId: org.id, seriesId: series.id, status: 'dropped' }).lean())!;
    await PendingFacts.create({
      _id: newId('rfp'),
      organizationId: org.id,
      source: 'homework',
      sourceId: item._id,
      at: new Date(),
    });
    expect(
      await commitVersion(Homework, Journal, item._id, item.version, { status: 'done', statusChangedAt: h.clock.now() }),
    ).toBe(true);
    const live = await report();
    expect(pairOf(live).homework).toMatchObject({ completed: before.completed + 1, dropped: before.dropped - 1 });
    expect(live).toEqual(await reportFromDocuments());
    expect(await repairPendingFacts(h.agenda.ctx, new Date(Date.now() + 1))).toBe(1);
    expect(await report()).toEqual(live);
  });

  it('inside its compare-and-set (journal entry written, document not): the write shows once rolled forward', async () => {
    const before = notes(await report());
    await marker();
    const doc = (await Agendas.findById(id).lean())!;
    await Journal.create({
      _id: `agendas:${id}@${doc.version + 1}`,
      set: { notes: '', version: doc.version + 1 },
      at: new Date(),
    });
    // the write did not complete: the report may show the agenda as it was
    expect(notes(await report())).toBe(before);
    expect(await repairPendingFacts(h.agenda.ctx, new Date(Date.now() + 1))).toBe(1);
    const repaired = await report();
    expect(notes(repaired)).toBe(before - 1);
    expect((await Agendas.findById(id).lean())!.notes).toBe('');
    expect(repaired).toEqual(await reportFromDocuments());
  });

  it('before its write: nothing changes, and the marker goes', async () => {
    const before = await report();
    await PendingFacts.create({
      _id: newId('rfp'),
      organizationId: org.id,
      source: 'homework',
      sourceId: 'hw_never_written',
      at: new Date(),
    });
    expect(await report()).toEqual(before);
    expect(await repairPendingFacts(h.agenda.ctx, new Date(Date.now() + 1))).toBe(1);
    expect(await PendingFacts.countDocuments()).toBe(0);
  });

  it('is not taken for dead while younger than the orphan age', async () => {
    await marker();
    expect(await repairPendingFacts(h.agenda.ctx, new Date(Date.now() - 60_000))).toBe(0);
    expect(await PendingFacts.countDocuments()).toBe(1);
    await PendingFacts.deleteMany({});
  });
});

describe('agendas and homework written before the facts existed', () => {
  it('are built into facts once, and the report is the same as from the documents', async () => {
    // documents only, as a database from before this version holds them
    await Homework.create({
      _id: newId('hw'),
      organizationId: org.id,
      seriesId: series.id,
      assignedKey: keys[7]!,
      title: 'Written by an older version',
      owner: 'rep',
      due: new Date('2026-04-25T08:00:00Z'),
      dueDefaulted: false,
      status: 'open',
      statusChangedAt: new Date('2026-04-21T08:00:00Z'),
      statusChangedBy: { role: 'rep', via: 'api' },
      version: 1,
      createdAt: new Date(),
      updatedAt: new Date(),
    });
    await ReportFacts.deleteMany({});
    await FactsBuilds.deleteMany({});
    const expected = await reportFromDocuments();
    expect(pairOf(expected).homework.assigned).toBe(13);

    await FactsBuilds.deleteMany({});
    const upgraded = await agendaReplica(h, 'agenda-upgraded');
    const { built, documents } = await buildReportFacts(upgraded.ctx);
    expect(built).toBe(true);
    expect(documents).toBe((await Agendas.countDocuments()) + (await Homework.countDocuments()));
    expect((await buildReportFacts(upgraded.ctx)).built).toBe(false); // once
    expect((await request(upgraded.app).get(PATH).set('authorization', `Bearer ${org.key}`).expect(200)).body).toEqual(expected);
    expect(await report()).toEqual(expected);
  });
});

describe('facts stored before they were kept in columns', () => {
  it('are read as they are, and written in columns by the next change, the report unchanged', async () => {
    // a series of its own: the tests above deleted buckets whose journal entries remain
    const own = await h.newSeries(org, {
      weekday: 'thursday',
      startTime: '10:00',
      timeZone: 'Europe/Berlin',
      startDate: '2026-03-05',
    });
    const [k0, k1] = await occurrenceKeys(org, own.id, '2026-03-01', '2026-03-20');
    await org.agenda
      .patch(`/v1/series/${own.id}/occurrences/${k0}/agenda`, { notes: 'First', figures: { calls: 9, dealsClosed: 1 } })
      .expect(200);
    await org.agenda.post(`/v1/series/${own.id}/occurrences/${k0}/homework`, { title: 'Follow up', owner: 'rep' }).expect(201);
    const expected = await reportFromDocuments();
    // its bucket rewritten in the earlier layout (entries by key and by id), as a writer writes it
    const b = (await ReportFacts.findOne({ organizationId: org.id, seriesId: own.id }).lean())!;
    expect(JSON.parse(b.facts).a.k).toEqual([k0]);
    const rows = JSON.stringify(decodeFacts(b.facts));
    expect(await commitVersion(ReportFacts, Journal, b._id, b.version, { facts: rows, updatedAt: new Date() })).toBe(true);
    expect(await report()).toEqual(expected);

    // the next change merges into it and writes it in columns
    await org.agenda.patch(`/v1/series/${own.id}/occurrences/${k1}/agenda`, { notes: 'Second' }).expect(200);
    const after = (await ReportFacts.findById(b._id).lean())!;
    expect(JSON.parse(after.facts).a.k.sort()).toEqual([k0, k1].sort());
    expect(JSON.parse(after.facts).h.i).toHaveLength(1);
    expect(await report()).toEqual(await reportFromDocuments());
  });

  it('refuse columns of different lengths', () => {
    const stored = JSON.stringify({
      a: { k: ['20260303T080000Z'], v: [1, 1, 0] },
      h: { i: [], k: [], s: [], d: [], c: [], v: [] },
    });
    expect(() => decodeFacts(stored)).toThrow(/different lengths/);
    expect(() => decodeFactsToRead(stored)).toThrow(/different lengths/);
  });
});
