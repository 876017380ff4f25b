import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { weeklyStarts, WEEKDAYS, type WeeklyRule } from '@cadence/shared/time';

/**
 * weeklyStarts takes a shortcut (a week later at the same UTC offset is the same wall-clock time);
 * it must give exactly what computing every week on the wall clock with luxon gives, in every zone,
 * across daylight-saving changes, gaps and repeated hours.
 */
function onTheWallClock(rule: WeeklyRule, from: Date, to: Date): Date[] {
  const [hour, minute] = rule.startTime.split(':').map(Number) as [number, number];
  const start = DateTime.fromISO(rule.startDate, { zone: rule.timeZone });
  const first = start.plus({ days: (WEEKDAYS.indexOf(rule.weekday) + 1 - start.weekday + 7) % 7 });
  const last = rule.endDate ? DateTime.fromISO(rule.endDate, { zone: rule.timeZone }).endOf('day') : undefined;
  const out: Date[] = [];
  for (let i = 0; rule.count == null || i < rule.count; i++) {
    const day = first.plus({ weeks: i });
    if (last && day > last) break;
    const at = firstOccurrence(day.set({ hour, minute, second: 0, millisecond: 0 }), hour, minute).toJSDate();
    if (at >= to) break;
    if (at >= from) out.push(at);
  }
  return out;
}

/**
 * RFC 5545 §3.3.5: a local time that occurs twice is its first occurrence. luxon picks one of the
 * two by the offset it guesses from, so look for an earlier instant showing the same wall clock
 * (clocks go back by 30 minutes to 2 hours in the tz database).
 */
function firstOccurrence(at: DateTime, hour: number, minute: number): DateTime {
  if (at.hour !== hour || at.minute !== minute) return at; // moved out of a gap
  const earlier = [30, 60, 90, 120]
    .map((m) => at.minus({ minutes: m }))
    .filter((e) => e.hour === hour && e.minute === minute && e.toISODate() === at.toISODate());
  return earlier.length ? earlier[earlier.length - 1]! : at;
}

const zones = Intl.supportedValuesOf('timeZone');
// zones whose offset changes during the year, where the shortcut matters
const changing = zones.filter((z) => {
  const jan = DateTime.fromISO('2026-01-15', { zone: z }).offset;
  return jan !== DateTime.fromISO('2026-07-15', { zone: z }).offset;
});

const date = (min: string, max: string) =>
  fc.date({ min: new Date(min), max: new Date(max), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));

const rules = (zonesToPick: string[]) =>
  fc.record({
    weekday: fc.constantFrom(...WEEKDAYS),
    // the hours around midnight and the usual change times, then any
    startTime: fc.oneof(
      fc.constantFrom('00:00', '00:30', '01:00', '01:30', '02:00', '02:30', '03:00', '03:30', '23:30'),
      fc
        .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
        .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`),
    ),
    timeZone: fc.constantFrom(...zonesToPick),
    startDate: date('1995-01-01', '2035-12-31'),
    endDate: fc.option(date('1995-01-01', '2040-12-31'), { nil: null }),
    count: fc.option(fc.integer({ min: 1, max: 400 }), { nil: null }),
    fromWeeks: fc.integer({ min: -10, max: 300 }),
    spanWeeks: fc.integer({ min: 1, max: 160 }),
  });

function check(r: WeeklyRule & { fromWeeks: number; spanWeeks: number }) {
  const from = DateTime.fromISO(r.startDate, { zone: 'UTC' }).plus({ weeks: r.fromWeeks }).toJSDate();
  const to = new Date(from.getTime() + r.spanWeeks * 7 * 86_400_000);
  expect(weeklyStarts(r, from, to).map((d) => d.toISOString())).toEqual(onTheWallClock(r, from, to).map((d) => d.toISOString()));
}

describe('weeklyStarts', () => {
  it('gives what every week computed on the wall clock gives, in zones with daylight-saving time', () => {
    expect(changing.length).toBeGreaterThan(50);
    fc.assert(fc.property(rules(changing), check), { numRuns: 400 });
  });

  it('and in every zone', () => {
    fc.assert(fc.property(rules(zones), check), { numRuns: 200 });
  });

  it('keeps 02:30 in New York across a year: moved out of the spring gap that day only', () => {
    const starts = weeklyStarts(
      { weekday: 'sunday', startTime: '02:30', timeZone: 'America/New_York', startDate: '2026-01-04' },
      new Date('2026-01-01T00:00:00Z'),
      new Date('2027-01-01T00:00:00Z'),
    ).map((d) => DateTime.fromJSDate(d, { zone: 'America/New_York' }).toFormat('yyyy-MM-dd HH:mm'));
    expect(starts).toHaveLength(52);
    expect(starts.filter((s) => !s.endsWith('02:30'))).toEqual(['2026-03-08 03:30']);
    expect(starts).toContain('2026-03-15 02:30');
  });

  it('puts 01:30 on the night clocks go back at its first occurrence (RFC 5545), whatever the start date', () => {
    for (const startDate of ['2026-10-25', '2026-01-04', '2026-06-07']) {
      const [first] = weeklyStarts(
        { weekday: 'sunday', startTime: '01:30', timeZone: 'America/New_York', startDate },
        new Date('2026-11-01T00:00:00Z'),
        new Date('2026-11-02T00:00:00Z'),
      );
      // 01:30 EDT (-04:00), not the 01:30 EST an hour later
      expect(first?.toISOString()).toBe('2026-11-01T05:30:00.000Z');
    }
  });
});
