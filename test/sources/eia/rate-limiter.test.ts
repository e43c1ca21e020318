import { describe, expect, it } from 'vitest';
import { manualClock, systemClock } from '../../../src/core/clock.js';
import { isEtlError } from '../../../src/core/errors.js';
import { createRateLimiter } from '../../../src/sources/eia/rate-limiter.js';
import { maxInAnyWindow } from '../../../src/core/windows.js';

describe('rate limiter', () => {
  it('keeps every 1-s and every rolling-hour window within budget (manual clock)', async () => {
    const clock = manualClock(0);
    const limiter = createRateLimiter({ requestsPerHour: 40, requestsPerSecond: 5, concurrency: 5, marginMs: 25, clock });
    const starts: number[] = [];
    await Promise.all(Array.from({ length: 100 }, () => limiter.schedule(async () => void starts.push(clock.now()))));
    expect(starts).toHaveLength(100);
    expect(maxInAnyWindow(starts, 1000 + 25)).toBeLessThanOrEqual(5);
    expect(maxInAnyWindow(starts, 3_600_000 + 25)).toBeLessThanOrEqual(40);
    // 100 starts at 40/h need at least two full hours.
    expect(starts.at(-1)! - starts[0]).toBeGreaterThanOrEqual(2 * 3_600_000);
    expect(limiter.budgetUsed()).toBeLessThanOrEqual(40);
  });

  it('spaces starts by 1000/perSecond so bursts are smoothed', async () => {
    const clock = manualClock(0);
    const limiter = createRateLimiter({ requestsPerHour: null, requestsPerSecond: 5, concurrency: 5, marginMs: 5, clock });
    const starts: number[] = [];
    await Promise.all(Array.from({ length: 10 }, () => limiter.schedule(async () => void starts.push(clock.now()))));
    for (let i = 1; i < starts.length; i++) expect(starts[i] - starts[i - 1]).toBeGreaterThanOrEqual(200);
  });

  it('never runs more than `concurrency` jobs at once', async () => {
    const limiter = createRateLimiter({ requestsPerHour: null, requestsPerSecond: null, concurrency: 3 });
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 12 }, () =>
        limiter.schedule(async () => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, 40));
          running--;
        }),
      ),
    );
    expect(peak).toBe(3);
  });

  it('off mode (null limits) starts jobs without waiting', async () => {
    const clock = manualClock(1000);
    const limiter = createRateLimiter({ requestsPerHour: null, requestsPerSecond: null, concurrency: 50, clock });
    const starts: number[] = [];
    await Promise.all(Array.from({ length: 50 }, () => limiter.schedule(async () => void starts.push(clock.now()))));
    expect(new Set(starts)).toEqual(new Set([1000]));
    expect(limiter.budgetUsed()).toBe(50);
  });

  it('pauseUntil holds every start until the pause ends', async () => {
    const clock = manualClock(0);
    const limiter = createRateLimiter({ requestsPerHour: null, requestsPerSecond: 5, clock });
    limiter.pauseUntil(10_000);
    const t = await limiter.schedule(async () => clock.now());
    expect(t).toBe(10_000);
  });

  it('an aborted signal rejects with ETL_ABORTED and the job never runs', async () => {
    const limiter = createRateLimiter({ requestsPerHour: null, requestsPerSecond: 1, concurrency: 1, clock: systemClock });
    const ac = new AbortController();
    let ran = 0;
    const first = limiter.schedule(async () => void ran++);
    const second = limiter.schedule(async () => void ran++, ac.signal); // waits ~1 s for its turn
    ac.abort();
    await expect(second).rejects.toSatisfy((e) => isEtlError(e, 'ETL_ABORTED'));
    await first;
    await new Promise((r) => setTimeout(r, 20));
    expect(ran).toBe(1);
  });

  it('real time: a shrunk "hour" window is respected as a rolling window', async () => {
    const limiter = createRateLimiter({ requestsPerHour: 8, longWindowMs: 400, requestsPerSecond: 50, concurrency: 4, marginMs: 5 });
    const starts: number[] = [];
    await Promise.all(Array.from({ length: 20 }, () => limiter.schedule(async () => void starts.push(performance.now()))));
    expect(maxInAnyWindow(starts, 400)).toBeLessThanOrEqual(8);
    expect(maxInAnyWindow(starts, 1000)).toBeLessThanOrEqual(50);
  });
});
