import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { googleOrg, googleSeries, googleSetup, KEYS, typesAt, waitForType } from './support.js';

const s = await googleSetup('google_lifecycle');

describe('Google Calendar, end to end through the emulator', () => {
  it('writes the series as one protected recurring event on the manager’s calendar', async () => {
    const { org, manager, rep } = await googleOrg(s, 'Acme', 'create');
    const series = await googleSeries(org, manager.id, rep.id);
    const event = s.emulator.getEventRaw(manager.email, series.calendar.eventId)!;
    expect(event).toMatchObject({
      status: 'confirmed',
      summary: '1:1 Mara Managercreate / Ray Repcreate',
      location: 'Room 4',
      recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=TU'],
      start: { timeZone: 'America/New_York' },
      attendees: [expect.objectContaining({ email: rep.email })],
      extendedProperties: { private: expect.objectContaining({ cadenceSeriesId: series.id, cadenceOrganizationId: org.id }) },
    });
    expect(event.guestsCanModify ?? false).toBe(false);
    expect(event.guestsCanInviteOthers).toBe(false);
    expect(new Date((event.start as { dateTime: string }).dateTime).toISOString()).toBe('2026-10-20T13:00:00.000Z');
    // the agenda link (issued by the agenda service) is written into the invite: description and source
    await org.api.put(`/v1/series/${series.id}/agenda-link`, { url: 'https://agenda.example.test/a/tok' }).expect(200);
    const linked = s.emulator.getEventRaw(manager.email, series.calendar.eventId)!;
    expect(linked.description).toContain('href="https://agenda.example.test/a/tok"');
    expect(linked.source).toEqual({ title: 'Cadence agenda', url: 'https://agenda.example.test/a/tok' });
    const connection = (await org.api.get('/v1/connections').expect(200)).body.items[0];
    expect(connection).toMatchObject({ provider: 'google', status: 'active', personId: manager.id });
    // the refresh token is sealed at rest
    const stored = await s.h.ctx.models.Connections.findById(connection.id).lean();
    expect(stored!.refreshTokenSealed).toMatch(/^v1\./);
  });

  it('turns a cancelled instance into one signed occurrence.cancelled webhook, driven by the push notification', async () => {
    const { org, manager, rep, hook, path } = await googleOrg(s, 'Acme', 'cancel');
    const series = await googleSeries(org, manager.id, rep.id);
    await waitForType(s, path, 'series.created');
    // the sync the insert itself caused must be over before counting
    await s.emulator.notificationsIdle();
    await s.h.sync.drain();
    s.emulator.clearCalls();
    s.emulator.cancelInstance(manager.email, series.calendar.eventId, KEYS[1]!);
    await waitForType(s, path, 'occurrence.cancelled');
    const got = s.receiver.at(path).find((r) => r.body.includes('occurrence.cancelled'))!;
    const payload = new Webhook(hook.secret).verify(got.body, got.headers as Record<string, string>) as {
      data: Record<string, unknown>;
    };
    expect(payload.data).toMatchObject({
      seriesId: series.id,
      occurrenceKey: KEYS[1],
      calendar: 'google',
      source: 'google',
      classification: { excused: false },
    });
    const apiCalls = s.emulator.calls.filter((c) => c.path.includes('/calendar/v3/'));
    // one incremental listing per cancellation; the access token from the series creation is reused
    expect(apiCalls.map((c) => `${c.method} ${c.path}`)).toEqual(['GET /calendar/v3/calendars/primary/events']);
    expect(s.emulator.calls.filter((c) => c.path === '/token')).toHaveLength(0);
    const occ = await org.api.get(`/v1/series/${series.id}/occurrences/${KEYS[1]}`).expect(200);
    expect(occ.body).toMatchObject({ state: 'cancelled', history: [{ source: 'google', change: 'cancelled' }] });
  });

  it('classifies a move, a decline, "this and following" and a deleted series', async () => {
    const { org, manager, rep, path } = await googleOrg(s, 'Acme', 'more');
    const series = await googleSeries(org, manager.id, rep.id);
    const id = series.calendar.eventId;
    s.emulator.moveInstance(manager.email, id, KEYS[0]!, '2026-10-21T15:00:00Z');
    await waitForType(s, path, 'occurrence.moved');
    s.emulator.declineInstance(manager.email, id, KEYS[2]!, rep.email);
    await waitForType(s, path, 'occurrence.declined');
    const moved = await org.api.get(`/v1/series/${series.id}/occurrences/${KEYS[0]}`).expect(200);
    expect(moved.body).toMatchObject({ state: 'moved', move: { minutesMoved: 1560, sameWeek: true } });
    const declined = await org.api.get(`/v1/series/${series.id}/occurrences/${KEYS[2]}`).expect(200);
    expect(declined.body).toMatchObject({ state: 'declined', decline: { by: [{ email: rep.email, role: 'rep' }] } });
    s.emulator.truncateSeries(manager.email, id, KEYS[4]!);
    await waitForType(s, path, 'series.truncated');
    expect((await org.api.get(`/v1/series/${series.id}`).expect(200)).body).toMatchObject({
      status: 'active',
      endDate: '2026-11-16',
    });
    s.emulator.deleteSeries(manager.email, id);
    await waitForType(s, path, 'series.cancelled');
    // deleting the series in Google ends it in Cadence: no future meetings, history kept
    expect((await org.api.get(`/v1/series/${series.id}`).expect(200)).body).toMatchObject({
      status: 'cancelled',
      endReason: 'calendar_deleted',
    });
    expect(typesAt(s, path)).toEqual([
      'series.created',
      'occurrence.moved',
      'occurrence.declined',
      'series.truncated',
      'series.cancelled',
    ]);
  });
});
