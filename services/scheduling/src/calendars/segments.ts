import { DateTime } from 'luxon';
import type { SeriesDoc } from '../series/models.js';
import { plannedOccurrences, seriesEnd } from '../series/schedule.js';

const SEARCH_MS = 60 * 7 * 24 * 3600_000;

/**
 * Calendars hold a series as one recurring event per rule segment; these say where a segment's
 * event starts and stops (the same for every provider).
 */

/** When rule segment `i` stops: the next segment's start, or the series' end. */
export function segmentUntil(series: SeriesDoc, i: number): Date | undefined {
  const next = series.segments[i + 1]?.effectiveFrom;
  const end = seriesEnd(series);
  return [next, end].filter((d): d is Date => Boolean(d)).sort((a, b) => +a - +b)[0];
}

/** The first planned meeting of a rule segment (undefined when the segment never produced one). */
export function firstOfSegment(series: SeriesDoc, i: number) {
  const segment = series.segments[i]!;
  const from = i === 0 ? DateTime.fromISO(series.startDate, { zone: series.timeZone }).toJSDate() : segment.effectiveFrom;
  const until = segmentUntil(series, i) ?? new Date(from.getTime() + SEARCH_MS);
  return plannedOccurrences(series, from, until).find((p) => p.segment === segment);
}

/** The last planned meeting of a segment that ends (undefined for an open-ended one). */
export function lastOfSegment(series: SeriesDoc, i: number) {
  const until = segmentUntil(series, i);
  const first = firstOfSegment(series, i);
  if (!until || !first) return undefined;
  const segment = series.segments[i]!;
  return plannedOccurrences(series, first.originalStart, until)
    .filter((p) => p.segment === segment)
    .at(-1);
}
