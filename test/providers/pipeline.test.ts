import { describe, expect, it } from 'vitest';
import { KEYS } from '../microsoft/support.js';
import { googleDriver, microsoftDriver, type Meeting, type ProviderDriver } from './drivers.js';

/*
 * The same change-pipeline cases against both calendar providers, each through its real client
 * library, its emulator, its notifications and its sync: the adapters cannot drift apart.
 */
const drivers = [await googleDriver(), await microsoftDriver()];

const occurrence = (m: Meeting, key: string) => m.org.api.get(`/v1/series/${m.seriesId}/occurrences/${key}`).expect(200);
const typesAt = (d: ProviderDriver, m: Meeting) =>
  d.receiver.at(m.path).map((r) => (JSON.parse(r.body) as { type: string }).type);

/** A meeting whose creation (and the syncs it caused) is over. */
async function ready(d: ProviderDriver, suffix: string, extra?: object): Promise<Meeting> {
  const m = await d.meeting(suffix, extra);
  await d.waitForType(m, 'series.created');
  await d.settle();
  return m;
}

describe.each(drivers.map((d) => [d.name, d] as const))('change pipeline through %s', (_name, d) => {
  it('cancel: one occurrence.cancelled, unexcused, from the provider', async () => {
    const m = await ready(d, 'cancel');
    d.cancel(m, KEYS[1]!);
    await d.waitForType(m, 'occurrence.cancelled');
    await d.settle();
    expect((await occurrence(m, KEYS[1]!)).body).toMatchObject({
      state: 'cancelled',
      cancellation: { excused: false },
      history: [{ source: d.name, change: 'cancelled' }],
    });
    expect(await d.outboxTypes(m)).toEqual(['series.created', 'occurrence.cancelled']);
  });

  it('move within the week: occurrence.moved, same week', async () => {
    const m = await ready(d, 'inweek');
    d.move(m, KEYS[0]!, '2026-10-21T15:00:00Z');
    await d.waitForType(m, 'occurrence.moved');
    await d.settle();
    expect((await occurrence(m, KEYS[0]!)).body).toMatchObject({
      state: 'moved',
      move: { start: '2026-10-21T15:00:00.000Z', minutesMoved: 1560, sameWeek: true },
    });
    expect(await d.outboxTypes(m)).toEqual(['series.created', 'occurrence.moved']);
  });

  it('move out of the week: occurrence.moved, another week', async () => {
    const m = await ready(d, 'outweek');
    d.move(m, KEYS[1]!, '2026-11-05T15:00:00Z');
    await d.waitForType(m, 'occurrence.moved');
    await d.settle();
    expect((await occurrence(m, KEYS[1]!)).body).toMatchObject({ state: 'moved', move: { sameWeek: false } });
    expect(await d.outboxTypes(m)).toEqual(['series.created', 'occurrence.moved']);
  });

  it('the rep declines one occurrence: occurrence.declined by the rep', async () => {
    const m = await ready(d, 'decline');
    d.decline(m, KEYS[2]!, m.rep.email);
    await d.waitForType(m, 'occurrence.declined');
    await d.settle();
    expect((await occurrence(m, KEYS[2]!)).body).toMatchObject({
      state: 'declined',
      decline: { by: [{ email: m.rep.email, role: 'rep' }] },
    });
    expect(await d.outboxTypes(m)).toEqual(['series.created', 'occurrence.declined']);
  });

  it('the series is deleted in the calendar: one series.cancelled and nothing per occurrence', async () => {
    const m = await ready(d, 'delete');
    d.deleteSeries(m);
    await d.waitForType(m, 'series.cancelled');
    await d.settle();
    expect((await m.org.api.get(`/v1/series/${m.seriesId}`).expect(200)).body).toMatchObject({
      status: 'cancelled',
      endReason: 'calendar_deleted',
    });
    expect(await d.outboxTypes(m)).toEqual(['series.created', 'series.cancelled']);
  });

  it('a notification delivered again changes nothing', async () => {
    const m = await ready(d, 'dup');
    d.cancel(m, KEYS[3]!);
    await d.waitForType(m, 'occurrence.cancelled');
    await d.settle();
    await d.redeliver(m);
    await d.redeliver(m);
    await d.settle();
    expect(await d.outboxTypes(m)).toEqual(['series.created', 'occurrence.cancelled']);
    expect(typesAt(d, m)).toEqual(['series.created', 'occurrence.cancelled']);
  });

  it('policy restore: the cancelled occurrence is put back on the calendar, and that is said once', async () => {
    const m = await ready(d, 'restore', { policy: 'restore' });
    d.cancel(m, KEYS[2]!);
    await d.waitForType(m, 'occurrence.restored');
    await d.settle();
    expect((await occurrence(m, KEYS[2]!)).body).toMatchObject({ state: 'restored' });
    expect(await d.outboxTypes(m)).toEqual(['series.created', 'occurrence.cancelled', 'occurrence.restored']);
    // the calendar's own report of the restored meeting is no new change
    await d.redeliver(m);
    await d.settle();
    expect(await d.outboxTypes(m)).toEqual(['series.created', 'occurrence.cancelled', 'occurrence.restored']);
  });
});
