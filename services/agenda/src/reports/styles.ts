import { createHash } from 'node:crypto';

/**
 * The report page's only stylesheet, inlined and allowed by hash in the Content-Security-Policy
 * (as the agenda page's is); the chart is inline SVG coloured by these classes. Print drops the
 * page background and keeps each chart and table row whole.
 */
export const REPORT_CSS = `
:root{color-scheme:light;--ink:#1d232b;--muted:#5b6673;--line:#d9dee4;--accent:#1f5fbf;--ok:#1c7c3c;--warn:#a8430b;--bg:#f6f7f9}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
.page{max-width:72rem;margin:0 auto;padding:1rem}
header{padding:.5rem 0 1rem;border-bottom:2px solid var(--line)}
.kicker{margin:0;color:var(--muted);font-size:.85rem;text-transform:uppercase;letter-spacing:.05em}
h1{margin:.2rem 0;font-size:1.5rem}
h2{font-size:1.1rem;margin:0 0 .5rem}
section{background:#fff;border:1px solid var(--line);border-radius:.5rem;padding:1rem;margin:1rem 0;overflow-x:auto}
.summary{display:flex;flex-wrap:wrap;gap:1.5rem}
.figure b{display:block;font-size:1.4rem}
.figure span{color:var(--muted);font-size:.85rem}
.muted{color:var(--muted)}
svg text{font:12px system-ui,sans-serif;fill:var(--ink)}
svg .bar{fill:var(--accent)}
svg .bar.flagged{fill:var(--warn)}
svg .threshold{stroke:var(--ink);stroke-dasharray:4 3}
svg .axis{stroke:var(--line)}
svg .held_on_slot{fill:var(--ok)}
svg .held_moved_in_week{fill:#7cc08f}
svg .cancelled_excused{fill:#b8c0ca}
svg .cancelled_unexcused{fill:#c0392b}
svg .declined{fill:#e67e22}
svg .moved_out_of_week{fill:#f1c40f}
svg .upcoming{fill:#fff;stroke:var(--line)}
.legend{display:flex;flex-wrap:wrap;gap:.75rem;font-size:.85rem;margin:.5rem 0 0}
.legend svg{vertical-align:middle}
table{border-collapse:collapse;width:100%;font-size:.85rem}
th,td{padding:.3rem .45rem;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}
th:nth-child(-n+2),td:nth-child(-n+2){text-align:left}
thead th{position:sticky;top:0;background:#fff}
tr.flagged td{background:#fff4ec}
.flag{color:var(--warn);font-weight:600}
@media print{body{background:#fff;font-size:11px}.page{max-width:none;padding:0}section{border:0;padding:0;break-inside:avoid}tr{break-inside:avoid}thead th{position:static}}
`;

/** For the Content-Security-Policy: the hash covers exactly the text between the style tags. */
export const REPORT_CSS_HASH = `sha256-${createHash('sha256').update(REPORT_CSS).digest('base64')}`;
