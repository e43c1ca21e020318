import { describe, expect, it } from 'vitest';
import { etaSeconds } from '../../../src/sources/eia/eta.js';

const BASE = { requestsPerSecond: 5, requestsPerHour: 9000, concurrency: 8, marginMs: 50 };

describe('etaSeconds', () => {
  it('is the per-second bound for the default job: 546 requests at 5/s with a 50 ms margin ≈ 114.7 s', () => {
    expect(etaSeconds({ ...BASE, requests: 546 })).toBeCloseTo(114.66, 2);
  });

  it('is the concurrency bound when few requests are in flight: 100 × 1.2 s one at a time = 120 s', () => {
    expect(etaSeconds({ ...BASE, requests: 100, concurrency: 1 })).toBeCloseTo(120, 6);
    expect(etaSeconds({ ...BASE, requests: 100, concurrency: 1, latencyS: 3 })).toBeCloseTo(300, 6);
  });

  it('waits out whole hours past the hourly budget: 20,000 requests at 9,000/h ≥ 2 h', () => {
    expect(etaSeconds({ ...BASE, requests: 20_000 })).toBe(7200);
  });

  it('is 0 for nothing to send', () => {
    expect(etaSeconds({ ...BASE, requests: 0 })).toBe(0);
  });
});
