import { Webhook } from 'standardwebhooks';
import { afterAll, describe, expect, it } from 'vitest';
import { announceOverdue } from '@cadence/agenda/homework/overdue';
import { agendaHarness, agendaReplica, occurrenceKeys } from '../harness/agenda.js';
import { eventually, WebhookReceiver } from '../harness/webhook-receiver.js';

const h = await agendaHarness('agenda_overdue', {
  start: '2026-03-03T14:30:00Z',
  scheduling: {
    webhooks: { retrySchedule: [0, 100, 100], allowHttpLoopback: true, pollIntervalMs: 50, timeoutMs: 2000, leaseMs: 5000 },
  },
});
const workers = h.scheduling.webhooks.start();
afterAll(() => workers.stop());
const receiver = await WebhookReceiver.start();

// a second replica of the agenda service: its own connection to the same database
const replica = await agendaReplica(h, 'agenda-2');

const org = await h.newOrg('Acme');
const series = await h.newSeries(org, {
  weekday: 'tuesday',
  startTime: '09:00',
  timeZone: 'America/New_York',
  startDate: '2026-03-03',
});
const [w1] = (await occurrenceKeys(org, series.id, '2026-03-01', '2026-03-08')) as string[];
const hook = (
  await org.scheduling.post('/v1/webhooks', { url: `${receiver.url}/overdue`, eventTypes: ['homework.*'] }).expect(201)
).body as { id: string; secret: string };
const { url: agendaUrl } = (await org.agenda.post(`/v1/series/${series.id}/agenda-link`).expect(201)).body as { url: string };

describe('overdue homework', () => {
  it('raises exactly one signed homework.overdue webhook, however many replicas sweep', async () => {
    const assign = (body: object) => org.agenda.post(`/v1/series/${series.id}/occurrences/${w1}/homework`, body).expect(201);
    const late = (await assign({ title: 'Update the Contoso forecast', owner: 'rep' })).body;
    const done = (await assign({ title: 'Book the QBR', owner: 'manager' })).body;
    await assign({ title: 'Read the pricing memo', owner: 'rep', due: '2026-04-01T12:00:00Z' });
    await org.agenda.patch(`/v1/homework/${done.id}`, { status: 'done' }).expect(200);

    h.clock.set('2026-03-10T11:59:00Z');
    expect(await announceOverdue(h.agenda.ctx)).toBe(0);

    // past due: one hour before the next meeting (09:00 EDT = 13:00Z)
    h.clock.set('2026-03-10T12:00:01Z');
    const sweeps = await Promise.all([
      announceOverdue(h.agenda.ctx),
      announceOverdue(replica.ctx),
      announceOverdue(h.agenda.ctx),
    ]);
    expect(sweeps.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await announceOverdue(replica.ctx)).toBe(0);

    const [got] = await eventually('the overdue webhook', () =>
      receiver.at('/overdue').length ? receiver.at('/overdue') : undefined,
    );
    const payload = new Webhook(hook.secret).verify(got!.body, got!.headers as Record<string, string>) as Record<string, unknown>;
    expect(payload).toMatchObject({
      type: 'homework.overdue',
      timestamp: '2026-03-10T12:00:00.000Z',
      data: {
        organizationId: org.id,
        seriesId: series.id,
        occurrenceKey: w1,
        homework: { id: late.id, title: 'Update the Contoso forecast', owner: 'rep', due: '2026-03-10T12:00:00.000Z' },
        manager: { id: series.manager.id, name: series.manager.name, email: series.manager.email },
        rep: { id: series.rep.id, name: series.rep.name, email: series.rep.email },
        agendaUrl,
      },
    });
  });

  it('publishes the same event again after a crash between publishing and recording, and the receiver still gets one', async () => {
    // as if the process died after the scheduling service took the event
    await h.agenda.ctx.models.Homework.updateMany({}, { $set: { overdueNotifiedAt: null } });
    expect(await announceOverdue(replica.ctx)).toBe(1);
    // give a second delivery every chance to arrive (bounded)
    await new Promise((r) => setTimeout(r, 600));
    expect(receiver.at('/overdue')).toHaveLength(1);
    expect(receiver.ids('/overdue').size).toBe(1);
    const outbox = await h.scheduling.ctx.models.Outbox.find({ type: 'homework.overdue' }).lean();
    expect(outbox).toHaveLength(1);
  });
});
