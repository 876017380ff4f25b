import { describe, expect, it } from 'vitest';
import { agendaHarness, agendaReplica, httpClient, occurrenceKeys } from '../harness/agenda.js';
import { serve } from '../harness/http.js';

const h = await agendaHarness('agenda_replica_writes', { start: '2026-03-02T12:00:00Z' });

// a second replica of the agenda service: its own connection to the same database
const replica = await agendaReplica(h, 'agenda-2');
const replicaUrl = (await serve(replica.app)).url;

const org = await h.newOrg('Acme');
const series = await h.newSeries(org, {
  weekday: 'tuesday',
  startTime: '09:00',
  timeZone: 'Europe/Berlin',
  startDate: '2026-03-03',
});
const [w1] = (await occurrenceKeys(org, series.id, '2026-03-01', '2026-03-08')) as [string];
const path = `/v1/series/${series.id}/occurrences/${w1}/agenda`;
const replicas = [org.agenda, httpClient(replicaUrl, { authorization: `Bearer ${org.key}` })];

describe('agenda writes on two replicas at once', () => {
  it('keeps every item a manager and a rep tick concurrently, on whichever replica', async () => {
    const items = ((await org.agenda.get(path).expect(200)).body.items as { id: string }[]).map((i) => i.id);
    expect(items.length).toBeGreaterThanOrEqual(4);
    // a few rounds: a lost update shows up in some interleavings only
    for (const round of [1, 2, 3]) {
      const change = (id: string, i: number) => ({ items: [{ id, covered: round % 2 === 1, note: `round ${round} note ${i}` }] });
      const results = await Promise.all(items.map((id, i) => replicas[i % 2]!.patch(path, change(id, i))));
      // a writer may be asked to try again (409); none may be lost silently
      expect(results.map((r) => r.status).filter((s) => s !== 200 && s !== 409)).toEqual([]);
      for (const [i, id] of items.entries()) {
        if (results[i]!.status === 409) await replicas[i % 2]!.patch(path, change(id, i)).expect(200);
      }
      const after = (await org.agenda.get(path).expect(200)).body as { items: { covered: boolean; note: string }[] };
      expect(after.items.map((i) => [i.covered, i.note])).toEqual(
        items.map((_, i) => [round % 2 === 1, `round ${round} note ${i}`]),
      );
    }
  });
});
