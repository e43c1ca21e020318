import { describe, expect, it } from 'vitest';
import { partName, partSeq, partitionDir, planPartition, rowGroupSize, VECTOR_ROWS } from '../../src/store/parquet-layout.js';

describe('parquet layout', () => {
  it('names partitions hive-style by dataset and data year', () => {
    expect(partitionDir('/d', 'fuel-type-data', 2024)).toBe('/d/parquet/dataset=fuel-type-data/year=2024');
  });

  it('round-trips part file sequence numbers and ignores other names', () => {
    expect(partName(7)).toBe('part-000007.parquet');
    expect(partSeq(partName(123))).toBe(123);
    expect(partSeq('.part-000001.parquet.w.tmp')).toBeUndefined();
  });

  it('sizes row groups so every group of a file ≥ 100k rows holds ≥ 100k rows after vector rounding', () => {
    for (const rows of [100_000, 150_000, 199_999, 200_000, 204_800, 250_000, 999_999, 1_000_000, 2_345_678]) {
      const size = rowGroupSize(rows);
      expect(size % VECTOR_ROWS).toBe(0);
      const groups = Math.ceil(rows / size);
      const last = rows - (groups - 1) * size;
      expect(Math.min(size, last), `rows=${rows}`).toBeGreaterThanOrEqual(100_000);
    }
    expect(Math.ceil(50_000 / rowGroupSize(50_000))).toBe(1);
  });

  it('plans: untouched large files kept, touched large files rewritten alone, small files merged with the unit', () => {
    const plan = planPartition(
      [
        { name: 'a', rows: 100, removed: 0 },
        { name: 'b', rows: 100, removed: 10 },
        { name: 'c', rows: 20, removed: 0 },
        { name: 'd', rows: 100, removed: 60 },
        { name: 'e', rows: 30, removed: 30 },
      ],
      5,
      64,
    );
    expect(plan.rewrite.map((f) => f.name)).toEqual(['b']);
    expect(plan.merge.map((f) => f.name)).toEqual(['c', 'd', 'e']);
    expect(plan.mergedRows).toBe(5 + 20 + 40);
    expect(plan.emptied.map((f) => f.name)).toEqual(['e']);
  });

  it('caps the merged file: small files join smallest first up to the cap; a touched one past it is rewritten alone, an untouched one kept', () => {
    // A bulk unit of 50 rows removes a third of each of four API files of 90 (kept 60 < 64); cap 150.
    const files = ['p1', 'p2', 'p3', 'p4'].map((name) => ({ name, rows: 90, removed: 30 }));
    const plan = planPartition([...files, { name: 'q', rows: 10, removed: 0 }, { name: 'z', rows: 40, removed: 40 }], 50, 64, 150);
    expect(plan.mergedRows).toBe(50 + 10 + 60 + 0); // q (10) and p1 (60) fit; p2 would make 180
    expect(plan.merge.map((f) => f.name)).toEqual(['p1', 'q', 'z']);
    expect(plan.rewrite.map((f) => f.name)).toEqual(['p2', 'p3', 'p4']);
    expect(plan.emptied.map((f) => f.name)).toEqual(['z']);
    // Untouched small files past the cap stay as they are (a later commit merges them).
    const later = planPartition([{ name: 'a', rows: 60, removed: 0 }, { name: 'b', rows: 60, removed: 0 }], 100, 64, 150);
    expect(later.merge.map((f) => f.name)).toEqual([]);
    expect(later.rewrite).toEqual([]);
    expect(later.mergedRows).toBe(100);
    // The unit's own rows are never cut: alone over the cap, they are still one file.
    expect(planPartition([], 400, 64, 150).mergedRows).toBe(400);
  });

  it('plans no merged file when the unit and the small files have no rows left', () => {
    const plan = planPartition([{ name: 'x', rows: 10, removed: 10 }], 0, 64);
    expect(plan.mergedRows).toBe(0);
    expect(plan.merge.map((f) => f.name)).toEqual(['x']);
  });
});
