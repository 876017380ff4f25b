import { afterAll, describe, expect, it } from 'vitest';
import { nextSequence } from '@cadence/scheduling/outbox/sequence';
import { insertOutboxEvent, ORPHAN_MARKER_MS } from '@cadence/scheduling/outbox/unfanned';
import { schedulingHarness } from '../harness/scheduling.js';
import { eventually, WebhookReceiver } from '../harness/webhook-receiver.js';
import { cancel, DOMAIN_NOW, KEYS, subscribe, weeklySeries } from './support.js';

const h = await schedulingHarness('webhooks_unfanned', {
  now: DOMAIN_NOW,
  webhooks: { retrySchedule: [0, 100], allowHttpLoopback: true, pollIntervalMs: 50, leaseMs: 5000 },
});
const { Outbox, OutboxUnfanned } = h.ctx.models;
const receiver = await WebhookReceiver.start();

const homework = (organizationId: string, id: string) => ({
  _id: id,
  organizationId,
  type: 'homework.overdue',
  seriesId: null,
  occurrenceKey: null,
  occurredAt: new Date('2026-11-02T09:00:00Z'),
  data: { homeworkId: id },
  createdAt: new Date(),
  sequence: nextSequence(),
});

// written before the workers start, the way events were written before markers existed
const legacy = await h.newOrg('Legacy');
await subscribe(legacy, `${receiver.url}/legacy`, ['homework.*']);
await Outbox.create({ ...homework(legacy.id, 'evt_legacy_1'), fannedOut: false });
await Outbox.create({ ...homework(legacy.id, 'evt_legacy_2'), fannedOut: false });

const workers = h.webhooks.start();
afterAll(() => workers.stop());

/** Leaves the workers time to send a duplicate, should they. */
const settle = () => new Promise((r) => setTimeout(r, 400));

describe('the fan-out works from markers of the events not yet fanned out', () => {
  it('delivers events written without a marker (before markers existed) once each, when it starts', async () => {
    await eventually('both events', () => (receiver.ids('/legacy').size === 2 ? true : undefined));
    await settle();
    expect(
      receiver
        .at('/legacy')
        .map((r) => r.id)
        .sort(),
    ).toEqual(['evt_legacy_1', 'evt_legacy_2']);
    for (const id of ['evt_legacy_1', 'evt_legacy_2']) {
      expect((await Outbox.findById(id).lean())!.fannedOut).toBe(true);
      expect(await OutboxUnfanned.exists({ _id: id })).toBeNull();
    }
  });

  it('delivers cancellations once each and leaves no marker behind', async () => {
    const org = await h.newOrg('Marked');
    const { seriesId } = await weeklySeries(org);
    await subscribe(org, `${receiver.url}/marked`, ['occurrence.cancelled']);
    for (const key of KEYS.slice(0, 3)) await cancel(org, seriesId, key);

    await eventually('three events', () => (receiver.ids('/marked').size === 3 ? true : undefined));
    await settle();
    expect(receiver.at('/marked')).toHaveLength(3);
    const events = await Outbox.find({ seriesId, type: 'occurrence.cancelled' }).sort({ sequence: 1 }).lean();
    expect(receiver.at('/marked').map((r) => r.id)).toEqual(events.map((e) => e._id));
    for (const e of events) {
      expect(e.fannedOut).toBe(true);
      expect(await OutboxUnfanned.exists({ _id: e._id })).toBeNull();
    }
  });

  it('waits for the event of a fresh marker, drops an old one whose event never came, and is not held up meanwhile', async () => {
    const org = await h.newOrg('Orphans');
    await subscribe(org, `${receiver.url}/orphans`, ['homework.*']);
    // a writer between its marker and its event; another that died there a while ago
    const inFlight = homework(org.id, 'evt_in_flight');
    const long = Date.now() - ORPHAN_MARKER_MS - 1000;
    await OutboxUnfanned.create({ _id: inFlight._id, sequence: inFlight.sequence, at: new Date() });
    await OutboxUnfanned.create({ _id: 'evt_never_written', sequence: nextSequence(), at: new Date(long) });
    await insertOutboxEvent(Outbox, homework(org.id, 'evt_behind_them'));

    await eventually('the event behind them', () => (receiver.ids('/orphans').has('evt_behind_them') ? true : undefined));
    await eventually('the old marker dropped', async () =>
      (await OutboxUnfanned.exists({ _id: 'evt_never_written' })) ? undefined : true,
    );
    expect(await OutboxUnfanned.exists({ _id: inFlight._id })).not.toBeNull();

    // the writer goes on: marker there already, then the event
    expect(await insertOutboxEvent(Outbox, inFlight)).toBe(true);
    await eventually('the late event', () => (receiver.ids('/orphans').has(inFlight._id) ? true : undefined));
    await settle();
    expect(receiver.at('/orphans').map((r) => r.id)).toEqual(['evt_behind_them', inFlight._id]);
    expect(await OutboxUnfanned.exists({ _id: inFlight._id })).toBeNull();
  });

  it('restarts the grace of a marker a writer finds there already, so it is not dropped under the event', async () => {
    const org = await h.newOrg('Retry');
    await subscribe(org, `${receiver.url}/retry`, ['homework.*']);
    const event = homework(org.id, 'evt_retried');
    const old = new Date(Date.now() - ORPHAN_MARKER_MS - 1000);
    // the first attempt died after the marker, long ago; the relay (or a caller) tries again
    await OutboxUnfanned.create({ _id: event._id, sequence: event.sequence, at: old });
    expect(await insertOutboxEvent(Outbox, event)).toBe(true);
    expect(await insertOutboxEvent(Outbox, event)).toBe(false);

    await eventually('the event', () => (receiver.ids('/retry').size === 1 ? true : undefined));
    await settle();
    expect(receiver.at('/retry')).toHaveLength(1);
    expect(await OutboxUnfanned.exists({ _id: event._id })).toBeNull();
    // written again once fanned out (a late retry): no marker is left for the fan-out to read
    expect(await insertOutboxEvent(Outbox, event)).toBe(false);
    expect(await OutboxUnfanned.exists({ _id: event._id })).toBeNull();
  });
});
