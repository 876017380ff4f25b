import { describe, expect, it } from 'vitest';
import { outboxEventModel } from '@cadence/scheduling/outbox/models';
import { issueApiKey } from '@cadence/scheduling/organizations/api-keys';
import { organizationModels } from '@cadence/scheduling/organizations/models';
import { createOrganization } from '@cadence/scheduling/organizations/organizations';
import { useTestDatabase } from '../harness/database.js';
import { apiClient } from '../harness/loopback.js';
import { schedulingProcess } from '../harness/service-process.js';
import { eventually, WebhookReceiver } from '../harness/webhook-receiver.js';

const { conn, dbName, uri } = await useTestDatabase('webhooks_crash');
const receiver = await WebhookReceiver.start();

/** The scheduling service as its own process, fast webhook settings. */
const startService = () =>
  schedulingProcess({
    MONGODB_URI: uri,
    SCHEDULING_DB_NAME: dbName,
    WEBHOOK_RETRY_SCHEDULE: '0,200ms,200ms,500ms,1s',
    WEBHOOK_POLL_INTERVAL_MS: '50',
    WEBHOOK_TIMEOUT_MS: '1000',
    WEBHOOK_LEASE_MS: '2000',
    WEBHOOK_MAX_IN_FLIGHT: '4',
    OUTBOX_RELAY_INTERVAL_MS: '500',
  });

describe('a crash while deliveries are in flight', () => {
  it('loses nothing: SIGKILL, restart, and every event arrives at least once', async () => {
    const orgs = organizationModels(conn);
    const org = await createOrganization(orgs, 'Crashy');
    const { key } = await issueApiKey(orgs, org.id, 'test');
    let service = await startService();
    const api = apiClient(service.url, key);

    // a slow receiver keeps several deliveries in flight at any moment
    receiver.answer('/crash', () => ({ status: 200, delayMs: 150 }));
    await api('POST', '/v1/webhooks', { url: `${receiver.url}/crash`, eventTypes: ['occurrence.cancelled'] });
    const startDate = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    // series one after another (the first outbox sequence numbers are reserved then), cancellations side by side
    const series: string[] = [];
    for (let i = 0; i < 8; i++) {
      const person = (name: string, role: string) =>
        api('POST', '/v1/people', { name, email: `${name}${i}@example.com`, timeZone: 'Europe/Paris', roles: [role] });
      const [manager, rep] = [await person('boss', 'manager'), await person('rep', 'rep')];
      const created = await api('POST', '/v1/series', {
        managerId: manager.id,
        repId: rep.id,
        weekday: 'wednesday',
        startTime: '10:00',
        timeZone: 'Europe/Paris',
        startDate,
      });
      series.push(created.id as string);
    }
    await Promise.all(
      series.map(async (id) => {
        const occurrences = (await api('GET', `/v1/series/${id}/occurrences`)) as { items: { key: string }[] };
        for (const { key: occ } of occurrences.items.slice(0, 5)) {
          await api('POST', `/v1/local-calendar/series/${id}/occurrences/${occ}/cancel`, {});
        }
      }),
    );
    const events = await outboxEventModel(conn).find({ organizationId: org.id, type: 'occurrence.cancelled' }, { _id: 1 }).lean();
    expect(events).toHaveLength(40);

    await eventually(
      'deliveries under way',
      () => (receiver.at('/crash').length >= 6 && receiver.answering('/crash') > 0 ? true : undefined),
      20_000,
    );
    service.child.kill('SIGKILL');
    await new Promise((r) => service.child.once('exit', r));
    const beforeCrash = receiver.ids('/crash').size;
    expect(beforeCrash).toBeLessThan(40);

    service = await startService();
    const expected = events.map((e) => e._id);
    await eventually(
      'every event at the receiver',
      () => (expected.every((id) => receiver.ids('/crash').has(id)) ? true : undefined),
      30_000,
    );
    expect(receiver.ids('/crash').size).toBe(40);
    // at least once: the ones in flight at the kill may have come twice, nothing else
    expect(receiver.at('/crash').length - 40).toBeLessThanOrEqual(8);

    service.child.kill('SIGTERM');
    expect(await new Promise((r) => service.child.once('exit', (code) => r(code)))).toBe(0);
  }, 120_000);
});
