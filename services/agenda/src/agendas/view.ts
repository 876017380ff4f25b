import { toHomeworkView } from '../homework/service.js';
import type { AgendaBundle } from './service.js';
import type { AgendaView, Figures } from './schemas.js';

export function figuresOf(
  f: Partial<Record<keyof Omit<Figures, 'salesCallsPerDealClosed'>, number | null>> | null | undefined,
): Figures {
  const calls = f?.calls ?? null;
  const dealsClosed = f?.dealsClosed ?? null;
  return {
    calls,
    meetings: f?.meetings ?? null,
    dealsClosed,
    pipelineAmount: f?.pipelineAmount ?? null,
    forecastAmount: f?.forecastAmount ?? null,
    salesCallsPerDealClosed: calls !== null && dealsClosed ? Math.round((calls / dealsClosed) * 10) / 10 : null,
  };
}

export function toAgendaView(b: AgendaBundle, now: Date): AgendaView {
  const { agenda, occurrence, series } = b;
  return {
    seriesId: agenda.seriesId,
    occurrenceKey: agenda.key,
    occurrence: {
      state: occurrence.state,
      start: occurrence.start,
      end: occurrence.end,
      startLocal: occurrence.startLocal,
      endLocal: occurrence.endLocal,
      timeZone: occurrence.timeZone,
      location: occurrence.location,
      durationMinutes: occurrence.durationMinutes,
    },
    series: {
      manager: series.manager,
      rep: series.rep,
      weekday: series.weekday,
      startTime: series.startTime,
      timeZone: series.timeZone,
    },
    template: { id: agenda.template.id, version: agenda.template.version, name: agenda.template.name },
    items: agenda.items.map((i) => ({
      id: i.id,
      title: i.title,
      guidance: i.guidance ?? '',
      minutes: i.minutes,
      covered: i.covered ?? false,
      coveredAt: i.coveredAt ? new Date(i.coveredAt).toISOString() : null,
      note: i.note ?? '',
    })),
    plannedMinutes: agenda.items.reduce((sum, i) => sum + i.minutes, 0),
    notes: agenda.notes ?? '',
    figures: figuresOf(agenda.figures),
    readOnly: b.readOnly,
    rolledOverTo: b.rolledOverTo ? { occurrenceKey: b.rolledOverTo.key, start: b.rolledOverTo.start } : null,
    homeworkReview: b.review.map((h) => toHomeworkView(h, now)),
    newHomework: b.assigned.map((h) => toHomeworkView(h, now)),
    revision: agenda.version,
    createdAt: new Date(agenda.createdAt).toISOString(),
    updatedAt: new Date(agenda.updatedAt).toISOString(),
  };
}
