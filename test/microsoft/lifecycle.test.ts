import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { extendedPropertyId } from '@cadence/scheduling/calendars/microsoft/ids';
import { developmentSecretsKey, SecretBox } from '@cadence/shared/crypto/secret-box';
import { KEYS, microsoftOrg, microsoftSeries, microsoftSetup, outboxTypes, settle, typesAt, waitForType } from './support.js';

const s = await microsoftSetup('microsoft_lifecycle');

describe('Outlook, end to end through the Graph emulator', () => {
  it('writes the series as one protected recurring event in the manager’s calendar', async () => {
    const { org, manager, rep, userId } = await microsoftOrg(s, 'Acme', 'create');
    const series = await microsoftSeries(org, manager.id, rep.id);
    const event = s.emulator.getEventRaw(userId, series.calendar.eventId)!;
    expect(event).toMatchObject({
      type: 'seriesMaster',
      subject: '1:1 Mara Managercreate / Ray Repcreate',
      location: expect.objectContaining({ displayName: 'Room 4' }),
      recurrence: {
        pattern: expect.objectContaining({ type: 'weekly', interval: 1, daysOfWeek: ['tuesday'], firstDayOfWeek: 'monday' }),
        range: expect.objectContaining({ type: 'noEnd', startDate: '2026-10-20', recurrenceTimeZone: 'America/New_York' }),
      },
      attendees: [expect.objectContaining({ type: 'required', emailAddress: expect.objectContaining({ address: rep.email }) })],
      allowNewTimeProposals: false,
      isReminderOn: true,
      singleValueExtendedProperties: expect.arrayContaining([
        { id: extendedPropertyId('SeriesId'), value: series.id },
        { id: extendedPropertyId('OrganizationId'), value: org.id },
      ]),
    });
    // Graph writes UTC: 09:00 in New York on 20 October is 13:00Z
    expect(event.start).toMatchObject({ dateTime: '2026-10-20T13:00:00.0000000', timeZone: 'UTC' });
    // the agenda link (issued by the agenda service) lands in the HTML body
    await org.api.put(`/v1/series/${series.id}/agenda-link`, { url: 'https://agenda.example.test/a/tok' }).expect(200);
    const linked = s.emulator.getEventRaw(userId, series.calendar.eventId)! as { body: { contentType: string; content: string } };
    expect(linked.body.contentType).toBe('html');
    expect(linked.body.content).toContain('href="https://agenda.example.test/a/tok"');
    const instances = await s.h.microsoft!.provider.listInstances(
      await s.h.pipeline.loadSeries(series.id),
      new Date('2026-10-19T00:00:00Z'),
      new Date('2026-11-18T00:00:00Z'),
    );
    expect(instances.map((i) => i.originalStart)).toEqual([
      '2026-10-20T13:00:00Z',
      '2026-10-27T13:00:00Z',
      '2026-11-03T14:00:00Z',
      '2026-11-10T14:00:00Z',
      '2026-11-17T14:00:00Z',
    ]);
    const connection = (await org.api.get('/v1/connections').expect(200)).body.items[0];
    expect(connection).toMatchObject({
      provider: 'microsoft',
      status: 'active',
      personId: manager.id,
      accountEmail: manager.email,
    });
    const stored = await s.h.ctx.models.Connections.findById(connection.id).lean();
    expect(stored!.refreshTokenSealed).toMatch(/^v1\./);
    // neither the refresh token nor any subscription's clientState is readable in a collection or the logs
    const refreshToken = new SecretBox(developmentSecretsKey()).open(stored!.refreshTokenSealed, stored!._id);
    const secrets = [refreshToken, ...s.emulator.subscriptions().map((x) => x.clientState!)];
    const db = s.h.ctx.models.Connections.db.db!;
    const everything = [s.h.logs.text()];
    for (const c of await db.listCollections().toArray())
      everything.push(JSON.stringify(await db.collection(c.name).find().toArray()));
    for (const secret of secrets) expect(everything.some((text) => text.includes(secret))).toBe(false);
    // one subscription on the mailbox's events
    const subs = s.emulator.subscriptions().filter((x) => x.userId === userId);
    expect(subs).toHaveLength(1);
    expect(subs[0]).toMatchObject({ resource: '/me/events', changeType: 'created,updated,deleted' });
  });

  it('turns a cancelled occurrence into one signed occurrence.cancelled webhook, driven by the change notification', async () => {
    const { org, manager, rep, hook, path, userId } = await microsoftOrg(s, 'Acme', 'cancel');
    const series = await microsoftSeries(org, manager.id, rep.id);
    await waitForType(s, path, 'series.created');
    // the syncs the creation itself caused must be over before counting
    await settle(s);
    const before = s.emulator.calls.length;
    s.emulator.cancelOccurrence(userId, series.calendar.eventId, KEYS[1]!);
    await waitForType(s, path, 'occurrence.cancelled');
    const got = s.receiver.at(path).find((r) => r.body.includes('occurrence.cancelled'))!;
    const payload = new Webhook(hook.secret).verify(got.body, got.headers as Record<string, string>) as {
      data: Record<string, unknown>;
    };
    expect(payload.data).toMatchObject({
      seriesId: series.id,
      occurrenceKey: KEYS[1],
      calendar: 'microsoft',
      source: 'microsoft',
      classification: { excused: false },
    });
    await settle(s);
    const name = (c: { method: string; path: string }) => `${c.method} ${c.path.replace(/events\/[^/?]+/, 'events/{id}')}`;
    const graph = s.emulator.calls.slice(before).filter((c) => c.path.startsWith('/v1.0/') && !c.path.endsWith('/delta'));
    // after a delta round (Graph notifies the occurrence and its master, so a second, empty round may
    // follow), one batch: a look at the master (still there: not a deleted series) and one at the
    // occurrence (gone)
    expect(graph.filter((c) => !c.inBatch).map(name)).toEqual(['POST /v1.0/$batch']);
    expect(
      graph
        .filter((c) => c.inBatch)
        .map((c) => `${name(c)} ${c.status}`)
        .sort(),
    ).toEqual(['GET /v1.0/me/events/{id} 200', 'GET /v1.0/me/events/{id} 404']);
    const rounds = s.emulator.calls.slice(before).filter((c) => c.path.startsWith('/v1.0/') && !c.inBatch);
    expect(name(rounds[0]!)).toBe('GET /v1.0/me/calendarView/delta');
    expect(rounds.filter((c) => c.path.endsWith('/delta')).length).toBeLessThanOrEqual(2);
    // the access token from the series' creation is reused
    expect(s.emulator.calls.slice(before).filter((c) => c.path.endsWith('/token'))).toHaveLength(0);
    const occ = await org.api.get(`/v1/series/${series.id}/occurrences/${KEYS[1]}`).expect(200);
    expect(occ.body).toMatchObject({ state: 'cancelled', history: [{ source: 'microsoft', change: 'cancelled' }] });
    expect(typesAt(s, path)).toEqual(['series.created', 'occurrence.cancelled']);
  });

  it('classifies a move, a decline by the rep and a deleted series, one webhook each', async () => {
    const { org, manager, rep, path, userId } = await microsoftOrg(s, 'Acme', 'more');
    const series = await microsoftSeries(org, manager.id, rep.id);
    const id = series.calendar.eventId;
    await waitForType(s, path, 'series.created');
    await settle(s);
    s.emulator.moveOccurrence(userId, id, KEYS[0]!, '2026-10-21T15:00:00Z');
    await waitForType(s, path, 'occurrence.moved');
    s.emulator.declineOccurrence(userId, id, KEYS[2]!, rep.email);
    await waitForType(s, path, 'occurrence.declined');
    const moved = await org.api.get(`/v1/series/${series.id}/occurrences/${KEYS[0]}`).expect(200);
    expect(moved.body).toMatchObject({ state: 'moved', move: { minutesMoved: 1560, sameWeek: true } });
    const declined = await org.api.get(`/v1/series/${series.id}/occurrences/${KEYS[2]}`).expect(200);
    expect(declined.body).toMatchObject({ state: 'declined', decline: { by: [{ email: rep.email, role: 'rep' }] } });
    s.emulator.deleteSeries(userId, id);
    await waitForType(s, path, 'series.cancelled');
    await settle(s);
    expect((await org.api.get(`/v1/series/${series.id}`).expect(200)).body).toMatchObject({
      status: 'cancelled',
      endReason: 'calendar_deleted',
    });
    // every occurrence left Graph with the series: one series.cancelled, no occurrence.cancelled
    expect(typesAt(s, path)).toEqual(['series.created', 'occurrence.moved', 'occurrence.declined', 'series.cancelled']);
  });

  it('rewrites the masters when the series changes: the old one ends where the new one begins, nothing read as a cancellation', async () => {
    const { org, manager, rep, path, userId } = await microsoftOrg(s, 'Acme', 'update');
    const series = await microsoftSeries(org, manager.id, rep.id);
    await waitForType(s, path, 'series.created');
    await settle(s);
    const first = series.calendar.eventId;
    // three weeks on (two meetings held), the meeting moves to Thursdays from now on
    s.clock.advance(21 * 24 * 3600_000);
    const updated = await org.api.patch(`/v1/series/${series.id}`, { weekday: 'thursday' }).expect(200);
    await settle(s);
    // the new rule segment has a master of its own, remembered under the segment, and the series names it
    const second = (await s.h.microsoft!.items.findById(`seg:${series.id}:1`).lean())!.masterId!;
    expect(second).not.toBe(first);
    expect(updated.body.calendar.eventId).toBe(second);
    expect((await org.api.get(`/v1/series/${series.id}`).expect(200)).body.calendar.eventId).toBe(second);
    expect(s.emulator.getEventRaw(userId, first)).toMatchObject({
      recurrence: { range: expect.objectContaining({ type: 'endDate', startDate: '2026-10-20', endDate: '2026-10-20' }) },
    });
    expect(s.emulator.getEventRaw(userId, second)).toMatchObject({
      recurrence: {
        pattern: expect.objectContaining({ daysOfWeek: ['thursday'] }),
        range: expect.objectContaining({ type: 'noEnd', startDate: '2026-10-22' }),
      },
    });
    const types = await outboxTypes(s, series.id);
    expect(types.filter((t) => t.startsWith('occurrence.') || t === 'series.cancelled' || t === 'series.truncated')).toEqual([]);
  });
});
