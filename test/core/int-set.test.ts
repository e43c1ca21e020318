import { describe, expect, it } from 'vitest';
import { IntSet } from '../../src/core/int-set.js';
import { seededInt } from '../support/random.js';

describe('IntSet', () => {
  it('agrees with a Set on integers inside and outside the bitmap, fractions, negatives and NaN', () => {
    const rand = seededInt(3);
    const s = new IntSet(1000, 100);
    const ref = new Set<number>();
    const values = () => {
      const k = rand(6);
      if (k === 0) return 1000 + rand(100); // in the bitmap
      if (k === 1) return 900 + rand(300); // around its edges
      if (k === 2) return 1000 + rand(100) + 0.5; // not an integer
      if (k === 3) return -rand(50);
      if (k === 4) return rand(20) === 0 ? Number.NaN : 1099;
      return 1100 + rand(10); // just past the end
    };
    for (let i = 0; i < 5000; i++) {
      const v = values();
      expect(s.has(v)).toBe(ref.has(v));
      expect(s.add(v)).toBe(!ref.has(v));
      ref.add(v);
    }
  });

  it('an empty or absurd span keeps everything in the Set', () => {
    for (const span of [0, -5, Number.NaN, Infinity]) {
      const s = new IntSet(0, span);
      expect(s.add(3)).toBe(true);
      expect(s.add(3)).toBe(false);
      expect(s.has(4)).toBe(false);
    }
  });
});
