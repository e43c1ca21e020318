import { describe, expect, it } from 'vitest';
import {
  DEFAULT_FOLLOW_SCHEDULE, healthOf, nextCycleAt, retryCycleDelayMs,
} from '../../../src/pipelines/follow/schedule.js';

const T = (h: number, m = 0, s = 0) => Date.UTC(2026, 11, 4, h, m, s);
const zero = () => 0;
const almostOne = () => 0.999999;

describe('nextCycleAt', () => {
  it('hourly: a few minutes past the next hour, plus up to the jitter', () => {
    expect(nextCycleAt(T(10, 30), DEFAULT_FOLLOW_SCHEDULE, zero)).toBe(T(11, 7));
    expect(nextCycleAt(T(10, 3), DEFAULT_FOLLOW_SCHEDULE, zero)).toBe(T(10, 7));
    expect(nextCycleAt(T(10, 7), DEFAULT_FOLLOW_SCHEDULE, zero)).toBe(T(11, 7));
    const late = nextCycleAt(T(10, 30), DEFAULT_FOLLOW_SCHEDULE, almostOne);
    expect(late).toBeGreaterThan(T(11, 8, 59));
    expect(late).toBeLessThan(T(11, 9));
  });
  it('fixed interval: from the last start, never in the past', () => {
    const s = { intervalMs: 2000, minutePastHour: 0, jitterMs: 0 };
    expect(nextCycleAt(T(10), s, zero)).toBe(T(10));
    expect(nextCycleAt(T(10, 0, 1), s, zero, T(10))).toBe(T(10, 0, 2));
    expect(nextCycleAt(T(10, 0, 5), s, zero, T(10))).toBe(T(10, 0, 5)); // a long cycle: the next starts at once
  });
});

describe('retryCycleDelayMs', () => {
  it('grows with failures and stays under the cap', () => {
    expect(retryCycleDelayMs(1, 1000, 60_000, almostOne)).toBeLessThanOrEqual(1000);
    expect(retryCycleDelayMs(4, 1000, 60_000, almostOne)).toBeGreaterThan(7000);
    expect(retryCycleDelayMs(20, 1000, 60_000, almostOne)).toBeLessThanOrEqual(60_000);
    expect(retryCycleDelayMs(3, 1000, 60_000, zero)).toBe(250);
  });
});

describe('healthOf', () => {
  it('200 while the last success is within two intervals, 503 after', () => {
    expect(healthOf(T(10, 0, 3), T(10), T(10, 0, 1), 2000).healthy).toBe(true);
    expect(healthOf(T(10, 0, 5), T(10), T(10, 0, 1), 2000).healthy).toBe(true);
    const stale = healthOf(T(10, 0, 6), T(10), T(10, 0, 1), 2000);
    expect(stale).toMatchObject({ healthy: false, ageMs: 5000 });
    expect(stale.reason).toMatch(/limit 4 s/);
  });
  it('a grace period of two intervals before the first success', () => {
    expect(healthOf(T(10, 0, 4), T(10), null, 2000).healthy).toBe(true);
    expect(healthOf(T(10, 0, 5), T(10), null, 2000).healthy).toBe(false);
  });
});
