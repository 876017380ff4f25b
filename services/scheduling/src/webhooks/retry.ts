import type { SendOutcome } from './transport.js';

/** A Retry-After longer than this is treated as this (a day, the schedule's last step). */
const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

/** What happens to a delivery after an attempt. */
export type Decision =
  | { kind: 'succeeded' }
  /** 410 Gone: the receiver asks to stop; the delivery fails and the subscription is disabled. */
  | { kind: 'gone' }
  | { kind: 'retry'; at: Date }
  | { kind: 'exhausted' };

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(value: string | string[] | undefined, now: Date): number | null {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return null;
  if (/^\d+$/.test(text.trim())) return Number(text.trim()) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}

/** ±10 % so a receiver coming back is not hit by every delayed delivery in the same instant. */
export const jittered = (ms: number, random: () => number = Math.random) => Math.round(ms * (0.9 + 0.2 * random()));

/**
 * Decides after attempt number `attempt` (1-based, within the current round) of a schedule with
 * one entry per attempt: 2xx ends it, 410 stops it, anything else waits for the next entry —
 * or for `Retry-After` on 429 and 503 when that is longer — until the schedule runs out.
 */
export function decide(
  outcome: SendOutcome,
  attempt: number,
  schedule: readonly number[],
  now: Date,
  random?: () => number,
): Decision {
  const status = outcome.responseStatus;
  if (status !== null && status >= 200 && status < 300) return { kind: 'succeeded' };
  if (status === 410) return { kind: 'gone' };
  if (attempt >= schedule.length) return { kind: 'exhausted' };
  let delay = jittered(schedule[attempt]!, random);
  if (status === 429 || status === 503) {
    const asked = retryAfterMs(outcome.responseHeaders['retry-after'], now);
    if (asked !== null) delay = Math.max(delay, Math.min(asked, MAX_RETRY_AFTER_MS));
  }
  return { kind: 'retry', at: new Date(now.getTime() + delay) };
}
