import type { Response } from 'express';
import { markup, SafeHtml } from '../pages/html.js';
import { managerBars, weeklyStrips } from './chart.js';
import type { CadenceReport, PairReport } from './schemas.js';
import { REPORT_CSS, REPORT_CSS_HASH } from './styles.js';

const pct = (v: number | null) => (v === null ? '–' : `${v} %`);

function row(p: PairReport) {
  return markup`<tr class="${p.flagged ? 'flagged' : ''}">
<td>${p.manager.name}</td><td>${p.rep.name}</td>
<td>${p.scheduled.past}</td><td>${p.scheduled.upcoming}</td><td>${p.held.onSlot}</td><td>${p.held.movedInWeek}</td>
<td>${p.movedOutOfWeek}</td><td>${p.cancelled.excused}</td><td>${p.cancelled.unexcused}</td><td>${p.declined}</td><td>${p.restored}</td>
<td>${p.flagged ? markup`<span class="flag" title="below the threshold">⚑ </span>` : ''}${pct(p.adherence.percent)} <span class="muted">${p.adherence.held}/${p.adherence.expected}</span></td>
<td>${p.streak.current}</td><td>${p.streak.longest}</td>
<td>${p.homework.completed}/${p.homework.assigned} · ${pct(p.homework.completionRate)}</td><td>${p.homework.openOverdue}</td>
<td>${pct(p.agenda.coverage)}</td><td>${p.agenda.withNotes}</td>
<td>${p.activity.callsPerDealClosed ?? '–'}</td>
</tr>`;
}

/** The report as a page: summary, the two charts and the table; no script, one hashed stylesheet. */
export function reportPage(report: CadenceReport) {
  const org = report.organization;
  const range = `${report.range.from} – ${report.range.to ?? 'today'}`;
  return markup`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Cadence adherence ${range}</title><style>${new SafeHtml(REPORT_CSS)}</style></head>
<body><main class="page">
<header><p class="kicker">Cadence adherence</p><h1>One-on-ones kept, ${range}</h1>
<p class="muted">Dates in each series’ time zone · flagged below ${report.threshold} % · generated ${report.generatedAt}</p></header>
<section class="summary" aria-label="Organization">
<div class="figure"><b id="org-adherence">${pct(org.adherence.percent)}</b><span>adherence (${org.adherence.held} held of ${org.adherence.expected} due)</span></div>
<div class="figure"><b>${org.pairs}</b><span>pairs, ${org.flaggedPairs} flagged</span></div>
<div class="figure"><b>${org.managers}</b><span>managers, ${org.flaggedManagers} flagged</span></div>
<div class="figure"><b>${pct(org.homework.completionRate)}</b><span>homework completed</span></div>
<div class="figure"><b>${pct(org.agenda.coverage)}</b><span>agenda items covered</span></div>
<div class="figure"><b>${org.activity.callsPerDealClosed ?? '–'}</b><span>sales calls per deal closed</span></div>
</section>
<section><h2>Adherence per manager</h2>${managerBars(report)}</section>
<section><h2>Week by week</h2>${weeklyStrips(report)}</section>
<section><h2>Pairs</h2>
<table id="pairs"><thead><tr><th>Manager</th><th>Rep</th><th>Past</th><th>Upcoming</th><th>Held</th><th>Moved in week</th>
<th>Moved out</th><th>Excused</th><th>Unexcused</th><th>Declined</th><th>Restored</th><th>Adherence</th><th>Streak</th><th>Longest</th>
<th>Homework done</th><th>Overdue</th><th>Agenda covered</th><th>With notes</th><th>Calls per deal</th></tr></thead>
<tbody>${report.pairs.map(row)}</tbody></table></section>
</main></body></html>`;
}

export function sendHtml(res: Response, report: CadenceReport): void {
  res.status(200).set({
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Security-Policy': `default-src 'none'; style-src '${REPORT_CSS_HASH}'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`,
    'X-Content-Type-Options': 'nosniff',
  });
  res.send(reportPage(report).value);
}
