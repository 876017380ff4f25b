import { afterAll } from 'vitest';
import type { RunningServer } from '@cadence/shared/http';
import { serve } from '../harness/http.js';
import { schedulingHarness, type SchedulingHarness } from '../harness/scheduling.js';
import { WebhookReceiver } from '../harness/webhook-receiver.js';

/**
 * The scheduling service as the calendar tests run it: its own database, real HTTP on a loopback
 * port (consent callbacks and notifications come back to it), sync and webhook workers running
 * quickly, and a webhook receiver. `listening` fills in the addresses only known once it listens.
 */
export async function calendarService(
  label: string,
  deps: Parameters<typeof schedulingHarness>[1],
  listening: (server: RunningServer) => void,
): Promise<{ h: SchedulingHarness; server: RunningServer; receiver: WebhookReceiver }> {
  const h = await schedulingHarness(label, {
    sync: { pollMs: 100, leaseMs: 10_000 },
    webhooks: { retrySchedule: [0, 100, 100], allowHttpLoopback: true, pollIntervalMs: 50, timeoutMs: 2000, leaseMs: 5000 },
    ...deps,
  });
  const server = await serve(h.app);
  listening(server);
  h.sync.start();
  const webhookWorkers = h.webhooks.start();
  afterAll(async () => {
    await h.sync.stop();
    await webhookWorkers.stop();
  });
  const receiver = await WebhookReceiver.start();
  return { h, server, receiver };
}
