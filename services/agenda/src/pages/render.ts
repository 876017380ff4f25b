import type { OccurrenceView, SeriesView } from '@cadence/shared/clients/scheduling';
import { parseOccurrenceKey } from '@cadence/shared/time';
import { DateTime } from 'luxon';
import type { AgendaView } from '../agendas/schemas.js';
import type { HomeworkView } from '../homework/schemas.js';
import { markup, SafeHtml } from './html.js';
import { STYLE_ELEMENT } from './styles.js';

export interface PageModel {
  view: AgendaView;
  series: SeriesView;
  /** Where the forms post: the capability URL the page was opened with. */
  action: string;
  csrf: string;
  /** `/a/<token>`: the series link, for moving between weeks. */
  linkBase: string;
  previous: OccurrenceView | undefined;
  next: OccurrenceView | undefined;
  now: Date;
}

const zoned = (iso: string, zone: string) => DateTime.fromISO(iso, { zone });
const longWhen = (iso: string, zone: string) => zoned(iso, zone).toFormat('cccc d LLLL yyyy, HH:mm');
const shortWhen = (iso: string, zone: string) => zoned(iso, zone).toFormat('ccc d LLL, HH:mm');
const shortDate = (iso: string, zone: string) => zoned(iso, zone).toFormat('ccc d LLL');
const keyDate = (key: string, zone: string) => shortDate(parseOccurrenceKey(key)!.toISOString(), zone);
const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const fmt = (n: number | null) => (n === null ? '—' : number.format(n));
const STYLE = new SafeHtml(STYLE_ELEMENT);

function layout(title: string, body: SafeHtml): string {
  return markup`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
${STYLE}
</head>
<body><div class="page">${body}</div></body>
</html>
`.value;
}

function hidden(m: PageModel, intent: string, fields: Record<string, string> = {}): SafeHtml {
  const extra = Object.entries(fields).map(([k, v]) => markup`<input type="hidden" name="${k}" value="${v}">`);
  return markup`<input type="hidden" name="csrf" value="${m.csrf}"><input type="hidden" name="intent" value="${intent}"><input type="hidden" name="occurrence" value="${m.view.occurrenceKey}">${extra}`;
}

function header(m: PageModel): SafeHtml {
  const { view, series } = m;
  const occ = view.occurrence;
  const zone = occ.timeZone;
  const dateLink = (o: OccurrenceView) => `${m.linkBase}/${zoned(o.originalStart, zone).toISODate()}`;
  const state =
    occ.state === 'scheduled' || occ.state === 'held'
      ? ''
      : markup` · <span class="state state-${occ.state}">${occ.state}</span>`;
  return markup`<header>
<p class="kicker">Weekly one-on-one</p>
<h1>${series.manager.name} &amp; ${series.rep.name}</h1>
<p class="when">${longWhen(occ.start, zone)}–${zoned(occ.end, zone).toFormat('HH:mm')} <span class="muted">(${zone}, ${occ.durationMinutes} min)</span></p>
<p class="where">${occ.location ? markup`Where: ${occ.location}` : markup`<span class="muted">No location set</span>`}</p>
<p>Manager: ${series.manager.name} · Rep: ${series.rep.name}${state}</p>
<nav class="weeks">
<span>${m.previous ? markup`<a href="${dateLink(m.previous)}">← ${shortDate(m.previous.originalStart, zone)}</a>` : ''}</span>
<a href="${m.linkBase}">This week</a>
<span>${m.next ? markup`<a href="${dateLink(m.next)}">${shortDate(m.next.originalStart, zone)} →</a>` : ''}</span>
</nav>
</header>`;
}

function cancelledBanner(m: PageModel): SafeHtml {
  if (!m.view.readOnly) return markup``;
  const to = m.view.rolledOverTo;
  const zone = m.view.occurrence.timeZone;
  const where = to
    ? markup`Open items move to the next meeting: <a href="${m.linkBase}/${to.occurrenceKey}">${longWhen(to.start, zone)}</a>.`
    : markup`There is no later meeting to move open items to.`;
  return markup`<div class="banner" role="status"><strong>This meeting was cancelled.</strong> Its agenda is read-only. ${where}</div>`;
}

