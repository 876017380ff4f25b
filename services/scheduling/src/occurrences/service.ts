import { DateTime } from 'luxon';
import { badRequest, notFound } from '@cadence/shared/http';
import { occurrenceKey, parseOccurrenceKey } from '@cadence/shared/time';
import type { SchedulingContext } from '../context.js';
import { plannedAt, plannedOccurrences } from '../series/schedule.js';
import { occurrencesByPair, type ByPairQuery, type PairWindows } from './by-pair.js';
import { SeriesWindows } from './series-window.js';
import { bound } from './range.js';
import { occurrenceId } from './models.js';
import type { CadenceRules, OccurrencesByPairPage, OccurrencesForReportPage } from '@cadence/shared/contracts/scheduling';
import type { OccurrenceView } from './schemas.js';
import { occurrenceView } from './view.js';

const DEFAULT_BACK_DAYS = 28;
const DEFAULT_AHEAD_DAYS = 56;

/** Reading occurrences: the series rule expanded over a bounded range, overlaid with their records. */
export class OccurrenceService {
  /** Reads of series kept between the pages of a listing by pair. */
  private readonly windows: PairWindows = new SeriesWindows();

  constructor(private readonly ctx: SchedulingContext) {}

  private async series(organizationId: string, seriesId: string) {
    const series = await this.ctx.models.Series.findOne({ _id: seriesId, organizationId }).lean();
    if (!series) throw notFound(`No series ${seriesId}.`);
    return series;
  }

  async list(
    organizationId: string,
    seriesId: string,
    q: { from?: string | undefined; to?: string | undefined },
  ): Promise<OccurrenceView[]> {
    const series = await this.series(organizationId, seriesId);
    const now = this.ctx.now();
    const from = q.from ? bound(q.from, series.timeZone) : new Date(now.getTime() - DEFAULT_BACK_DAYS * 86_400_000);
    const to = q.to
      ? bound(q.to, series.timeZone)
      : new Date(
          (q.from ? from : now).getTime() + (q.from ? DEFAULT_AHEAD_DAYS + DEFAULT_BACK_DAYS : DEFAULT_AHEAD_DAYS) * 86_400_000,
        );
    if (to <= from) throw badRequest('Invalid query: to.', [{ location: 'query', field: 'to', message: 'must be after from' }]);
    if (to > DateTime.fromJSDate(from).plus({ years: 2 }).toJSDate()) {
      throw badRequest('Invalid query: to.', [
        { location: 'query', field: 'to', message: 'the range may span at most two years' },
      ]);
    }
    const planned = plannedOccurrences(series, from, to);
    const records = await this.ctx.models.Occurrences.find({
      organizationId,
      seriesId,
      originalStart: { $gte: from, $lt: to },
    }).lean();
    const byKey = new Map(records.map((r) => [r.key, r]));
    return planned.map((p) => occurrenceView(series, p, byKey.get(occurrenceKey(p.originalStart)), now));
  }

  /** Many series at once, grouped by pair: what reports read instead of one call per series. */
  byPair(organizationId: string, q: ByPairQuery, rules: CadenceRules): Promise<OccurrencesByPairPage | OccurrencesForReportPage> {
    return occurrencesByPair(this.ctx, organizationId, q, rules, this.windows);
  }

  async get(organizationId: string, seriesId: string, key: string): Promise<OccurrenceView> {
    const series = await this.series(organizationId, seriesId);
    const start = parseOccurrenceKey(key);
    const planned = start && plannedAt(series, start);
    if (!planned) throw notFound(`Series ${seriesId} has no occurrence ${key}.`);
    const record = await this.ctx.models.Occurrences.findById(occurrenceId(seriesId, key)).lean();
    return occurrenceView(series, planned, record ?? undefined, this.ctx.now());
  }
}
