import { createHash } from 'node:crypto';

/**
 * The agenda page's only stylesheet, inlined (no extra request, works from a saved page) and
 * allowed by hash in the Content-Security-Policy. Phone first; print hides the forms.
 */
export const AGENDA_CSS = `
:root{color-scheme:light;--ink:#1d232b;--muted:#5b6673;--line:#d9dee4;--accent:#1f5fbf;--ok:#1c7c3c;--warn:#a8430b;--bg:#f6f7f9}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
.page{max-width:46rem;margin:0 auto;padding:1rem}
header{padding:.5rem 0 1rem;border-bottom:2px solid var(--line)}
.kicker{margin:0;color:var(--muted);font-size:.85rem;text-transform:uppercase;letter-spacing:.05em}
h1{margin:.2rem 0;font-size:1.5rem;line-height:1.25}
h2{font-size:1.15rem;margin:0 0 .5rem;display:flex;justify-content:space-between;gap:.5rem;flex-wrap:wrap}
h2 small{font-weight:normal;color:var(--muted);font-size:.85rem}
p{margin:.25rem 0}
.muted{color:var(--muted)}
section{background:#fff;border:1px solid var(--line);border-radius:.5rem;padding:1rem;margin:1rem 0}
.banner{border-left:4px solid var(--warn);background:#fff4ec;padding:.75rem 1rem;margin:1rem 0;border-radius:.25rem}
.state{display:inline-block;padding:0 .5rem;border-radius:1rem;font-size:.85rem;background:#e8edf3}
.state-cancelled{background:#fde2d6;color:var(--warn)}
nav.weeks{display:flex;justify-content:space-between;gap:.5rem;margin-top:.75rem;font-size:.95rem}
a{color:var(--accent)}
ol.items{list-style:none;margin:0;padding:0;counter-reset:item}
ol.items>li{counter-increment:item;border-top:1px solid var(--line);padding:.75rem 0}
ol.items>li:first-child{border-top:0}
.item-head{display:flex;justify-content:space-between;gap:.5rem;font-weight:600}
.item-head .title::before{content:counter(item) ". "}
.box{white-space:nowrap;font-weight:normal;color:var(--muted)}
.covered .title{color:var(--ok)}
.covered .title::after{content:" ✓"}
.guidance{color:var(--muted);font-size:.95rem}
.note,.notes-text{white-space:pre-wrap;overflow-wrap:anywhere;background:var(--bg);padding:.5rem;border-radius:.25rem;margin:.4rem 0}
ul.homework{list-style:none;margin:0;padding:0}
ul.homework>li{border-top:1px solid var(--line);padding:.6rem 0}
ul.homework>li:first-child{border-top:0}
.hw-title{font-weight:600;overflow-wrap:anywhere}
.hw-meta{font-size:.9rem;color:var(--muted)}
.status{font-size:.8rem;padding:0 .4rem;border-radius:1rem;background:#e8edf3}
.status-done{background:#daf1e1;color:var(--ok)}
.status-dropped{background:#eee;color:var(--muted);text-decoration:line-through}
.status-overdue{background:#fde2d6;color:var(--warn)}
form{margin:.4rem 0}
form.inline{display:inline}
.actions{display:flex;flex-wrap:wrap;gap:.4rem;margin-top:.3rem}
.actions select{width:auto;max-width:12rem}
label{display:block;font-size:.9rem;margin:.4rem 0 .15rem}
input[type=text],input[type=number],input[type=datetime-local],select,textarea{width:100%;font:inherit;padding:.45rem;border:1px solid #b8c0ca;border-radius:.3rem;background:#fff}
textarea{min-height:5rem}
button{font:inherit;padding:.4rem .8rem;border-radius:.3rem;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer}
button.secondary{background:#fff;color:var(--accent)}
details>summary{cursor:pointer;color:var(--accent);margin:.3rem 0}
dl.figures{display:grid;grid-template-columns:1fr auto;gap:.2rem 1rem;margin:0}
dl.figures dt{color:var(--muted)}
dl.figures dd{margin:0;text-align:right;font-variant-numeric:tabular-nums}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:0 .75rem}
footer{color:var(--muted);font-size:.85rem;padding:1rem 0}
@media (max-width:30rem){.grid2{grid-template-columns:1fr}h1{font-size:1.3rem}}
@media print{
  body{background:#fff;font-size:11pt}
  .page{max-width:none;padding:0}
  form,details,nav.weeks,.no-print{display:none!important}
  section{border:0;border-top:1px solid #999;border-radius:0;padding:.5rem 0;margin:.5rem 0;break-inside:avoid}
  a{color:inherit;text-decoration:none}
  .note,.notes-text{background:none;padding:0}
}
`;

/** For the Content-Security-Policy: the hash covers exactly the text between the style tags. */
export const AGENDA_CSS_HASH = `sha256-${createHash('sha256').update(AGENDA_CSS).digest('base64')}`;

export const STYLE_ELEMENT = `<style>${AGENDA_CSS}</style>`;
