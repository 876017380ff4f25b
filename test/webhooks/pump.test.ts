import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '@cadence/shared/logging';
import { pump } from '@cadence/scheduling/webhooks/pump';

const logger = createLogger({ service: 'pump-test', level: 'silent' });
const HOUR = 3_600_000;
const GAP = 100;

/** A tick that stays under way until the test ends it. */
function controlledTicks() {
  const started: number[] = [];
  let finish: (() => void) | undefined;
  const tick = () => {
    started.push(Date.now());
    return new Promise<void>((resolve) => (finish = resolve));
  };
  return { started, tick, finish: () => finish?.() };
}

describe('webhook worker pump', () => {
  beforeEach(() => vi.useFakeTimers({ now: new Date('2026-11-02T10:00:00Z') }));
  afterEach(() => vi.useRealTimers());

  it('takes the wake-ups that came during a tick in one tick after the gap, and wakes a quiet worker at once', async () => {
    const t = controlledTicks();
    const worker = pump('test', HOUR, t.tick, logger, GAP);
    const t0 = Date.now();
    worker.kick();
    await vi.advanceTimersByTimeAsync(0);
    expect(t.started).toEqual([t0]);

    // a burst: five wake-ups while the first tick runs
    for (let i = 0; i < 5; i++) worker.kick();
    t.finish();
    await vi.advanceTimersByTimeAsync(GAP - 1);
    expect(t.started).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.started).toEqual([t0, t0 + GAP]);

    // nothing came during the second tick: the next wake-up runs without waiting
    t.finish();
    await vi.advanceTimersByTimeAsync(10 * GAP);
    expect(t.started).toHaveLength(2);
    worker.kick();
    await vi.advanceTimersByTimeAsync(0);
    expect(t.started).toEqual([t0, t0 + GAP, t0 + 11 * GAP]);
    t.finish();
    await worker.stop();
  });

  it('without a gap runs the next tick as soon as the last ends', async () => {
    const t = controlledTicks();
    const worker = pump('test', HOUR, t.tick, logger);
    worker.kick();
    await vi.advanceTimersByTimeAsync(0);
    worker.kick();
    t.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(t.started).toHaveLength(2);
    t.finish();
    await worker.stop();
  });

  it('stops during the gap without another tick', async () => {
    const t = controlledTicks();
    const worker = pump('test', HOUR, t.tick, logger, GAP);
    worker.kick();
    await vi.advanceTimersByTimeAsync(0);
    worker.kick();
    t.finish();
    await vi.advanceTimersByTimeAsync(1);
    // stop() resolves although the gap has not run out: it does not wait for the timer
    await worker.stop();
    await vi.advanceTimersByTimeAsync(GAP);
    expect(t.started).toHaveLength(1);
  });
});
