import type { OccurrenceView, SchedulingClient, SeriesView } from '@cadence/shared/clients/scheduling';
import { commitVersion } from '@cadence/shared/db';
import { conflict, isDuplicateKeyError } from '@cadence/shared/http';
import type { AgendaContext } from '../context.js';
import type { HomeworkDoc } from '../homework/models.js';
import type { HomeworkService } from '../homework/service.js';
import { nextHeldAfter } from '../occurrences/lookup.js';
import { ReadCache } from '@cadence/shared/cache/read-cache';
import { agendaChange } from '../reports/facts/codec.js';
import { trackedWrite } from '../reports/facts/tracked-write.js';
import type { TemplateService } from '../templates/service.js';
import { applyAgendaChange } from './edit.js';
import { agendaId, type AgendaDoc } from './models.js';
import type { UpdateAgendaInput } from './schemas.js';

const MAX_ATTEMPTS = 8;

const agendaEntry = (scope: OccurrenceScope) => `${scope.organizationId}|${scope.seriesId}|${scope.key}|agenda`;

/** One occurrence, as seen by someone allowed to see it (a key holder, or a link holder via the internal credential). */
export interface OccurrenceScope {
  organizationId: string;
  scheduling: SchedulingClient;
  seriesId: string;
  key: string;
}

/** Everything an agenda view or page shows. */
export interface AgendaBundle {
  series: SeriesView;
  occurrence: OccurrenceView;
  agenda: AgendaDoc;
  review: HomeworkDoc[];
  assigned: HomeworkDoc[];
  readOnly: boolean;
  rolledOverTo: OccurrenceView | null;
}

/** Occurrence agendas: made once from the series' template, then filled in during the meeting. */
export class AgendaService {
  constructor(
    private readonly ctx: AgendaContext,
    private readonly templates: TemplateService,
    private readonly homework: HomeworkService,
    private readonly reads: ReadCache = new ReadCache(0),
  ) {}

  private series(scope: OccurrenceScope): Promise<SeriesView> {
    return this.reads.get(`${scope.organizationId}|${scope.seriesId}`, () => scope.scheduling.series(scope.seriesId));
  }

  /** The series and occurrence from the scheduling service (404 when either does not exist for this caller). */
  async occurrence(scope: OccurrenceScope): Promise<{ series: SeriesView; occurrence: OccurrenceView }> {
    const [series, occurrence] = await Promise.all([
      this.series(scope),
      this.reads.get(`${scope.organizationId}|${scope.seriesId}|${scope.key}`, () =>
        scope.scheduling.occurrence(scope.seriesId, scope.key),
      ),
    ]);
    return { series, occurrence };
  }

  /** The agenda bundle; `known` skips asking for an occurrence the caller has just fetched. */
  async load(scope: OccurrenceScope, known?: OccurrenceView): Promise<AgendaBundle> {
    const { series, occurrence } = known ? { series: await this.series(scope), occurrence: known } : await this.occurrence(scope);
    const agenda = await this.reads.get(agendaEntry(scope), () => this.ensure(scope.organizationId, occurrence));
    return this.bundle(scope, series, occurrence, agenda);
  }

  /**
   * The occurrence's agenda, made from the series' current template the first time anyone needs
   * it. Concurrent first requests all insert the same `_id`; one insert wins and the others read it.
   */
  async ensure(organizationId: string, occurrence: OccurrenceView): Promise<AgendaDoc> {
    const { Agendas } = this.ctx.models;
    const id = agendaId(occurrence.seriesId, occurrence.key);
    const existing = await Agendas.findOne({ _id: id, organizationId }).lean();
    if (existing) return existing;
    const template = await this.templates.forSeries(organizationId, occurrence.seriesId);
    const now = this.ctx.now();
    const doc = {
      _id: id,
      organizationId,
      seriesId: occurrence.seriesId,
      key: occurrence.key,
      originalStart: new Date(occurrence.originalStart),
      template: { id: template.id, version: template.version, name: template.name },
      items: template.items.map((i) => ({ ...i, covered: false, coveredAt: null, note: '' })),
      notes: '',
      figures: { calls: null, meetings: null, dealsClosed: null, pipelineAmount: null, forecastAmount: null },
      version: 1,
      createdAt: now,
      updatedAt: now,
    } as unknown as AgendaDoc;
    const create = async () => {
      try {
        await Agendas.create(doc);
        return doc;
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
        const winner = await Agendas.findOne({ _id: id, organizationId }).lean();
        if (!winner) throw err;
        return winner;
      }
    };
    return trackedWrite(this.ctx, { source: 'agenda', organizationId, sourceId: id }, create, agendaChange);
  }

  /** Notes, covered flags and figures; refused (409) on a cancelled occurrence. */
  async update(scope: OccurrenceScope, input: UpdateAgendaInput): Promise<AgendaBundle> {
    const { series, occurrence } = await this.occurrence(scope);
    this.assertWritable(occurrence);
    const { Agendas, Journal } = this.ctx.models;
    const id = agendaId(scope.seriesId, scope.key);
    const write = () =>
      this.ctx.writes.run(id, async () => {
        for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
          const doc = await this.ensure(scope.organizationId, occurrence);
          const now = this.ctx.now();
          const set = { ...applyAgendaChange(doc, input, now), updatedAt: now };
          if (await commitVersion(Agendas, Journal, doc._id, doc.version, set))
            return { ...doc, ...set, version: doc.version + 1 };
        }
        throw conflict('The agenda changed concurrently; try again.');
      });
    const saved = await trackedWrite(
      this.ctx,
      { source: 'agenda', organizationId: scope.organizationId, sourceId: id },
      write,
      agendaChange,
    );
    this.reads.forget(agendaEntry(scope));
    return this.bundle(scope, series, occurrence, saved);
  }

  assertWritable(occurrence: OccurrenceView): void {
    if (occurrence.state === 'cancelled') {
      throw conflict(
        `Occurrence ${occurrence.key} was cancelled; its agenda is read-only and its open items roll to the next one.`,
      );
    }
  }

  private async bundle(
    scope: OccurrenceScope,
    series: SeriesView,
    occurrence: OccurrenceView,
    agenda: AgendaDoc,
  ): Promise<AgendaBundle> {
    const readOnly = occurrence.state === 'cancelled';
    const [{ review, assigned }, rolledOverTo] = await Promise.all([
      this.homework.forOccurrence(scope.organizationId, scope.seriesId, scope.key),
      readOnly ? nextHeldAfter(scope.scheduling, scope.seriesId, new Date(occurrence.originalStart)) : undefined,
    ]);
    return { series, occurrence, agenda, review, assigned, readOnly, rolledOverTo: rolledOverTo ?? null };
  }
}
