import { DateTime } from 'luxon';
import type { SchedulingClient } from '@cadence/shared/clients/scheduling';
import { badRequest } from '@cadence/shared/http';
import type { AgendaContext } from '../context.js';
import { collectReport, type ReportData, type ReportRange } from './collect.js';
import { buildReport } from './compute.js';
import type { CadenceReport, CadenceReportQuery } from './schemas.js';

/** A range may span at most this long (with the streak context it stays inside scheduling's three years). */
const MAX_SPAN_YEARS = 2;
/** Without `from`: the twelve weeks up to `to`. */
const DEFAULT_DAYS = 84;

/** Reports whose data is kept at once (a large organization's is some tens of MB). */
const MAX_CACHED = 4;

/**
 * Cadence-adherence reports: the occurrences from scheduling, homework and agendas from here.
 * What was read is kept `cacheMs` per organization, range and filter, and requests that arrive
 * while it is being read share the one read: reading is what costs (FerretDB scans whole
 * collections); the figures are recomputed for every request, as of its own moment.
 */
export class ReportService {
  private readonly cache = new Map<string, { readAt: number | undefined; data: Promise<ReportData> }>();

  constructor(
    private readonly ctx: AgendaContext,
    readonly defaultThreshold: number,
    private readonly cacheMs = 0,
  ) {}

  /** `json`: the report will be written as JSON (its pairs' JSON is then worked out early too). */
  async cadence(
    caller: { organizationId: string; scheduling: SchedulingClient },
    q: CadenceReportQuery,
    json = false,
  ): Promise<CadenceReport> {
    const now = this.ctx.now();
    const range = this.range(q, now);
    const today = now.toISOString().slice(0, 10);
    const key = JSON.stringify([caller.organizationId, range.from, range.to ?? today, q.managerId, q.repId]);
    const threshold = q.threshold ?? this.defaultThreshold;
    const data = await this.read(key, now, () =>
      collectReport(
        caller.scheduling,
        this.ctx.models,
        caller.organizationId,
        { range, managerId: q.managerId, repId: q.repId },
        now,
        { threshold, json },
      ),
    );
    return buildReport(data, range, now, threshold);
  }

  private read(key: string, now: Date, load: () => Promise<ReportData>): Promise<ReportData> {
    if (this.cacheMs <= 0) return load();
    const hit = this.cache.get(key);
    // a read still under way is shared; a finished one is fresh for cacheMs from when it finished
    if (hit && (hit.readAt === undefined || now.getTime() - hit.readAt < this.cacheMs)) return hit.data;
    const entry: { readAt: number | undefined; data: Promise<ReportData> } = { readAt: undefined, data: load() };
    this.cache.delete(key);
    this.cache.set(key, entry);
    entry.data.then(
      () => (entry.readAt = this.ctx.now().getTime()),
      () => this.cache.get(key) === entry && this.cache.delete(key), // a failed read is not kept
    );
    while (this.cache.size > MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
    return entry.data;
  }

  private range(q: CadenceReportQuery, now: Date): ReportRange {
    const to = q.to ?? null;
    const end = DateTime.fromISO(to ?? DateTime.fromJSDate(now, { zone: 'UTC' }).toISODate()!, { zone: 'UTC' });
    const from = q.from ?? end.minus({ days: DEFAULT_DAYS - 1 }).toISODate()!;
    const start = DateTime.fromISO(from, { zone: 'UTC' });
    const problem =
      end < start
        ? 'must not be before from'
        : end > start.plus({ years: MAX_SPAN_YEARS })
          ? `the range may span at most ${MAX_SPAN_YEARS} years`
          : undefined;
    if (problem) throw badRequest('Invalid query: to.', [{ location: 'query', field: 'to', message: problem }]);
    return { from, to };
  }
}
