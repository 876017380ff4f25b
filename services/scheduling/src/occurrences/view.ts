import { localIso, occurrenceKey } from '@cadence/shared/time';
import type { SeriesDoc } from '../series/models.js';
import type { PlannedOccurrence } from '../series/schedule.js';
import type { OccurrenceDoc } from './models.js';
import { cadenceCategory, heldOrUpcoming } from '@cadence/shared/cadence/streaks';
import type { SeriesOutcomes } from '@cadence/shared/contracts/scheduling';
import type { Cancellation, Decline, Modification, Move, OccurrenceState, OccurrenceView } from './schemas.js';

/**
 * What of an occurrence record its cadence outcome is decided from: a record, or the copy of these
 * fields a report reads instead of it (`outcomeFields`, listed by recorded-keys.ts).
 */
export interface OutcomeFields {
  state: string;
  cancellation?: Pick<Cancellation, 'excused'> | null;
  move?: Pick<Move, 'start' | 'end' | 'sameWeek'> | null;
  decline?: { by: Pick<Decline['by'][number], 'role'>[] } | null;
  modification?: Pick<Modification, 'durationMinutes'> | null;
  restoredAt?: Date | null;
}

/** A record's outcome fields with their types in full (a record stores them as mixed ones). */
const fullFields = (record: OccurrenceDoc) =>
  ({
    state: record.state,
    cancellation: (record.cancellation ?? null) as Cancellation | null,
    move: (record.move ?? null) as Move | null,
    decline: (record.decline ?? null) as Decline | null,
    modification: (record.modification ?? null) as Modification | null,
    restoredAt: record.restoredAt ?? null,
  }) satisfies OutcomeFields;

/** A record's outcome fields, and only those (what is listed beside its key). */
export function outcomeFields(record: OccurrenceDoc): OutcomeFields {
  const { state, cancellation, move, decline, modification, restoredAt } = fullFields(record);
  return {
    state,
    cancellation: cancellation && { excused: cancellation.excused },
    move: move && { start: move.start, end: move.end, sameWeek: move.sameWeek },
    decline: decline && { by: decline.by.map((d) => ({ role: d.role })) },
    modification: modification && { durationMinutes: modification.durationMinutes },
    restoredAt,
  };
}

/**
 * What happened to an occurrence, as reports count it: the plan overlaid with its record. A past
 * occurrence that nothing cancelled counts as held; a moved one keeps `moved` so reports can tell
 * where it went.
 */
export function occurrenceOutcome(planned: PlannedOccurrence, record: OutcomeFields | undefined, now: Date) {
  const move = record?.move ?? null;
  const modification = record?.modification ?? null;
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
    cancellation: record?.cancellation ?? null,
    move,
    decline: record?.decline ?? null,
    restoredAt: record?.restoredAt ? record.restoredAt.toISOString() : null,
  };
  return { view, start, end };
}

/** What an occurrence is now, in full: its outcome, its times in the series' zone and its history. */
export function occurrenceView(
  series: Pick<SeriesDoc, '_id' | 'timeZone'>,
  planned: PlannedOccurrence,
  record: OccurrenceDoc | undefined,
  now: Date,
): OccurrenceView {
  const full = record && fullFields(record);
  const { view, start, end } = occurrenceOutcome(planned, full, now);
  const modification = full?.modification ?? null;
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
    cancellation: full?.cancellation ?? null,
    move: full?.move ?? null,
    decline: full?.decline ?? null,
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
export function cadenceOutcome(planned: PlannedOccurrence, record: OutcomeFields | undefined, now: Date) {
  return record
    ? occurrenceOutcome(planned, record, now).view
    : { state: 'scheduled' as const, end: planned.plannedEnd, cancellation: null, move: null, decline: null };
}

/**
 * A series' planned occurrences (with their keys and records' outcome fields, in the same order)
 * as the cadence categories a report counts (fields=report).
 */
export function cadenceOutcomes(
  planned: readonly PlannedOccurrence[],
  keys: string[],
  records: readonly (OutcomeFields | undefined)[],
  now: Date,
): SeriesOutcomes {
  const out: SeriesOutcomes = { keys, categories: [], restored: [], upcoming: [] };
  planned.forEach((p, i) => {
    const record = records[i];
    if (!record) {
      // most have no record: held once their planned end has passed (cadenceOutcome's plan, without the object)
      const category = heldOrUpcoming(p.plannedEnd.getTime(), false, now);
      out.categories.push(category);
      if (category === 'upcoming') out.upcoming.push({ key: keys[i]!, end: p.plannedEnd.toISOString(), moved: false });
      return;
    }
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
