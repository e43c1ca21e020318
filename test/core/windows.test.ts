import { describe, expect, it } from 'vitest';
import { maxInAnyWindow, minSpan } from '../../src/core/windows.js';

describe('rolling-window counts', () => {
  it('maxInAnyWindow finds the densest half-open window', () => {
    expect(maxInAnyWindow([0, 999, 1000, 1500, 1999], 1000)).toBe(3);
    expect(maxInAnyWindow([0, 999, 1000, 1500, 1998], 1000)).toBe(4);
    expect(maxInAnyWindow([], 1000)).toBe(0);
    // Unsorted input is counted the same way.
    expect(maxInAnyWindow([1998, 0, 1500, 999, 1000], 1000)).toBe(4);
  });

  it('minSpan is the shortest span of n consecutive times, and agrees with maxInAnyWindow', () => {
    const t = [0, 300, 650, 900, 1400, 1500, 2600];
    expect(minSpan(t, 2)).toBe(100);
    expect(minSpan(t, 3)).toBe(600); // 900 → 1500
    expect(minSpan(t, 8)).toBe(Infinity);
    // Any 4 consecutive span ≥ 1000 ⇔ no window of 1000 holds 4.
    expect(minSpan(t, 4) >= 1000).toBe(maxInAnyWindow(t, 1000) <= 3);
  });
});
