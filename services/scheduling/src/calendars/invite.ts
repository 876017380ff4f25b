import type { SeriesForCalendar } from './provider.js';

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The invite's title, the same in every calendar. */
export const inviteSubject = ({ manager, rep }: Pick<SeriesForCalendar, 'manager' | 'rep'>) =>
  `1:1 ${manager.name} / ${rep.name}`;

/** The invite's HTML text: what the meeting is, the agenda link when the series has one, and a plea not to cancel. */
export function inviteHtml({ series, manager, rep }: SeriesForCalendar): string {
  const agenda = series.agendaUrl;
  return [
    `<p>Weekly one-on-one between ${escapeHtml(manager.name)} and ${escapeHtml(rep.name)}, kept by Cadence: same time, same place, one agenda, homework at the end.</p>`,
    agenda ? `<p>Agenda: <a href="${escapeHtml(agenda)}">${escapeHtml(agenda)}</a></p>` : '',
    '<p>Please do not cancel without a reason; if you must, record an excuse in Cadence.</p>',
  ].join('');
}
