import type { SchedulingConfig } from '@cadence/shared/config';

/** How webhooks are delivered; from config in production, compressed by tests. */
export interface WebhookSettings {
  /** Delay before each attempt (the first is the initial send); one attempt per entry. */
  retrySchedule: number[];
  timeoutMs: number;
  /** Deliveries in flight at once per subscription, across every replica. */
  maxInFlight: number;
  pollIntervalMs: number;
  /**
   * While events keep coming faster than fan-out passes end, each next pass waits this long and
   * takes what came meanwhile (pump.ts): a pass costs about eight database commands however few
   * events it carries. Not the sender's: it is held by `maxInFlight`, and a pause after every few
   * sends would cap a subscription's deliveries per second.
   */
  fanOutGapMs: number;
  /**
   * How often the replica holding the fan-out looks for events without being woken: a replica
   * wakes only its own fan-out when it writes an event, so one written on another replica waited
   * for `pollIntervalMs`. One read of the (small) marker collection when there is nothing.
   */
  fanOutPollMs: number;
  /** How long a claimed delivery belongs to its worker; must outlast a send. */
  leaseMs: number;
  /** Development and tests: allow `http://` and loopback targets. */
  allowHttpLoopback: boolean;
  /** CIDR ranges, addresses or host names that may be targeted although private. */
  allowedTargets: string[];
  /** A subscription whose every attempt has failed for this long is disabled. */
  disableAfterMs: number;
  /** Ended deliveries and fanned-out events are deleted this long after (outbox/retention.ts). */
  retentionMs: number;
}

const HOUR = 3_600_000;

/** The Standard Webhooks schedule: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h. */
export const STANDARD_RETRY_SCHEDULE = [
  0,
  5_000,
  300_000,
  1_800_000,
  2 * HOUR,
  5 * HOUR,
  10 * HOUR,
  14 * HOUR,
  20 * HOUR,
  24 * HOUR,
];

export const defaultWebhookSettings: WebhookSettings = {
  retrySchedule: STANDARD_RETRY_SCHEDULE,
  timeoutMs: 10_000,
  maxInFlight: 32,
  pollIntervalMs: 1_000,
  fanOutGapMs: 100,
  fanOutPollMs: 200,
  leaseMs: 60_000,
  allowHttpLoopback: false,
  allowedTargets: [],
  disableAfterMs: 5 * 24 * HOUR,
  retentionMs: 30 * 24 * HOUR,
};

export function webhookSettingsFrom(config: SchedulingConfig): WebhookSettings {
  return {
    retrySchedule: config.WEBHOOK_RETRY_SCHEDULE,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    maxInFlight: config.WEBHOOK_MAX_IN_FLIGHT,
    pollIntervalMs: config.WEBHOOK_POLL_INTERVAL_MS,
    fanOutGapMs: config.WEBHOOK_FAN_OUT_GAP_MS,
    fanOutPollMs: config.WEBHOOK_FAN_OUT_POLL_MS,
    leaseMs: config.WEBHOOK_LEASE_MS,
    allowHttpLoopback: config.WEBHOOK_ALLOW_HTTP_LOOPBACK,
    allowedTargets: config.WEBHOOK_ALLOWED_TARGETS,
    disableAfterMs: config.WEBHOOK_DISABLE_AFTER,
    retentionMs: config.WEBHOOK_RETENTION,
  };
}