function item(m: PageModel, it: AgendaView['items'][number]): SafeHtml {
  const controls = m.view.readOnly
    ? markup`<p class="muted">${it.covered ? 'Covered' : 'Not covered'}</p>`
    : markup`<div class="actions">
<form method="post" action="${m.action}#item-${it.id}" class="inline">${hidden(m, 'cover', { item: it.id, covered: String(!it.covered) })}<button type="submit" class="${it.covered ? 'secondary' : ''}">${it.covered ? 'Covered ✓ — undo' : 'Mark covered'}</button></form>
</div>
<details><summary>${it.note ? 'Edit note' : 'Add a note'}</summary>
<form method="post" action="${m.action}#item-${it.id}">${hidden(m, 'item-note', { item: it.id })}
<label for="note-${it.id}">Note on ${it.title}</label>
<textarea id="note-${it.id}" name="note" maxlength="5000">${it.note}</textarea>
<button type="submit">Save note</button></form>
</details>`;
  return markup`<li id="item-${it.id}" class="${it.covered ? 'covered' : ''}">
<div class="item-head"><span class="title">${it.title}</span><span class="box">${it.minutes} min</span></div>
${it.guidance ? markup`<p class="guidance">${it.guidance}</p>` : ''}
${it.note ? markup`<div class="note">${it.note}</div>` : ''}
${controls}
</li>`;
}

function items(m: PageModel): SafeHtml {
  const { view } = m;
  return markup`<section id="agenda" aria-labelledby="agenda-h">
<h2 id="agenda-h">Agenda <small>${view.plannedMinutes} min · ${view.template.name} v${view.template.version}</small></h2>
<ol class="items">
${view.items.map((it) => item(m, it))}
</ol>
</section>`;
}

function homeworkItem(m: PageModel, hw: HomeworkView): SafeHtml {
  const zone = m.view.occurrence.timeZone;
  const people = { rep: m.series.rep.name, manager: m.series.manager.name };
  const status = hw.overdue ? 'overdue' : hw.status;
  const changed = hw.status === 'open' ? '' : markup` <span class="muted">(${shortWhen(hw.statusChangedAt, zone)})</span>`;
  const buttons =
    hw.status === 'open'
      ? markup`<button type="submit" name="status" value="done">Done</button><button type="submit" name="status" value="dropped" class="secondary">Drop</button>`
      : markup`<button type="submit" name="status" value="open" class="secondary">Reopen</button>`;
  const form = m.view.readOnly
    ? ''
    : markup`<form method="post" action="${m.action}#hw-${hw.id}" class="actions">${hidden(m, 'homework-status', { homework: hw.id })}
<select name="changedBy" aria-label="Who is changing it"><option value="">Who?</option><option value="rep">${people.rep}</option><option value="manager">${people.manager}</option></select>
${buttons}</form>`;
  return markup`<li id="hw-${hw.id}">
<div class="hw-title">${hw.title}</div>
${hw.details ? markup`<div class="note">${hw.details}</div>` : ''}
<div class="hw-meta">${people[hw.owner]} (${hw.owner}) · due ${shortWhen(hw.due, zone)} · assigned ${keyDate(hw.occurrenceKey, zone)} · <span class="status status-${status}">${status}</span>${changed}</div>
${form}
</li>`;
}

function homeworkList(m: PageModel, list: HomeworkView[], empty: string): SafeHtml {
  if (!list.length) return markup`<p class="muted">${empty}</p>`;
  return markup`<ul class="homework">${list.map((hw) => homeworkItem(m, hw))}</ul>`;
}

function review(m: PageModel): SafeHtml {
  return markup`<section id="homework-review" aria-labelledby="review-h">
<h2 id="review-h">Homework to review <small>from earlier meetings</small></h2>
${homeworkList(m, m.view.homeworkReview, 'Nothing to review from earlier meetings.')}
</section>`;
}

