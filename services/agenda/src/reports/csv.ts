import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';
import { stringify } from 'csv-stringify';
import type { CadenceReport, PairReport } from './schemas.js';

type Cell = string | number | boolean | null;

/** One row per pair: the JSON pair's figures, flattened; empty cells where JSON has null. */
export const CSV_COLUMNS: readonly (readonly [string, (p: PairReport) => Cell])[] = [
  ['manager_id', (p) => p.manager.id],
  ['manager_name', (p) => p.manager.name],
  ['rep_id', (p) => p.rep.id],
  ['rep_name', (p) => p.rep.name],
  ['time_zones', (p) => p.timeZones.join(' ')],
  ['scheduled_total', (p) => p.scheduled.total],
  ['scheduled_past', (p) => p.scheduled.past],
  ['scheduled_upcoming', (p) => p.scheduled.upcoming],
  ['held_on_slot', (p) => p.held.onSlot],
  ['held_moved_in_week', (p) => p.held.movedInWeek],
  ['moved_out_of_week', (p) => p.movedOutOfWeek],
  ['cancelled_excused', (p) => p.cancelled.excused],
  ['cancelled_unexcused', (p) => p.cancelled.unexcused],
  ['declined', (p) => p.declined],
  ['restored', (p) => p.restored],
  ['adherence_percent', (p) => p.adherence.percent],
  ['adherence_held', (p) => p.adherence.held],
  ['adherence_expected', (p) => p.adherence.expected],
  ['flagged', (p) => p.flagged],
  ['current_streak', (p) => p.streak.current],
  ['longest_streak', (p) => p.streak.longest],
  ['streak_breaks', (p) => p.streak.breaks.length],
  ['at_risk', (p) => p.streak.atRisk.length],
  ['homework_assigned', (p) => p.homework.assigned],
  ['homework_completed', (p) => p.homework.completed],
  ['homework_completed_on_time', (p) => p.homework.completedOnTime],
  ['homework_open_overdue', (p) => p.homework.openOverdue],
  ['homework_dropped', (p) => p.homework.dropped],
  ['homework_completion_rate', (p) => p.homework.completionRate],
  ['agenda_held_meetings', (p) => p.agenda.heldMeetings],
  ['agenda_with_agenda', (p) => p.agenda.withAgenda],
  ['agenda_items_planned', (p) => p.agenda.itemsPlanned],
  ['agenda_items_covered', (p) => p.agenda.itemsCovered],
  ['agenda_coverage', (p) => p.agenda.coverage],
  ['agenda_with_notes', (p) => p.agenda.withNotes],
  ['activity_weeks', (p) => p.activity.weeksWithFigures],
  ['activity_calls', (p) => p.activity.calls],
  ['activity_deals_closed', (p) => p.activity.dealsClosed],
  ['calls_per_deal_closed', (p) => p.activity.callsPerDealClosed],
  ['calls_per_deal_trend_per_week', (p) => p.activity.trendPerWeek],
];

function* rows(report: CadenceReport): Generator<Cell[]> {
  for (const p of report.pairs) yield CSV_COLUMNS.map(([, get]) => get(p));
}

/**
 * The report as RFC 4180 CSV (CRLF line ends, fields with commas, quotes or line breaks quoted,
 * quotes doubled; cells a spreadsheet would take for a formula prefixed with `'`), streamed row by row with backpressure: csv-stringify does the quoting
 * (a small, dependency-free, long-maintained library, and its Transform stream gives the
 * backpressure for free).
 */
export async function sendCsv(res: Response, report: CadenceReport, filename: string): Promise<void> {
  res.status(200);
  res.set({
    'Content-Type': 'text/csv; charset=utf-8; header=present',
    'Content-Disposition': `attachment; filename="${filename}"`,
  });
  await pipeline(
    Readable.from(rows(report)),
    stringify({
      header: true,
      columns: CSV_COLUMNS.map(([name]) => name),
      record_delimiter: 'windows',
      // a name typed as `=…`, `+…`, `-…` or `@…` would run as a formula in a spreadsheet: prefix a quote
      escape_formulas: true,
      cast: { boolean: (b) => (b ? 'true' : 'false') },
    }),
    res,
  );
}
