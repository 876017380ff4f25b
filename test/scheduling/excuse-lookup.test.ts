import { beforeAll, describe, expect, it } from 'vitest';
import { findExcuse } from '@cadence/scheduling/excuses/excuses';
import { excuseModel, type ExcuseDoc } from '@cadence/scheduling/excuses/models';
import { useTestDatabase } from '../harness/database.js';

/**
 * Cancellations in a burst look their excuses up at once, and the look-ups are read as one query
 * (excuses.ts): each must still get the excuse that covers its own occurrence — its organization,
 * its people, its instant or local date — and of several the earliest created.
 */
describe('excuse look-ups made at once', () => {
  let Excuses: ReturnType<typeof excuseModel>;

  beforeAll(async () => {
    const { conn } = await useTestDatabase('excuses');
    Excuses = excuseModel(conn);
    const at = (d: string) => new Date(d);
    const base = { kind: 'vacation', reason: null, fromDate: null, toDate: null, from: null, to: null, personId: null };
    await Excuses.insertMany([
      // org A: Ann away 3–7 Nov (dates), Bo away one afternoon (instants), the whole org off on 11 Nov
      {
        ...base,
        _id: 'ann',
        organizationId: 'A',
        scope: 'person',
        personId: 'ann',
        fromDate: '2026-11-03',
        toDate: '2026-11-07',
        createdAt: at('2026-10-02'),
      },
      {
        ...base,
        _id: 'ann-early',
        organizationId: 'A',
        scope: 'person',
        personId: 'ann',
        reason: 'first',
        fromDate: '2026-11-05',
        toDate: '2026-11-05',
        createdAt: at('2026-10-01'),
      },
      {
        ...base,
        _id: 'bo',
        organizationId: 'A',
        scope: 'person',
        personId: 'bo',
        from: at('2026-11-04T13:00:00Z'),
        to: at('2026-11-04T15:00:00Z'),
        createdAt: at('2026-10-03'),
      },
      {
        ...base,
        _id: 'holiday',
        organizationId: 'A',
        scope: 'organization',
        kind: 'holiday',
        fromDate: '2026-11-11',
        toDate: '2026-11-11',
        createdAt: at('2026-10-04'),
      },
      // org B: its own Ann-named person and holiday, which must not excuse org A's
      {
        ...base,
        _id: 'b-ann',
        organizationId: 'B',
        scope: 'person',
        personId: 'ann',
        fromDate: '2026-11-20',
        toDate: '2026-11-20',
        createdAt: at('2026-10-05'),
      },
      {
        ...base,
        _id: 'b-holiday',
        organizationId: 'B',
        scope: 'organization',
        kind: 'holiday',
        fromDate: '2026-11-04',
        toDate: '2026-11-04',
        createdAt: at('2026-10-06'),
      },
    ] satisfies ExcuseDoc[]);
  });

  /** A meeting of these people in this organization, at this instant in this zone. */
  const meeting = (organizationId: string, personIds: string[], start: string, timeZone = 'UTC') => ({
    organizationId,
    personIds,
    originalStart: new Date(start),
    timeZone,
  });
  const cases: [string, ReturnType<typeof meeting>, string | undefined][] = [
    ['within a date range', meeting('A', ['ann', 'mo'], '2026-11-03T14:00:00Z'), 'ann'],
    ['the earliest created of two', meeting('A', ['mo', 'ann'], '2026-11-05T14:00:00Z'), 'ann-early'],
    // 8 Nov 01:00 UTC is still 7 Nov in New York: Ann's last day
    ['by the local date', meeting('A', ['ann'], '2026-11-08T01:00:00Z', 'America/New_York'), 'ann'],
    ['not the day after', meeting('A', ['ann'], '2026-11-08T01:00:00Z'), undefined],
    ['within an instant range', meeting('A', ['bo'], '2026-11-04T14:00:00Z'), 'bo'],
    ['not at its end', meeting('A', ['bo'], '2026-11-04T15:00:00Z'), undefined],
    ['the organization’s day', meeting('A', ['zed'], '2026-11-11T09:00:00Z'), 'holiday'],
    ['not another person’s absence', meeting('A', ['zed'], '2026-11-04T14:00:00Z'), undefined],
    ['not another organization’s day', meeting('A', ['zed'], '2026-11-20T09:00:00Z'), undefined],
    ['its own organization’s', meeting('B', ['ann'], '2026-11-04T09:00:00Z'), 'b-holiday'],
    ['its own organization’s person', meeting('B', ['ann'], '2026-11-05T09:00:00Z'), undefined],
  ];

  it('each gets the excuse of its own occurrence, as when asked alone', async () => {
    const together = await Promise.all(cases.map(([, q]) => findExcuse(Excuses, q)));
    const alone = [];
    for (const [, q] of cases) alone.push(await findExcuse(Excuses, q));
    const ids = (found: (ExcuseDoc | undefined)[]) => cases.map(([name], i) => [name, found[i]?._id]);
    expect(ids(together)).toEqual(cases.map(([name, , want]) => [name, want]));
    expect(ids(alone)).toEqual(ids(together));
  });
});
