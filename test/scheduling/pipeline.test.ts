import { describe, expect, it } from 'vitest';
import { listedKey } from '@cadence/scheduling/occurrences/recorded-keys';
import { healAndRelay, relayAllPending } from '@cadence/scheduling/outbox/relay-worker';
import { nextSequence } from '@cadence/scheduling/outbox/sequence';
import { schedulingHarness, weeklySeries } from '../harness/scheduling.js';

let now = new Date('2026-10-01T12:00:00Z');
const h = await schedulingHarness('pipeline', { now: () => now });
const org = await h.newOrg('Acme');

const newSeries = async (suffix: string) => (await weeklySeries(org, suffix)).series;
/** The key's write count and listed outcome (reports trust the outcome only at a count of 0). */
const listed = async (seriesId: string, key: string) => {
  const l = await listedKey(h.ctx.models, seriesId, key);
  return l && { writing: l.writing, state: l.outcome?.state };
};
const types = async (seriesId: string) =>
  (await h.ctx.models.Outbox.find({ seriesId }).sort({ sequence: 1 }).lean()).map((e) => `${e.type}@${e.occurrenceKey ?? ''}`);

describe('the change pipeline', () => {
  it('applies the same observation once, and ignores an older one that arrives late', async () => {
    const { id } = await newSeries('-dup');
    const key = '20261027T130000Z';
    const base = {
      seriesId: id,
      key,
      source: 'google' as const,
      start: new Date('2026-10-27T13:00:00Z'),
      end: new Date('2026-10-27T14:00:00Z'),
    };
    const cancelled = { ...base, status: 'cancelled' as const, revision: '2026-10-05T10:00:00.000Z' };
    await h.pipeline.observeInstance(cancelled);
    await h.pipeline.observeInstance(cancelled);
    await h.pipeline.observeInstance(cancelled);
    // a notification from before the cancellation, delivered late, must not reinstate it
    await h.pipeline.observeInstance({ ...base, status: 'confirmed', revision: '2026-10-05T09:00:00.000Z' });
    expect(await types(id)).toEqual(['series.created@', `occurrence.cancelled@${key}`]);
    const occ = await org.api.get(`/v1/series/${id}/occurrences/${key}`).expect(200);
    expect(occ.body.state).toBe('cancelled');
    expect(occ.body.history).toHaveLength(1);
    // a cancellation is counted as a write before its record is read: the repeats took theirs back
    expect(await listed(id, key)).toEqual({ writing: 0, state: 'cancelled' });

    // a newer confirmed revision means somebody put it back
    await h.pipeline.observeInstance({ ...base, status: 'confirmed', revision: '2026-10-06T09:00:00.000Z' });
    expect((await org.api.get(`/v1/series/${id}/occurrences/${key}`).expect(200)).body.state).toBe('restored');
    expect(await types(id)).toEqual(['series.created@', `occurrence.cancelled@${key}`, `occurrence.restored@${key}`]);
  });

  it('makes one event from concurrent identical observations', async () => {
    const { id } = await newSeries('-race');
    const obs = { seriesId: id, key: '20261103T140000Z', source: 'microsoft' as const, status: 'cancelled' as const };
    await Promise.all(Array.from({ length: 10 }, () => h.pipeline.observeInstance(obs)));
    expect(await types(id)).toEqual(['series.created@', 'occurrence.cancelled@20261103T140000Z']);
    // the nine that lost (or found nothing left to change) took their counts back
    expect(await listed(id, '20261103T140000Z')).toEqual({ writing: 0, state: 'cancelled' });
  });

  it('loses no concurrent change to one occurrence (each version is committed once, also on FerretDB)', async () => {
    const { id } = await newSeries('-concurrent');
    const key = '20261110T140000Z';
    const emails = Array.from({ length: 10 }, (_, i) => `guest${i}@example.com`);
    await Promise.all(
      emails.map((email) =>
        h.pipeline.observeInstance({ seriesId: id, key, source: 'google', status: 'confirmed', declinedBy: [email] }),
      ),
    );
    const occ = await org.api.get(`/v1/series/${id}/occurrences/${key}`).expect(200);
    expect(occ.body.decline.by.map((d: { email: string }) => d.email).sort()).toEqual([...emails].sort());
    expect(occ.body.history).toHaveLength(10);
    expect((await types(id)).filter((t) => t.startsWith('occurrence.declined'))).toHaveLength(10);
  });

  it('ignores instances the series does not plan', async () => {
    const { id } = await newSeries('-stray');
    expect(
      await h.pipeline.observeInstance({ seriesId: id, key: '20261028T130000Z', source: 'local', status: 'cancelled' }),
    ).toBeUndefined();
    expect(await types(id)).toEqual(['series.created@']);
  });

  it('copies events left on a document by a crash into the outbox, once', async () => {
    const { id } = await newSeries('-relay');
    await org.api.post(`/v1/local-calendar/series/${id}/occurrences/20261020T130000Z/cancel`, {}).expect(200);
    const event = await h.ctx.models.Outbox.findOne({ seriesId: id, type: 'occurrence.cancelled' }).lean();
    // simulate a crash between the state change and the outbox copy: the event only on the document
    await h.ctx.models.Outbox.deleteOne({ _id: event!._id });
    const { sequence, ...rest } = event!;
    await h.ctx.models.Occurrences.updateOne(
      { seriesId: id },
      {
        $set: {
          hasPendingEvents: true,
          pendingEvents: [
            {
              id: rest._id,
              organizationId: rest.organizationId,
              type: rest.type,
              seriesId: id,
              occurrenceKey: rest.occurrenceKey,
              occurredAt: rest.occurredAt,
              sequence,
              data: rest.data,
            },
          ],
        },
      },
    );
    expect(await types(id)).toEqual(['series.created@']);
    await relayAllPending(h.ctx.models);
    await relayAllPending(h.ctx.models);
    expect(await types(id)).toEqual(['series.created@', 'occurrence.cancelled@20261020T130000Z']);
    expect(await h.ctx.models.Occurrences.countDocuments({ seriesId: id, hasPendingEvents: true })).toBe(0);
  });
});

