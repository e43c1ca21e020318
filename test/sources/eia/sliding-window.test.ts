import { describe, expect, it } from 'vitest';
import { maxInAnyWindow } from '../../../src/core/windows.js';
import { SlidingWindowLog } from '../../../src/sources/eia/sliding-window.js';

/** Drive the log greedily: start as soon as allowed, `n` times; return the start times. */
function drive(log: SlidingWindowLog, n: number, t0 = 0): number[] {
  const out: number[] = [];
  let t = t0;
  for (let i = 0; i < n; i++) {
    t += log.delayMs(t);
    log.markSent(log.record(t), t);
    out.push(t);
  }
  return out;
}

describe('sliding-window log', () => {
  it('never lets any 1-s window (plus margin) hold more than the per-second limit', () => {
    const log = new SlidingWindowLog([{ windowMs: 1000, limit: 5 }], 25, 0);
    const starts = drive(log, 50);
    expect(maxInAnyWindow(starts, 1000 + 25)).toBe(5);
    // A burst of 5, then the 6th exactly 1,025 ms after the 1st.
    expect(starts.slice(0, 6)).toEqual([0, 0, 0, 0, 0, 1025]);
  });

  it('spaces starts by minSpacingMs', () => {
    const log = new SlidingWindowLog([{ windowMs: 1000, limit: 5 }], 25, 200);
    const starts = drive(log, 11);
    for (let i = 1; i < starts.length; i++) expect(starts[i] - starts[i - 1]).toBeGreaterThanOrEqual(200);
    expect(maxInAnyWindow(starts, 1025)).toBeLessThanOrEqual(5);
  });

  it('enforces the hourly window as a rolling window, not a fixed one', () => {
    const hour = 3_600_000;
    const log = new SlidingWindowLog([{ windowMs: 1000, limit: 5 }, { windowMs: hour, limit: 100 }], 25, 0);
    const starts = drive(log, 350);
    expect(maxInAnyWindow(starts, hour + 25)).toBe(100);
    expect(maxInAnyWindow(starts, 1025)).toBe(5);
    // The 101st start waits until the 1st leaves the window.
    expect(starts[100] - starts[0]).toBe(hour + 25);
  });

  it('counts a request that has not gone out yet as "now", and at its real send time once sent', () => {
    const log = new SlidingWindowLog([{ windowMs: 1000, limit: 1 }], 0, 0);
    const slow = log.record(0); // granted at 0, still connecting
    // It may reach the server any moment: it counts as "now", so the next start is a full window away.
    expect(log.delayMs(500)).toBe(1000);
    // Its headers went out at 600 (after a handshake): the window is counted from there, not from the grant.
    log.markSent(slow, 600);
    expect(log.delayMs(700)).toBe(1600 - 700);
    // Never sent (connect failed): it keeps its grant time.
    const log2 = new SlidingWindowLog([{ windowMs: 1000, limit: 1 }], 0, 0);
    log2.settle(log2.record(0));
    expect(log2.delayMs(300)).toBe(700);
  });

  it('holds every start until a pause ends', () => {
    const log = new SlidingWindowLog([], 0, 0);
    log.pauseUntil(5000);
    expect(log.delayMs(1000)).toBe(4000);
    expect(log.delayMs(6000)).toBe(0);
  });

  it('counts starts in the trailing window', () => {
    const log = new SlidingWindowLog([{ windowMs: 100, limit: 1e9 }]);
    for (const t of [0, 10, 50, 150]) log.settle(log.record(t));
    expect(log.countWithin(150, 100)).toBe(1);
    expect(log.countWithin(150, 130)).toBe(2);
    expect(log.countWithin(150, 141)).toBe(3);
  });
});
