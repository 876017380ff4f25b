import type { Request, Response } from 'express';
import type { ApiRouter } from '@cadence/shared/http';
import { callerOf } from '../auth/authenticate.js';
import { sendCsv } from './csv.js';
import { sendHtml } from './html.js';
import { reportJson } from './compute.js';
import { cadenceReportQuery, cadenceReportSchema, type CadenceReport, type ReportFormat } from './schemas.js';
import type { ReportService } from './service.js';

/**
 * Written in pieces as they are, without the ETag Express adds (a hash of the whole body, 12 MB
 * for a large organization): every report carries its own generatedAt, so none could ever match.
 */
function sendJson(res: Response, report: CadenceReport): void {
  res.status(200).type('application/json');
  res.cork();
  for (const piece of reportJson(report)) res.write(piece);
  res.end();
}

/** `format` wins; otherwise the Accept header (a browser asks for HTML), else JSON. */
function formatOf(req: Request, asked: ReportFormat | undefined): ReportFormat {
  if (asked) return asked;
  const best = req.accepts(['application/json', 'text/csv', 'text/html']);
  return best === 'text/csv' ? 'csv' : best === 'text/html' ? 'html' : 'json';
}

/** `GET /v1/reports/cadence`: adherence per pair, manager and organization as JSON, CSV or HTML. */
export function reportRoutes(api: ApiRouter, service: ReportService) {
  api.route(
    {
      method: 'get',
      path: '/v1/reports/cadence',
      summary:
        'Cadence adherence per pair, manager and organization over a range of local dates (JSON below; also text/csv, one row per pair, and text/html with charts, by format or Accept)',
      tags: ['Reports'],
      request: { query: cadenceReportQuery },
      responses: { 200: { description: 'The report', schema: cadenceReportSchema } },
      errors: [502],
    },
    async ({ query }, req, res) => {
      const format = formatOf(req, query.format);
      res.vary('Accept');
      const report = await service.cadence(callerOf(req), query, format === 'json');
      if (format === 'json') return sendJson(res, report);
      if (format === 'csv') return sendCsv(res, report, `cadence-${report.range.from}-${report.range.to ?? 'today'}.csv`);
      sendHtml(res, report);
    },
  );
}
