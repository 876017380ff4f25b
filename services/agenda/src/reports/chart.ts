import { CADENCE_CATEGORIES } from '@cadence/shared/cadence/streaks';
import { markup, type SafeHtml } from '../pages/html.js';
import type { CadenceReport } from './schemas.js';

const LABELS: Record<string, string> = {
  held_on_slot: 'held on the slot',
  held_moved_in_week: 'held, moved within the week',
  moved_out_of_week: 'moved out of the week',
  cancelled_excused: 'cancelled, excused',
  cancelled_unexcused: 'cancelled, unexcused',
  declined: 'declined',
  upcoming: 'upcoming',
};
export const categoryLabel = (c: string) => LABELS[c] ?? c;

/** Adherence per manager: one horizontal bar each (0–100 %), the threshold as a dashed line. */
export function managerBars(report: CadenceReport): SafeHtml {
  const labelW = 200;
  const barW = 480;
  const rowH = 26;
  const height = report.managers.length * rowH + 30;
  const x = (pct: number) => labelW + (pct / 100) * barW;
  const rows = report.managers.map((m, i) => {
    const y = i * rowH + 4;
    const pct = m.adherence.percent;
    return markup`<g class="manager"><text x="${labelW - 8}" y="${y + 15}" text-anchor="end">${m.manager.name}</text>
<rect class="${m.flagged ? 'bar flagged' : 'bar'}" x="${labelW}" y="${y}" width="${((pct ?? 0) / 100) * barW}" height="${rowH - 8}"><title>${m.manager.name}: ${pct === null ? 'no meetings due' : `${pct} %`} (${m.adherence.held} of ${m.adherence.expected})</title></rect>
<text x="${x(pct ?? 0) + 6}" y="${y + 15}">${pct === null ? '–' : `${pct} %`}</text></g>`;
  });
  const t = x(report.threshold);
  return markup`<svg id="adherence-chart" role="img" aria-labelledby="adherence-title" viewBox="0 0 ${labelW + barW + 70} ${height}" width="${labelW + barW + 70}" height="${height}">
<title id="adherence-title">Adherence per manager, threshold ${report.threshold} %</title>
${rows}
<line class="axis" x1="${labelW}" y1="0" x2="${labelW}" y2="${height - 24}"/>
<line class="threshold" x1="${t}" y1="0" x2="${t}" y2="${height - 24}"/>
<text x="${t}" y="${height - 8}" text-anchor="middle">${report.threshold} %</text>
</svg>`;
}

/** Week by week per pair: one square per occurrence in the range, coloured by what became of it. */
export function weeklyStrips(report: CadenceReport): SafeHtml {
  const labelW = 260;
  const cell = 11;
  const rowH = 16;
  const maxWeeks = Math.max(1, ...report.pairs.map((p) => p.weeks.length));
  const width = labelW + maxWeeks * cell + 10;
  const height = report.pairs.length * rowH + 6;
  const rows = report.pairs.map((p, i) => {
    const y = i * rowH + 3;
    const cells = p.weeks.map(
      (w, j) =>
        markup`<rect class="${w.category}" x="${labelW + j * cell}" y="${y}" width="${cell - 2}" height="${rowH - 5}"><title>${w.week}: ${categoryLabel(w.category)}</title></rect>`,
    );
    return markup`<g class="pair"><text x="${labelW - 8}" y="${y + 10}" text-anchor="end">${p.manager.name} · ${p.rep.name}</text>${cells}</g>`;
  });
  const legend = CADENCE_CATEGORIES.map(
    (c) =>
      markup`<span><svg width="12" height="12" aria-hidden="true"><rect class="${c}" x="0.5" y="0.5" width="11" height="11"/></svg> ${categoryLabel(c)}</span>`,
  );
  return markup`<svg id="weekly-chart" role="img" aria-label="Held and cancelled week by week, per pair" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${rows}</svg>
<p class="legend">${legend}</p>`;
}
