import type { OccurrenceView, SchedulingClient } from '@cadence/shared/clients/scheduling';
import { DateTime } from 'luxon';

const DAY = 86_400_000;
const held = (o: OccurrenceView) => o.state !== 'cancelled';
const byStart = (a: OccurrenceView, b: OccurrenceView) => Date.parse(a.start) - Date.parse(b.start);

/**
 * Which occurrence a series link opens: the one in progress, else the next upcoming one that is
 * not cancelled, else (a series that has ended) the latest one.
 */
export async function currentOrNext(client: SchedulingClient, seriesId: string, now: Date): Promise<OccurrenceView | undefined> {
  const t = now.getTime();
  const list = (await client.occurrences(seriesId, { from: new Date(t - 35 * DAY), to: new Date(t + 400 * DAY) }))
    .filter(held)
    .sort(byStart);
  return (
    list.find((o) => Date.parse(o.start) <= t && t < Date.parse(o.end)) ??
    list.find((o) => Date.parse(o.start) > t) ??
    list.filter((o) => Date.parse(o.start) <= t).pop()
  );
}

/** The next occurrence after `originalStart` that is not cancelled: where open items go next. */
export async function nextHeldAfter(
  client: SchedulingClient,
  seriesId: string,
  originalStart: Date,
): Promise<OccurrenceView | undefined> {
  const from = new Date(originalStart.getTime() + 1000);
  const list = await client.occurrences(seriesId, { from, to: new Date(from.getTime() + 180 * DAY) });
  return list.find(held);
}

/** The occurrence planned on a local date (`YYYY-MM-DD`, the series' time zone), if any. */
export async function onLocalDate(client: SchedulingClient, seriesId: string, date: string): Promise<OccurrenceView | undefined> {
  const next = DateTime.fromISO(date, { zone: 'utc' }).plus({ days: 1 }).toISODate()!;
  const list = await client.occurrences(seriesId, { from: date, to: next });
  return list[0];
}

/** The occurrences just before and after one, for moving between weeks on the agenda page. */
export async function neighbours(client: SchedulingClient, occurrence: OccurrenceView) {
  const t = Date.parse(occurrence.originalStart);
  const list = await client.occurrences(occurrence.seriesId, { from: new Date(t - 42 * DAY), to: new Date(t + 43 * DAY) });
  const i = list.findIndex((o) => o.key === occurrence.key);
  return { previous: i > 0 ? list[i - 1] : undefined, next: i >= 0 ? list[i + 1] : undefined };
}
