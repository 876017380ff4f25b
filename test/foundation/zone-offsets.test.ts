import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { inZone, isoWeekOf, localDay, localIso, localMidnight } from '@cadence/shared/time';

/** The remembered offsets must read exactly as luxon reads the named zone, at every instant. */
const zones = Intl.supportedValuesOf('timeZone');

function sameAsLuxon(ts: number, zone: string) {
  const named = DateTime.fromMillis(ts, { zone });
  const fixed = inZone(ts, zone);
  expect([fixed.toISODate(), fixed.hour, fixed.minute, fixed.second, fixed.weekYear, fixed.weekNumber]).toEqual([
    named.toISODate(),
    named.hour,
    named.minute,
    named.second,
    named.weekYear,
    named.weekNumber,
  ]);
  expect(localIso(new Date(ts), zone)).toBe(named.toISO({ suppressMilliseconds: true }));
  const isoWeek = `${named.weekYear}-W${String(named.weekNumber).padStart(2, '0')}`;
  expect(isoWeekOf(new Date(ts), zone)).toBe(isoWeek);
  expect(localDay(ts, zone)).toEqual({ date: named.toISODate(), isoWeek });
}

describe('zone offsets', () => {
  it('read every zone as luxon does, asked twice (the second answer is remembered)', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2040, 0, 1) }), fc.constantFrom(...zones), (ts, zone) => {
        sameAsLuxon(ts, zone);
        sameAsLuxon(ts, zone);
      }),
      { numRuns: 2000 },
    );
  });

  it('give the ISO week luxon gives on every day around each new year (weeks 52, 53 and 1)', () => {
    for (let year = 1995; year <= 2045; year++)
      for (let day = -6; day <= 6; day++)
        for (const zone of ['UTC', 'Pacific/Kiritimati', 'Pacific/Pago_Pago'])
          sameAsLuxon(Date.UTC(year, 0, 1 + day, 11, 30), zone);
  });

  it('start a local date where luxon starts it, in every zone', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1990-01-01'), max: new Date('2040-01-01'), noInvalidDate: true }),
        fc.constantFrom(...zones),
        (d, zone) => {
          const date = d.toISOString().slice(0, 10);
          const midnight = DateTime.fromISO(date, { zone });
          // luxon guesses on a repeated midnight (RFC 5545 takes the first): only unambiguous ones compare
          if (midnight.minus({ hours: 1 }).toISODate() === date) return;
          expect(localMidnight(date, zone)).toBe(midnight.toMillis());
          expect(localMidnight(date, zone, 1)).toBe(DateTime.fromISO(date, { zone }).plus({ days: 1 }).startOf('day').toMillis());
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('read both sides of a daylight-saving change, and write +00:00 where London does', () => {
    for (const iso of ['2026-03-08T07:00:00Z', '2026-11-01T06:00:00Z']) {
      const ts = Date.parse(iso);
      for (const t of [ts - 1, ts, ts + 1, ts - 3600_000, ts + 3600_000]) sameAsLuxon(t, 'America/New_York');
    }
    // changes in the middle of a UTC hour (offsets are remembered by hour): Newfoundland at :30, Lord Howe's half hour
    for (const [zone, iso] of [
      ['America/St_Johns', '2026-03-08T05:30:00Z'],
      ['America/St_Johns', '2026-11-01T04:30:00Z'],
      ['Australia/Lord_Howe', '2026-04-04T15:00:00Z'],
      ['Australia/Lord_Howe', '2026-10-03T15:30:00Z'],
    ] as const) {
      const ts = Date.parse(iso);
      for (const t of [ts - 1, ts, ts + 1, ts - 29 * 60_000, ts + 29 * 60_000]) sameAsLuxon(t, zone);
    }
    expect(localIso(new Date('2026-01-15T09:00:00Z'), 'Europe/London')).toBe('2026-01-15T09:00:00+00:00');
    expect(localIso(new Date('2026-01-15T09:00:00Z'), 'UTC')).toBe(
      DateTime.fromISO('2026-01-15T09:00:00Z', { zone: 'UTC' }).toISO({ suppressMilliseconds: true }),
    );
  });
});
