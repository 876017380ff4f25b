import type { TestOrg } from '../harness/scheduling.js';

/** Tuesdays 09:00 New York from 2026-10-20: the keys of the first weeks (DST ends 2026-11-01). */
export const KEYS = ['20261020T130000Z', '20261027T130000Z', '20261103T140000Z', '20261110T140000Z', '20261117T140000Z'];

/** The clock the scheduling domain runs on in these tests (webhooks keep the real one). */
export const DOMAIN_NOW = () => new Date('2026-10-01T12:00:00Z');

export { weeklySeries } from '../harness/scheduling.js';

export const cancel = (org: TestOrg, seriesId: string, key: string, body: object = {}) =>
  org.api.post(`/v1/local-calendar/series/${seriesId}/occurrences/${key}/cancel`, body).expect(200);

export async function subscribe(org: TestOrg, url: string, eventTypes: string[] = ['occurrence.*']) {
  const res = await org.api.post('/v1/webhooks', { url, eventTypes }).expect(201);
  return res.body as { id: string; secret: string; url: string };
}

export interface DeliveryBody {
  id: string;
  eventId: string;
  status: string;
  attemptCount: number;
  attempts: { at: string; responseStatus: number | null; error: string | null; responseBody: string | null }[];
  nextAttemptAt: string | null;
  failureReason: string | null;
  replayedAt: string | null;
}

export async function deliveriesOf(org: TestOrg, webhookId: string): Promise<DeliveryBody[]> {
  const res = await org.api.get(`/v1/webhooks/${webhookId}/deliveries`).expect(200);
  return res.body.items as DeliveryBody[];
}
