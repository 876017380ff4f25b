import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { AgendaLinkClient } from '@cadence/shared/clients/agenda';
import { agendaHarness } from '../harness/agenda.js';

let agendaBase = '';
const h = await agendaHarness('link_on_create', { start: '2026-10-01T12:00:00Z', scheduling: { agendaUrl: () => agendaBase } });
agendaBase = h.agendaUrl;
const org = await h.newOrg('Acme');

describe('a new series', () => {
  it('gets its agenda link from the agenda service at creation, so the first invite carries it', async () => {
    const series = await h.newSeries(org, {
      weekday: 'tuesday',
      startTime: '09:00',
      timeZone: 'America/New_York',
      startDate: '2026-10-20',
    });
    expect(series.agendaUrl).toMatch(new RegExp(`^${h.agendaUrl}/a/[A-Za-z0-9_-]{43}$`));
    // the link opens this week's agenda page
    const page = await request(series.agendaUrl!).get('').expect(200);
    expect(page.text).toContain('Homework review');
    // the local calendar invite (feed) carries the link
    const feed = await org.scheduling.post(`/v1/people/${series.manager.id}/feed`).expect(201);
    const ics = await request(feed.body.url as string)
      .get('')
      .expect(200);
    expect(ics.text.replace(/\r\n /g, '')).toContain(`Agenda: ${series.agendaUrl}/20261020T130000Z`);
    // asking again (a retried create) returns the same link, not a second one
    const again = await new AgendaLinkClient(h.agendaUrl, h.internalToken).issue(org.id, series.id);
    expect(again).toBe(series.agendaUrl);
  });
});
