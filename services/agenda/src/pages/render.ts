import type { OccurrenceView, SeriesView } from '@cadence/shared/clients/scheduling';
import { DateTime } from 'luxon';
import { parseOccurrenceKey } from '@cadence/shared/time';
import type { AgendaView } from '../agendas/schemas.js';
import type { HomeworkView } from '../homework/schemas.js';
import { html, SafeHtml } from './html.js';
import { AGENDA_CSS } from './styles.js';

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
const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const fmt = (n: number | null) => (n === null ? '—' : number.format(n));

function layout(title: string, body: SafeHtml): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex, nofollow" />
        <meta name="referrer" content="no-referrer" />
        <title>${title}</title>
        <style>
          ${new SafeHtml(AGENDA_CSS)}
        </style>
      </head>
      <body>
        <div class="page">${body}</div>
      </body>
    </html> `.value;
}

function hidden(m: PageModel, intent: string, fields: Record<string, string> = {}): SafeHtml {
  return html`<input type="hidden" name="csrf" value="${m.csrf}" /><input type="hidden" name="intent" value="${intent}" /><input
      type="hidden"
      name="occurrence"
      value="${m.view.occurrenceKey}"
    />${Object.entries(fields).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}" />`)}`;
}

function header(m: PageModel): SafeHtml {
  const { view, series } = m;
  const zone = view.occurrence.timeZone;
  const occ = view.occurrence;
  const dateLink = (o: OccurrenceView) => `${m.linkBase}/${zoned(o.originalStart, zone).toISODate()}`;
  return html`<header>
    <p class="kicker">Weekly one-on-one</p>
    <h1>${series.manager.name} &amp; ${series.rep.name}</h1>
    <p class="when">
      ${longWhen(occ.start, zone)}–${zoned(occ.end, zone).toFormat('HH:mm')}
      <span class="muted">(${zone}, ${occ.durationMinutes} min)</span>
    </p>
    <p class="where">${occ.location ? html`Where: ${occ.location}` : html`<span class="muted">No location set</span>`}</p>
    <p>
      Manager: ${series.manager.name} · Rep: ${series.rep.name}
      ${occ.state === 'scheduled' || occ.state === 'held' ? '' : html` · <span class="state state-${occ.state}">${occ.state}</span>`}
    </p>
    <nav class="weeks">
      <span>${m.previous ? html`<a href="${dateLink(m.previous)}">← ${shortDate(m.previous.originalStart, zone)}</a>` : ''}</span>
      <a href="${m.linkBase}">This week</a>
      <span>${m.next ? html`<a href="${dateLink(m.next)}">${shortDate(m.next.originalStart, zone)} →</a>` : ''}</span>
    </nav>
  </header>`;
}

function cancelledBanner(m: PageModel): SafeHtml {
  if (!m.view.readOnly) return html``;
  const to = m.view.rolledOverTo;
  const zone = m.view.occurrence.timeZone;
  return html`<div class="banner" role="status">
    <strong>This meeting was cancelled.</strong> Its agenda is read-only.
    ${
      to
        ? html`Open items move to the next meeting: <a href="${m.linkBase}/${to.occurrenceKey}">${longWhen(to.start, zone)}</a>.`
        : html`There is no later meeting to move open items to.`
    }
  </div>`;
}

function items(m: PageModel): SafeHtml {
  const { view } = m;
  return html`<section id="agenda" aria-labelledby="agenda-h">
    <h2 id="agenda-h">Agenda <small>${view.plannedMinutes} min · ${view.template.name} v${view.template.version}</small></h2>
    <ol class="items">
      ${view.items.map(
        (item) =>
          html`<li id="item-${item.id}" class="${item.covered ? 'covered' : ''}">
            <div class="item-head"><span class="title">${item.title}</span><span class="box">${item.minutes} min</span></div>
            ${item.guidance ? html`<p class="guidance">${item.guidance}</p>` : ''}
            ${item.note ? html`<div class="note">${item.note}</div>` : ''}
            ${
              view.readOnly
                ? html`<p class="muted">${item.covered ? 'Covered' : 'Not covered'}</p>`
                : html`<div class="actions">
                      <form method="post" action="${m.action}#item-${item.id}" class="inline">
                        ${hidden(m, 'cover', { item: item.id, covered: String(!item.covered) })}
                        <button type="submit" class="${item.covered ? 'secondary' : ''}">
                          ${item.covered ? 'Covered ✓ — undo' : 'Mark covered'}
                        </button>
                      </form>
                    </div>
                    <details>
                      <summary>${item.note ? 'Edit note' : 'Add a note'}</summary>
                      <form method="post" action="${m.action}#item-${item.id}">
                        ${hidden(m, 'item-note', { item: item.id })}
                        <label for="note-${item.id}">Note on ${item.title}</label>
                        <textarea id="note-${item.id}" name="note" maxlength="5000">${item.note}</textarea>
                        <button type="submit">Save note</button>
                      </form>
                    </details>`
            }
          </li>`,
      )}
    </ol>
  </section>`;
}

