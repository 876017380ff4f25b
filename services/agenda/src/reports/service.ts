import { DateTime } from 'luxon';
import type { SchedulingClient } from '@cadence/shared/clients/scheduling';
import { badRequest } from '@cadence/shared/http';
import type { AgendaContext } from '../context.js';
import { collectReport, type ReportRange } from './collect.js';
import { buildReport } from './compute.js';
import type { CadenceReport, CadenceReportQuery } from './schemas.js';

/** A range may span at most this long (with the streak context it stays inside scheduling's three years). */
const MAX_SPAN_YEARS = 2;
/** Without `from`: the twelve weeks up to `to`. */
const DEFAULT_DAYS = 84;

/** Cadence-adherence reports: the occurrences from scheduling, homework and agendas from here. */
export class ReportService {
  constructor(
    private readonly ctx: AgendaContext,
    readonly defaultThreshold: number,
  ) {}

  async cadence(caller: { organizationId: string; scheduling: SchedulingClient }, q: CadenceReportQuery): Promise<CadenceReport> {
    const now = this.ctx.now();
    const range = this.range(q, now);
    const data = await collectReport(
      caller.scheduling,
      this.ctx.models,
      caller.organizationId,
      { range, managerId: q.managerId, repId: q.repId },
      now,
    );
    return buildReport(data, range, now, q.threshold ?? this.defaultThreshold);
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
