import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { occurrenceKey, parseOccurrenceKey } from '@cadence/shared/time';

/** Keys are written and read without luxon (a report handles ~80,000): they must be what luxon writes. */
describe('occurrence keys', () => {
  it('are the UTC start as luxon writes it, and read back to the second', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.parse('0000-01-01T00:00:00Z'), max: Date.parse('9999-12-31T23:59:59Z') }), (ts) => {
        const at = new Date(ts);
        const key = occurrenceKey(at);
        expect(key).toBe(DateTime.fromJSDate(at, { zone: 'utc' }).toFormat("yyyyMMdd'T'HHmmss'Z'"));
        expect(parseOccurrenceKey(key)?.getTime()).toBe(Math.floor(ts / 1000) * 1000);
      }),
      { numRuns: 5000 },
    );
  });

  it('refuse dates and times that do not exist, and anything else', () => {
    for (const key of ['20260230T090000Z', '20250229T090000Z', '20261301T090000Z', '20260001T090000Z', '20260100T090000Z'])
      expect(parseOccurrenceKey(key), key).toBeUndefined();
    for (const key of ['20260101T240000Z', '20260101T096000Z', '20260101T090060Z', '20260101T0900Z', '2026-01-01T09:00:00Z', ''])
      expect(parseOccurrenceKey(key), key).toBeUndefined();
    expect(parseOccurrenceKey('20240229T090000Z')?.toISOString()).toBe('2024-02-29T09:00:00.000Z');
    expect(parseOccurrenceKey('00500101T000000Z')?.toISOString()).toBe('0050-01-01T00:00:00.000Z');
  });
});