function figures(m: PageModel): SafeHtml {
  const f = m.view.figures;
  const rows: [string, string, number | null][] = [
    ['calls', 'Calls', f.calls],
    ['meetings', 'Meetings', f.meetings],
    ['dealsClosed', 'Deals closed', f.dealsClosed],
    ['pipelineAmount', 'Pipeline amount', f.pipelineAmount],
    ['forecastAmount', 'Forecast amount', f.forecastAmount],
  ];
  const inputs = rows.map(
    ([name, label, value]) =>
      markup`<div><label for="fig-${name}">${label}</label><input id="fig-${name}" type="text" inputmode="decimal" name="${name}" value="${value === null ? '' : String(value)}"></div>`,
  );
  const form = m.view.readOnly
    ? ''
    : markup`<details><summary>Record figures</summary>
<form method="post" action="${m.action}#figures">${hidden(m, 'figures')}
<div class="grid2">${inputs}</div>
<button type="submit">Save figures</button></form>
</details>`;
  return markup`<section id="figures" aria-labelledby="figures-h">
<h2 id="figures-h">This week’s figures <small>${m.series.rep.name}</small></h2>
<dl class="figures">${rows.map(([, label, value]) => markup`<dt>${label}</dt><dd>${fmt(value)}</dd>`)}<dt>Sales calls per deal closed</dt><dd>${fmt(f.salesCallsPerDealClosed)}</dd></dl>
${form}
</section>`;
}

function newHomework(m: PageModel): SafeHtml {
  const form = m.view.readOnly
    ? ''
    : markup`<form method="post" action="${m.action}#new-homework">${hidden(m, 'homework-add')}
<label for="hw-title">Homework</label><input id="hw-title" type="text" name="title" required maxlength="200">
<label for="hw-details">Details</label><textarea id="hw-details" name="details" maxlength="5000"></textarea>
<div class="grid2">
<div><label for="hw-owner">Owner</label><select id="hw-owner" name="owner"><option value="rep">${m.series.rep.name} (rep)</option><option value="manager">${m.series.manager.name} (manager)</option></select></div>
<div><label for="hw-due">Due <span class="muted">(empty: an hour before the next meeting)</span></label><input id="hw-due" type="datetime-local" name="due"></div>
</div>
<button type="submit">Add homework</button></form>`;
  return markup`<section id="new-homework" aria-labelledby="new-h">
<h2 id="new-h">New homework <small>due before next time</small></h2>
${homeworkList(m, m.view.newHomework, 'No homework assigned in this meeting yet.')}
${form}
</section>`;
}

function notes(m: PageModel): SafeHtml {
  const text = m.view.notes;
  const form = m.view.readOnly
    ? ''
    : markup`<details${text ? '' : markup` open`}><summary>${text ? 'Edit notes' : 'Write notes'}</summary>
<form method="post" action="${m.action}#notes">${hidden(m, 'notes')}
<label for="notes-text">Meeting notes</label><textarea id="notes-text" name="notes" maxlength="20000">${text}</textarea>
<button type="submit">Save notes</button></form>
</details>`;
  return markup`<section id="notes" aria-labelledby="notes-h">
<h2 id="notes-h">Notes</h2>
${text ? markup`<div class="notes-text">${text}</div>` : markup`<p class="muted">No notes yet.</p>`}
${form}
</section>`;
}

/** The agenda page: everything readable without JavaScript; every form a plain POST. */
export function agendaPage(m: PageModel): string {
  const zone = m.view.occurrence.timeZone;
  const title = `Agenda · ${m.series.manager.name} & ${m.series.rep.name} · ${shortDate(m.view.occurrence.start, zone)}`;
  return layout(
    title,
    markup`${header(m)}${cancelledBanner(m)}<main>${items(m)}${review(m)}${figures(m)}${newHomework(m)}${notes(m)}</main>
<footer>Cadence agenda · ${m.view.template.name} v${m.view.template.version} · printed pages show notes and figures without the forms.</footer>`,
  );
}

/** A plain page for errors: unknown links, refused forms. */
export function messagePage(status: number, title: string, detail: string, back?: string): string {
  const link = back ? markup`<p><a href="${back}">Back to the agenda</a></p>` : '';
  return layout(title, markup`<section><h1>${title}</h1><p>${detail}</p>${link}<p class="muted">HTTP ${status}</p></section>`);
}
