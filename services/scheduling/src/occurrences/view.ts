import { localIso, occurrenceKey } from '@cadence/shared/time';
import type { SeriesDoc } from '../series/models.js';
import type { PlannedOccurrence } from '../series/schedule.js';
import type { OccurrenceDoc } from './models.js';
import { cadenceCategory } from '@cadence/shared/cadence/streaks';
import type { SeriesOutcomes } from '@cadence/shared/contracts/scheduling';
import type { Cancellation, Decline, Modification, Move, OccurrenceState, OccurrenceView } from './schemas.js';

/**
 * What happened to an occurrence, as reports count it: the plan overlaid with its record. A past
 * occurrence that nothing cancelled counts as held; a moved one keeps `moved` so reports can tell
 * where it went.
 */
export function occurrenceOutcome(planned: PlannedOccurrence, record: OccurrenceDoc | undefined, now: Date) {
  const move = (record?.move ?? null) as Move | null;
  const modification = (record?.modification ?? null) as Modification | null;
  const start = move ? new Date(move.start) : planned.originalStart;
  const end = move
    ? new Date(move.end)
    : modification
      ? new Date(start.getTime() + modification.durationMinutes * 60_000)
      : planned.plannedEnd;
  let state = (record?.state ?? 'scheduled') as OccurrenceState;
  if ((state === 'scheduled' || state === 'restored') && end <= now) state = 'held';
  const view = {
    key: occurrenceKey(planned.originalStart),
    originalStart: planned.originalStart.toISOString(),
    end: end.toISOString(),
    state,
    cancellation: (record?.cancellation ?? null) as Cancellation | null,
    move,
    decline: (record?.decline ?? null) as Decline | null,
    restoredAt: record?.restoredAt ? record.restoredAt.toISOString() : null,
  };
  return { view, start, end, modification };
}

/** What an occurrence is now, in full: its outcome, its times in the series' zone and its history. */
export function occurrenceView(
  series: Pick<SeriesDoc, '_id' | 'timeZone'>,
  planned: PlannedOccurrence,
  record: OccurrenceDoc | undefined,
  now: Date,
): OccurrenceView {
  const { view, start, end, modification } = occurrenceOutcome(planned, record, now);
  return {
    seriesId: series._id,
    key: view.key,
    originalStart: view.originalStart,
    start: start.toISOString(),
    end: view.end,
    timeZone: series.timeZone,
    startLocal: localIso(start, series.timeZone),
    endLocal: localIso(end, series.timeZone),
    location: modification ? modification.location : (planned.segment.location ?? null),
    durationMinutes: Math.round((end.getTime() - start.getTime()) / 60_000),
    state: view.state,
    cancellation: view.cancellation,
    move: view.move,
    decline: view.decline,
    modification,
    restoredAt: view.restoredAt,
    history: (record?.history ?? []).map((h) => ({
      detectedAt: h.detectedAt.toISOString(),
      source: h.source as OccurrenceView['history'][number]['source'],
      change: h.change,
      detail: (h.detail ?? {}) as Record<string, unknown>,
    })),
  };
}

/**
 * What an occurrence's cadence category is decided from. Most have no record: those come from the
 * plan alone, without writing their times (a streak check reads ~50 weeks, a report ~80,000).
 */
export function cadenceOutcome(planned: PlannedOccurrence, record: OccurrenceDoc | undefined, now: Date) {
  return record
    ? occurrenceOutcome(planned, record, now).view
    : { state: 'scheduled' as const, end: planned.plannedEnd, cancellation: null, move: null, decline: null };
}

/**
 * A series' planned occurrences (with their keys and records, in the same order) as the cadence
 * categories a report counts (fields=report).
 */
export function cadenceOutcomes(
  planned: readonly PlannedOccurrence[],
  keys: string[],
  records: readonly (OccurrenceDoc | undefined)[],
  now: Date,
): SeriesOutcomes {
  const out: SeriesOutcomes = { keys, categories: [], restored: [], upcoming: [] };
  planned.forEach((p, i) => {
    const record = records[i];
    const outcome = cadenceOutcome(p, record, now);
    const category = cadenceCategory(outcome, now);
    out.categories.push(category);
    if (record?.restoredAt) out.restored.push(keys[i]!);
    if (category === 'upcoming') {
      const end = outcome.end instanceof Date ? outcome.end.toISOString() : outcome.end;
      out.upcoming.push({ key: keys[i]!, end, moved: outcome.move !== null });
    }
  });
  return out;
}