function homeworkList(m: PageModel, list: HomeworkView[], empty: string): SafeHtml {
  if (!list.length) return html`<p class="muted">${empty}</p>`;
  const zone = m.view.occurrence.timeZone;
  const people = { rep: m.series.rep.name, manager: m.series.manager.name };
  return html`<ul class="homework">
    ${list.map(
      (hw) =>
        html`<li id="hw-${hw.id}">
          <div class="hw-title">${hw.title}</div>
          ${hw.details ? html`<div class="note">${hw.details}</div>` : ''}
          <div class="hw-meta">
            ${people[hw.owner]} (${hw.owner}) · due ${shortWhen(hw.due, zone)} · assigned
            ${shortDate(parseOccurrenceKey(hw.occurrenceKey)!.toISOString(), zone)} ·
            <span class="status status-${hw.overdue ? 'overdue' : hw.status}">${hw.overdue ? 'overdue' : hw.status}</span>
            ${hw.status !== 'open' ? html`<span class="muted">(${shortWhen(hw.statusChangedAt, zone)})</span>` : ''}
          </div>
          ${
            m.view.readOnly
              ? ''
              : html`<form method="post" action="${m.action}#hw-${hw.id}" class="actions">
                  ${hidden(m, 'homework-status', { homework: hw.id })}
                  <select name="changedBy" aria-label="Who is changing it">
                    <option value="">Who?</option>
                    <option value="rep">${people.rep}</option>
                    <option value="manager">${people.manager}</option>
                  </select>
                  ${
                    hw.status === 'open'
                      ? html`<button type="submit" name="status" value="done">Done</button
                          ><button type="submit" name="status" value="dropped" class="secondary">Drop</button>`
                      : html`<button type="submit" name="status" value="open" class="secondary">Reopen</button>`
                  }
                </form>`
          }
        </li>`,
    )}
  </ul>`;
}

function review(m: PageModel): SafeHtml {
  return html`<section id="homework-review" aria-labelledby="review-h">
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
  return html`<section id="figures" aria-labelledby="figures-h">
    <h2 id="figures-h">This week’s figures <small>${m.series.rep.name}</small></h2>
    <dl class="figures">
      ${rows.map(
        ([, label, value]) =>
          html`<dt>${label}</dt>
            <dd>${fmt(value)}</dd>`,
      )}
      <dt>Sales calls per deal closed</dt>
      <dd>${fmt(f.salesCallsPerDealClosed)}</dd>
    </dl>
    ${
      m.view.readOnly
        ? ''
        : html`<details>
            <summary>Record figures</summary>
            <form method="post" action="${m.action}#figures">
              ${hidden(m, 'figures')}
              <div class="grid2">
                ${rows.map(
                  ([name, label, value]) =>
                    html`<div>
                      <label for="fig-${name}">${label}</label>
                      <input
                        id="fig-${name}"
                        type="text"
                        inputmode="decimal"
                        name="${name}"
                        value="${value === null ? '' : String(value)}"
                      />
                    </div>`,
                )}
              </div>
              <button type="submit">Save figures</button>
            </form>
          </details>`
    }
  </section>`;
}

function newHomework(m: PageModel): SafeHtml {
  return html`<section id="new-homework" aria-labelledby="new-h">
    <h2 id="new-h">New homework <small>due before next time</small></h2>
    ${homeworkList(m, m.view.newHomework, 'No homework assigned in this meeting yet.')}
    ${
      m.view.readOnly
        ? ''
        : html`<form method="post" action="${m.action}#new-homework">
            ${hidden(m, 'homework-add')} <label for="hw-title">Homework</label
            ><input id="hw-title" type="text" name="title" required maxlength="200" /> <label for="hw-details">Details</label
            ><textarea id="hw-details" name="details" maxlength="5000"></textarea>
            <div class="grid2">
              <div>
                <label for="hw-owner">Owner</label
                ><select id="hw-owner" name="owner">
                  <option value="rep">${m.series.rep.name} (rep)</option>
                  <option value="manager">${m.series.manager.name} (manager)</option>
                </select>
              </div>
              <div>
                <label for="hw-due">Due <span class="muted">(empty: an hour before the next meeting)</span></label>
                <input id="hw-due" type="datetime-local" name="due" />
              </div>
            </div>
            <button type="submit">Add homework</button>
          </form>`
    }
  </section>`;
}

function notes(m: PageModel): SafeHtml {
  const text = m.view.notes;
  return html`<section id="notes" aria-labelledby="notes-h">
    <h2 id="notes-h">Notes</h2>
    ${text ? html`<div class="notes-text">${text}</div>` : html`<p class="muted">No notes yet.</p>`}
    ${
      m.view.readOnly
        ? ''
        : html`<details${text ? '' : html` open`}><summary>${text ? 'Edit notes' : 'Write notes'}</summary>
    <form method="post" action="${m.action}#notes">${hidden(m, 'notes')}
      <label for="notes-text">Meeting notes</label><textarea id="notes-text" name="notes" maxlength="20000">${text}</textarea>
      <button type="submit">Save notes</button></form></details>`
    }
  </section>`;
}

/** The agenda page: everything readable without JavaScript; every form a plain POST. */
export function agendaPage(m: PageModel): string {
  const zone = m.view.occurrence.timeZone;
  const title = `Agenda · ${m.series.manager.name} & ${m.series.rep.name} · ${shortDate(m.view.occurrence.start, zone)}`;
  return layout(
    title,
    html`${header(m)}${cancelledBanner(m)}
      <main>${items(m)}${review(m)}${figures(m)}${newHomework(m)}${notes(m)}</main>
      <footer>
        Cadence agenda · ${m.view.template.name} v${m.view.template.version} · printed pages show notes and figures without the
        forms.
      </footer>`,
  );
}

/** A plain page for errors: unknown links, refused forms. */
export function messagePage(status: number, title: string, detail: string, back?: string): string {
  return layout(
    title,
    html`<section>
      <h1>${title}</h1>
      <p>${detail}</p>
      ${back ? html`<p><a href="${back}">Back to the agenda</a></p>` : ''}
      <p class="muted">HTTP ${status}</p>
    </section>`,
  );
}