describe('a writer that dies halfway', () => {
  it('is finished by the relay: the journalled version lands and its event reaches the outbox', async () => {
    const { id } = await newSeries('-heal');
    await org.api.post(`/v1/local-calendar/series/${id}/occurrences/20261020T130000Z/cancel`, {}).expect(200);
    const doc = (await h.ctx.models.Occurrences.findOne({ seriesId: id }).lean())!;
    const event = {
      id: 'evt_heal_test_000000000000',
      organizationId: org.id,
      type: 'occurrence.restored',
      seriesId: id,
      occurrenceKey: doc.key,
      occurredAt: new Date(),
      sequence: nextSequence(),
      data: { test: true },
    };
    // the journal entry of version 2 was written, then the process died before updating the document
    await h.ctx.models.Journal.create({
      _id: `occurrences:${doc._id}@${doc.version + 1}`,
      set: {
        state: 'restored',
        restoredAt: new Date(),
        version: doc.version + 1,
        hasPendingEvents: true,
        pendingEvents: [event],
      },
      at: new Date(Date.now() - 30_000),
    });
    expect((await org.api.get(`/v1/series/${id}/occurrences/${doc.key}`)).body.state).toBe('cancelled');
    await healAndRelay(h.ctx.models, new Date());
    expect((await org.api.get(`/v1/series/${id}/occurrences/${doc.key}`)).body.state).toBe('restored');
    expect(await types(id)).toEqual(['series.created@', `occurrence.cancelled@${doc.key}`, `occurrence.restored@${doc.key}`]);
    // healing again changes nothing
    await healAndRelay(h.ctx.models, new Date());
    expect(await types(id)).toHaveLength(3);
  });
});

describe('changing and ending a series', () => {
  it('applies a new time from the next occurrence on and keeps the past', async () => {
    const { id } = await newSeries('-update');
    now = new Date('2026-10-28T12:00:00Z');
    const updated = await org.api
      .patch(`/v1/series/${id}`, { weekday: 'thursday', startTime: '15:30', location: 'Room 9' })
      .expect(200);
    expect(updated.body).toMatchObject({
      weekday: 'thursday',
      startTime: '15:30',
      location: 'Room 9',
      rrule: 'RRULE:FREQ=WEEKLY;BYDAY=TH',
    });
    expect(updated.body.history).toHaveLength(2);
    const occ = await org.api.get(`/v1/series/${id}/occurrences?from=2026-10-19&to=2026-11-14`).expect(200);
    expect(occ.body.items.map((o: { startLocal: string; state: string }) => `${o.startLocal} ${o.state}`)).toEqual([
      '2026-10-20T09:00:00-04:00 held',
      '2026-10-27T09:00:00-04:00 held',
      '2026-10-29T15:30:00-04:00 scheduled',
      '2026-11-05T15:30:00-05:00 scheduled',
      '2026-11-12T15:30:00-05:00 scheduled',
    ]);

    now = new Date('2026-11-06T12:00:00Z');
    const ended = await org.api.post(`/v1/series/${id}/end`).expect(200);
    expect(ended.body).toMatchObject({ status: 'ended', endReason: 'ended' });
    const after = await org.api.get(`/v1/series/${id}/occurrences?from=2026-10-19&to=2026-12-31`).expect(200);
    expect(after.body.items.map((o: { key: string }) => o.key)).toEqual([
      '20261020T130000Z',
      '20261027T130000Z',
      '20261029T193000Z',
      '20261105T203000Z',
    ]);
    await org.api.patch(`/v1/series/${id}`, { startTime: '10:00' }).expect(409);
    expect(await types(id)).toEqual(['series.created@', 'series.updated@', 'series.ended@']);
    now = new Date('2026-10-01T12:00:00Z');
  });
});
