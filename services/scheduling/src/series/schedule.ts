import { DateTime } from 'luxon';
import { localMidnight, weeklyStarts, type Weekday } from '@cadence/shared/time';
import type { SegmentDoc, SeriesDoc } from './models.js';

export interface PlannedOccurrence {
  originalStart: Date;
  plannedEnd: Date;
  segment: SegmentDoc;
}

type SeriesRule = Pick<SeriesDoc, 'segments' | 'timeZone' | 'startDate' | 'endDate' | 'endedAt'>;

/** The instant after which a series produces nothing more: its end date's end, or when it was ended. */
export function seriesEnd(series: SeriesRule): Date | undefined {
  // the last moment of the end date: the next local day's start, less a millisecond
  const byDate = series.endDate ? new Date(localMidnight(series.endDate, series.timeZone, 1) - 1) : undefined;
  const byEnd = series.endedAt ?? undefined;
  if (byDate && byEnd) return byDate < byEnd ? byDate : byEnd;
  return byDate ?? byEnd;
}

/**
 * The planned occurrences of a series inside [from, to): each segment of the rule applies from its
 * `effectiveFrom` until the next one's, expanded on local time in the series' zone.
 */
export function plannedOccurrences(series: SeriesRule, from: Date, to: Date): PlannedOccurrence[] {
  const end = seriesEnd(series);
  const upper = end && end < to ? new Date(end.getTime() + 1) : to;
  const out: PlannedOccurrence[] = [];
  series.segments.forEach((segment, i) => {
    const next = series.segments[i + 1];
    const lo = new Date(Math.max(from.getTime(), i === 0 ? from.getTime() : segment.effectiveFrom.getTime()));
    const hi = new Date(Math.min(upper.getTime(), next ? next.effectiveFrom.getTime() : upper.getTime()));
    if (lo >= hi) return;
    const starts = weeklyStarts(
      {
        weekday: segment.weekday as Weekday,
        startTime: segment.startTime,
        timeZone: series.timeZone,
        startDate: series.startDate,
      },
      lo,
      hi,
    );
    for (const originalStart of starts) {
      out.push({ originalStart, plannedEnd: new Date(originalStart.getTime() + segment.durationMinutes * 60_000), segment });
    }
  });
  return out;
}

/** The planned occurrence with this original start, if the series has one there. */
export function plannedAt(series: SeriesRule, originalStart: Date): PlannedOccurrence | undefined {
  return plannedOccurrences(series, originalStart, new Date(originalStart.getTime() + 1)).find(
    (p) => p.originalStart.getTime() === originalStart.getTime(),
  );
}

/** The local date of the `count`-th meeting: a count is stored as the end date it implies. */
export function endDateForCount(
  rule: { weekday: Weekday; startTime: string; timeZone: string; startDate: string },
  count: number,
): string {
  const from = DateTime.fromISO(rule.startDate, { zone: rule.timeZone }).toJSDate();
  const starts = weeklyStarts(
    { ...rule, count },
    from,
    DateTime.fromJSDate(from)
      .plus({ weeks: count + 1 })
      .toJSDate(),
  );
  return DateTime.fromJSDate(starts[starts.length - 1]!, { zone: rule.timeZone }).toISODate()!;
}
