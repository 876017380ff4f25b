import { DateTime } from 'luxon';
import type { PersonDoc } from '../people/models.js';
import type { OccurrenceView } from '../occurrences/schemas.js';
import type { SeriesDoc } from '../series/models.js';
import type { PlannedOccurrence } from '../series/schedule.js';

const person = (p: PersonDoc) => ({ id: p._id, name: p.name, email: p.email });
const local = (at: Date, zone: string) => DateTime.fromJSDate(at, { zone }).toISO({ suppressMilliseconds: true });

export interface EventContext {
  series: SeriesDoc;
  manager: PersonDoc;
  rep: PersonDoc;
}

/** Agenda link of one occurrence: the series link, addressed by the occurrence's key. */
export const occurrenceAgendaUrl = (series: SeriesDoc, key: string) => (series.agendaUrl ? `${series.agendaUrl}/${key}` : null);

/**
 * The `data` of an occurrence event: everything a receiver (CRM, chat, HR tool) needs without
 * calling back — who, when (UTC and local), which calendar, how it was classified, the agenda link.
 */
export function occurrenceEventData(
  ctx: EventContext,
  planned: PlannedOccurrence,
  view: OccurrenceView,
  change: { source: string; detectedAt: Date; detail: Record<string, unknown> },
) {
  const zone = ctx.series.timeZone;
  return {
    organizationId: ctx.series.organizationId,
    seriesId: ctx.series._id,
    occurrenceKey: view.key,
    scheduled: {
      start: planned.originalStart.toISOString(),
      end: planned.plannedEnd.toISOString(),
      startLocal: local(planned.originalStart, zone),
      endLocal: local(planned.plannedEnd, zone),
      timeZone: zone,
    },
    actual: { start: view.start, end: view.end, startLocal: view.startLocal, endLocal: view.endLocal },
    manager: person(ctx.manager),
    rep: person(ctx.rep),
    calendar: ctx.series.calendar.provider,
    state: view.state,
    classification: view.cancellation
      ? {
          excused: view.cancellation.excused,
          reason: view.cancellation.reason,
          kind: view.cancellation.kind,
          excusedBy: view.cancellation.excusedBy,
          cancelledBy: view.cancellation.cancelledBy,
        }
      : null,
    move: view.move,
    decline: view.decline,
    modification: view.modification,
    change: change.detail,
    source: change.source,
    detectedAt: change.detectedAt.toISOString(),
    agendaUrl: occurrenceAgendaUrl(ctx.series, view.key),
  };
}

export function seriesEventData(ctx: EventContext, detail: Record<string, unknown>, detectedAt: Date) {
  const current = ctx.series.segments[ctx.series.segments.length - 1]!;
  return {
    organizationId: ctx.series.organizationId,
    seriesId: ctx.series._id,
    manager: person(ctx.manager),
    rep: person(ctx.rep),
    calendar: ctx.series.calendar.provider,
    weekday: current.weekday,
    startTime: current.startTime,
    durationMinutes: current.durationMinutes,
    timeZone: ctx.series.timeZone,
    status: ctx.series.status,
    startDate: ctx.series.startDate,
    endDate: ctx.series.endDate,
    change: detail,
    detectedAt: detectedAt.toISOString(),
    agendaUrl: ctx.series.agendaUrl,
  };
}
