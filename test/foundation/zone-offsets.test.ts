import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { inZone, isoWeekOf, localIso } from '@cadence/shared/time';

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
  expect(isoWeekOf(new Date(ts), zone)).toBe(`${named.weekYear}-W${String(named.weekNumber).padStart(2, '0')}`);
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
