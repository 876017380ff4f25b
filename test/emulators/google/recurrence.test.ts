import { describe, expect, it } from 'vitest';
import { expand, parseRecurrence, RecurrenceError, withCount, withUntil } from './recurrence.js';

const iso = (list: number[]) => list.map((ms) => new Date(ms).toISOString().replace('.000', ''));
const ny = (local: string) => ({ ms: Date.parse(local), zone: 'America/New_York', allDay: false });
const FAR = Date.parse('2030-01-01T00:00:00Z');

describe('weekly expansion on the wall clock', () => {
  it('keeps 09:00 New York across both DST changes', () => {
    const starts = expand(parseRecurrence(['RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=4']), ny('2026-10-27T13:00:00Z'), FAR);
    expect(iso(starts)).toEqual(['2026-10-27T13:00:00Z', '2026-11-03T14:00:00Z', '2026-11-10T14:00:00Z', '2026-11-17T14:00:00Z']);
    const spring = expand(parseRecurrence(['RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=3']), ny('2027-03-02T14:00:00Z'), FAR);
    // US clocks spring forward on 2027-03-14
    expect(iso(spring)).toEqual(['2027-03-02T14:00:00Z', '2027-03-09T14:00:00Z', '2027-03-16T13:00:00Z']);
  });

  it('moves a wall time that does not exist (spring-forward gap) forward by the gap', () => {
    const start = { ms: Date.parse('2027-03-21T01:30:00Z'), zone: 'Europe/Berlin', allDay: false }; // Sunday 02:30 CET
    expect(iso(expand(parseRecurrence(['RRULE:FREQ=WEEKLY;COUNT=2']), start, FAR))).toEqual([
      '2027-03-21T01:30:00Z',
      '2027-03-28T01:30:00Z',
    ]);
  });

  it('puts a repeated wall time (clocks going back) at its first occurrence, as RFC 5545 reads it', () => {
    // Sunday 01:30 New York from 2026-10-25 (EDT); 01:30 happens twice on 2026-11-01
    const starts = expand(parseRecurrence(['RRULE:FREQ=WEEKLY;COUNT=3']), ny('2026-10-25T05:30:00Z'), FAR);
    expect(iso(starts)).toEqual(['2026-10-25T05:30:00Z', '2026-11-01T05:30:00Z', '2026-11-08T06:30:00Z']);
  });

  it('counts DTSTART as the first occurrence even when it is not on a BYDAY day (RFC 5545)', () => {
    const monday = ny('2026-10-19T13:00:00Z');
    expect(iso(expand(parseRecurrence(['RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=3']), monday, FAR))).toEqual([
      '2026-10-19T13:00:00Z',
      '2026-10-20T13:00:00Z',
      '2026-10-27T13:00:00Z',
    ]);
  });

  it('applies INTERVAL per WKST week, several BYDAY values and COUNT across them', () => {
    const rule = parseRecurrence(['RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;WKST=SU;COUNT=5']);
    expect(iso(expand(rule, ny('2026-10-20T13:00:00Z'), FAR))).toEqual([
      '2026-10-20T13:00:00Z',
      '2026-10-22T13:00:00Z',
      '2026-11-03T14:00:00Z',
      '2026-11-05T14:00:00Z',
      '2026-11-17T14:00:00Z',
    ]);
  });

  it('ends at UNTIL (UTC, or a date meaning that whole local day) and skips EXDATEs', () => {
    const start = ny('2026-10-20T13:00:00Z');
    expect(iso(expand(parseRecurrence(['RRULE:FREQ=WEEKLY;UNTIL=20261103T140000Z']), start, FAR))).toHaveLength(3);
    expect(iso(expand(parseRecurrence(['RRULE:FREQ=WEEKLY;UNTIL=20261103']), start, FAR))).toHaveLength(3);
    const withExdates = parseRecurrence([
      'RRULE:FREQ=WEEKLY;COUNT=4',
      'EXDATE;TZID=America/New_York:20261027T090000',
      'EXDATE:20261110T140000Z',
    ]);
    expect(iso(expand(withExdates, start, FAR))).toEqual(['2026-10-20T13:00:00Z', '2026-11-03T14:00:00Z']);
  });

  it('stops at the window end for rules without an end', () => {
    const starts = expand(
      parseRecurrence(['RRULE:FREQ=DAILY;INTERVAL=3']),
      ny('2026-10-20T13:00:00Z'),
      Date.parse('2026-10-30T00:00:00Z'),
    );
    expect(iso(starts)).toEqual(['2026-10-20T13:00:00Z', '2026-10-23T13:00:00Z', '2026-10-26T13:00:00Z', '2026-10-29T13:00:00Z']);
  });
});

describe('rules the emulator will not guess at', () => {
  it('refuses unsupported parts and malformed lines instead of expanding them wrongly', () => {
    expect(() => parseRecurrence(['RRULE:FREQ=MONTHLY;BYDAY=1TU'])).toThrow(RecurrenceError);
    expect(() => parseRecurrence(['RRULE:FREQ=WEEKLY;BYHOUR=9'])).toThrow(RecurrenceError);
    expect(() => parseRecurrence(['DTSTART:20261020T090000Z'])).toThrow(RecurrenceError);
    expect(() => parseRecurrence(['RRULE:FREQ=WEEKLY;COUNT=2;UNTIL=20261103T140000Z'])).toThrow(RecurrenceError);
  });
});

describe('rewriting for "this and following"', () => {
  it('replaces COUNT/UNTIL on the RRULE line only', () => {
    const lines = ['RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=10', 'EXDATE:20261027T130000Z'];
    expect(withUntil(lines, Date.parse('2026-11-10T04:59:59Z'))).toEqual([
      'RRULE:FREQ=WEEKLY;BYDAY=TU;UNTIL=20261110T045959Z',
      'EXDATE:20261027T130000Z',
    ]);
    expect(withCount(lines, 4)).toEqual(['RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=4', 'EXDATE:20261027T130000Z']);
    expect(withCount(lines, undefined)[0]).toBe('RRULE:FREQ=WEEKLY;BYDAY=TU');
  });
});
