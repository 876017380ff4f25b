import { conflict, notFound } from '@cadence/shared/http';
import { parseOccurrenceKey } from '@cadence/shared/time';
import type { ChangePipeline } from '../../changes/pipeline.js';
import type { EventContext } from '../../changes/event-data.js';
import type { SchedulingContext } from '../../context.js';
import type { OccurrenceView } from '../../occurrences/schemas.js';
import { plannedAt, type PlannedOccurrence } from '../../series/schedule.js';
import { observeLocalInstance } from './observe.js';
import { updateLocalEvent, type EditableLocalEvent } from './store.js';

/**
 * What a person does in a calendar app, on the local calendar: each action edits the stored event
 * and then feeds what the calendar now shows into the same change pipeline the Google and Outlook
 * adapters feed.
 */
export class LocalCalendarActions {
  constructor(
    private readonly ctx: SchedulingContext,
    private readonly pipeline: ChangePipeline,
  ) {}

  private async target(
    organizationId: string,
    seriesId: string,
    key?: string,
  ): Promise<{ ev: EventContext; planned?: PlannedOccurrence }> {
    const ev = await this.pipeline.loadSeries(seriesId, organizationId);
    if (ev.series.calendar.provider !== 'local')
      throw conflict(`Series ${seriesId} lives in ${ev.series.calendar.provider}, not the local calendar.`);
    if (key === undefined) return { ev };
    const start = parseOccurrenceKey(key);
    const planned = start && plannedAt(ev.series, start);
    if (!planned) throw notFound(`Series ${seriesId} has no occurrence ${key}.`);
    return { ev, planned };
  }

  private async act(
    organizationId: string,
    seriesId: string,
    key: string,
    edit: (event: EditableLocalEvent, planned: PlannedOccurrence) => boolean,
    extra: { reason?: string | undefined; cancelledBy?: { email: string; name: string | null } | undefined } = {},
  ): Promise<OccurrenceView> {
    const { ev, planned } = await this.target(organizationId, seriesId, key);
    const event = await updateLocalEvent(this.ctx.models.LocalEvents, this.ctx.models.Journal, ev.series, this.ctx.now, (e) =>
      edit(e, planned!),
    );
    const applied = await this.pipeline.observeInstance({ ...observeLocalInstance(event, seriesId, planned!), ...extra });
    return applied?.view ?? (await this.pipeline.view(await this.pipeline.loadSeries(seriesId), planned!));
  }

  async cancel(org: string, seriesId: string, key: string, input: { reason?: string | undefined; by?: string | undefined }) {
    const { ev } = await this.target(org, seriesId);
    const who = input.by === ev.rep._id ? ev.rep : ev.manager;
    return this.act(
      org,
      seriesId,
      key,
      (e) => {
        if (e.cancelled.includes(key)) return false;
        e.cancelled.push(key);
        return true;
      },
      { reason: input.reason, cancelledBy: { email: who.email, name: who.name } },
    );
  }

  move(org: string, seriesId: string, key: string, input: { start: Date; end?: Date | undefined }) {
    return this.act(org, seriesId, key, (e, planned) => {
      const duration = planned.plannedEnd.getTime() - planned.originalStart.getTime();
      const end = input.end ?? new Date(input.start.getTime() + duration);
      const current = e.overrides.find((o) => o.key === key);
      e.overrides = [
        ...e.overrides.filter((o) => o.key !== key),
        { key, start: input.start, end, location: current?.location ?? planned.segment.location ?? null },
      ];
      return true;
    });
  }

  decline(org: string, seriesId: string, key: string, email: string) {
    return this.act(org, seriesId, key, (e) => {
      if (e.declines.some((d) => d.key === key && d.email === email)) return false;
      e.declines.push({ key, email });
      return true;
    });
  }

  edit(
    org: string,
    seriesId: string,
    key: string,
    input: { location?: string | null | undefined; durationMinutes?: number | undefined },
  ) {
    return this.act(org, seriesId, key, (e, planned) => {
      const current = e.overrides.find((o) => o.key === key);
      const start = current?.start ?? planned.originalStart;
      const end = input.durationMinutes
        ? new Date(start.getTime() + input.durationMinutes * 60_000)
        : (current?.end ?? planned.plannedEnd);
      const location = input.location !== undefined ? input.location : (current?.location ?? planned.segment.location ?? null);
      e.overrides = [...e.overrides.filter((o) => o.key !== key), { key, start, end, location }];
      return true;
    });
  }

  /** Deletes the whole recurring event, as "delete all events" does. */
  async deleteSeries(org: string, seriesId: string) {
    const { ev } = await this.target(org, seriesId);
    await updateLocalEvent(this.ctx.models.LocalEvents, this.ctx.models.Journal, ev.series, this.ctx.now, (e) => {
      if (e.deleted) return false;
      e.deleted = true;
      return true;
    });
    return this.pipeline.observeSeries({ seriesId, source: 'local', change: 'deleted' });
  }

  /** "This and following": the event stops before this occurrence. */
  async truncate(org: string, seriesId: string, key: string) {
    const { ev, planned } = await this.target(org, seriesId, key);
    await updateLocalEvent(this.ctx.models.LocalEvents, this.ctx.models.Journal, ev.series, this.ctx.now, (e) => {
      if (e.truncatedAt && e.truncatedAt <= planned!.originalStart) return false;
      e.truncatedAt = planned!.originalStart;
      return true;
    });
    return this.pipeline.observeSeries({ seriesId, source: 'local', change: 'truncated', until: planned!.originalStart });
  }
}
