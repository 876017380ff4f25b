import { localIso, occurrenceKey } from '@cadence/shared/time';
import type { SeriesDoc } from '../series/models.js';
import type { PlannedOccurrence } from '../series/schedule.js';
import type { OccurrenceDoc } from './models.js';
import type { Cancellation, Decline, Modification, Move, OccurrenceState, OccurrenceView } from './schemas.js';

/**
 * What an occurrence is now: the plan, overlaid with what was recorded about it. A past occurrence
 * that nothing cancelled counts as held; a moved one keeps `moved` so reports can tell where it went.
 */
export function occurrenceView(
  series: Pick<SeriesDoc, '_id' | 'timeZone'>,
  planned: PlannedOccurrence,
  record: OccurrenceDoc | undefined,
  now: Date,
): OccurrenceView {
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
  return {
    seriesId: series._id,
    key: occurrenceKey(planned.originalStart),
    originalStart: planned.originalStart.toISOString(),
    start: start.toISOString(),
    end: end.toISOString(),
    timeZone: series.timeZone,
    startLocal: localIso(start, series.timeZone),
    endLocal: localIso(end, series.timeZone),
    location: modification ? modification.location : (planned.segment.location ?? null),
    durationMinutes: Math.round((end.getTime() - start.getTime()) / 60_000),
    state,
    cancellation: (record?.cancellation ?? null) as Cancellation | null,
    move,
    decline: (record?.decline ?? null) as Decline | null,
    modification,
    restoredAt: record?.restoredAt ? record.restoredAt.toISOString() : null,
    history: (record?.history ?? []).map((h) => ({
      detectedAt: h.detectedAt.toISOString(),
      source: h.source as OccurrenceView['history'][number]['source'],
      change: h.change,
      detail: (h.detail ?? {}) as Record<string, unknown>,
    })),
  };
}
