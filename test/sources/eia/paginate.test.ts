import { describe, expect, it } from 'vitest';
import { DATASET_INFO } from '../../../src/core/catalog.js';
import type { PageEnvelope } from '../../../src/core/contracts.js';
import { remainingOffsets, UnitKeySet, UnitTally } from '../../../src/sources/eia/paginate.js';
import { rowKeyOf } from '../../../src/sources/eia/query.js';
import { seededInt } from '../../support/random.js';

const env = (total: number, rows: Array<[string, string, string]>): PageEnvelope => ({
  total,
  rows: rows.map(([period, respondent, type]) => ({ period, respondent, type, value: '1' })),
  warnings: [],
  apiVersion: '2.1.8',
  frequency: 'hourly',
  dateFormat: null,
});
const rowsFor = (from: number, n: number): Array<[string, string, string]> =>
  Array.from({ length: n }, (_, i) => [`2024-01-01T${String((from + i) % 24).padStart(2, '0')}`, `R${Math.floor((from + i) / 24)}`, 'D']);

describe('paging', () => {
  it('after the first page the remaining offsets are known: 5000, 10000, … below total', () => {
    expect(remainingOffsets(12_001, 5000, 5000)).toEqual([5000, 10_000]);
    expect(remainingOffsets(10_000, 5000, 5000)).toEqual([5000]);
    expect(remainingOffsets(5000, 5000, 5000)).toEqual([]);
    expect(remainingOffsets(0, 0, 5000)).toEqual([]);
  });

  it('stops defensively when the first page is empty although total > 0', () => {
    expect(remainingOffsets(9000, 0, 5000)).toEqual([]);
  });

  it('follows a server that silently caps pages below the requested length', () => {
    expect(remainingOffsets(1000, 300, 5000)).toEqual([300, 600, 900]);
  });

  it('accepts pages that add up to total with distinct keys', () => {
    const t = new UnitTally('u', 'region-data');
    expect(t.addPage(0, env(50, rowsFor(0, 30)))).toEqual({ ok: true });
    expect(t.addPage(30, env(50, rowsFor(30, 20)))).toEqual({ ok: true });
    expect(t.finish()).toEqual({ ok: true });
    expect([t.pages, t.rows, t.expectedTotal]).toEqual([2, 50, 50]);
  });

  it('reports a key repeated across different pages', () => {
    const t = new UnitTally('u', 'region-data');
    t.addPage(0, env(50, rowsFor(0, 30)));
    const check = t.addPage(30, env(50, rowsFor(29, 21)));
    expect(check.ok).toBe(false);
    expect(!check.ok && check.reason).toMatch(/repeated across pages/);
  });

  it('tolerates a key repeated within one page (left to downstream dedupe)', () => {
    const t = new UnitTally('u', 'region-data');
    expect(t.addPage(0, env(2, [['2024-01-01T00', 'A', 'D'], ['2024-01-01T00', 'A', 'D']]))).toEqual({ ok: true });
  });

  it('reports rows that do not add up to total, naming expected and got', () => {
    const t = new UnitTally('u', 'region-data');
    t.addPage(0, env(60, rowsFor(0, 30)));
    t.addPage(30, env(60, rowsFor(30, 20)));
    expect(t.finish()).toEqual({ ok: false, reason: 'expected 60 rows (total), got 50' });
  });

  it('reports a total that changes between pages, and an empty page before total', () => {
    const a = new UnitTally('u', 'region-data');
    a.addPage(0, env(60, rowsFor(0, 30)));
    expect(a.addPage(30, env(61, rowsFor(30, 30))).ok).toBe(false);
    const b = new UnitTally('u', 'region-data');
    b.addPage(0, env(60, rowsFor(0, 30)));
    expect(b.addPage(30, env(60, [])).ok).toBe(false);
  });
});

describe('UnitKeySet, the compact key store of the tally', () => {
  it('agrees with a Set of period|a|b strings on random rows, malformed periods, non-string codes, periods inside and outside the window', () => {
    const rand = seededInt(7);
    const periods = ['2024-01-01T00', '2024-01-01T01', '2024-02-29T23', '2019-01-01T00', '2024-01-01T24', '2024-1-01T00', '', '2024-01-01T00-07'];
    const codes: unknown[] = ['PACW', 'ERCO', 'NG', 'D', 1, '1', null, 'PACW '];
    const windows = [undefined, { startMs: Date.UTC(2024, 0, 1), endMs: Date.UTC(2024, 0, 1, 2) }]; // bitmap for 00, 01
    for (const dataset of ['region-data', 'fuel-type-data', 'interchange-data', 'region-sub-ba-data'] as const)
    for (const window of windows) {
      const compact = new UnitKeySet(dataset, window);
      const strings = new Set<string>();
      const keyOf = rowKeyOf(dataset);
      const [a, b] = DATASET_INFO[dataset].facets;
      for (let i = 0; i < 3000; i++) {
        const row: Record<string, unknown> = { period: rand(10) === 0 ? 42 : periods[rand(periods.length)], [a]: codes[rand(codes.length)], [b]: codes[rand(codes.length)] };
        expect(compact.has(row)).toBe(strings.has(keyOf(row)));
        if (rand(2) === 0) {
          compact.add(row);
          strings.add(keyOf(row));
        }
      }
    }
  });

  it('tells apart keys that differ only in one facet or in the period, and names a repeated key', () => {
    const k = new UnitKeySet('fuel-type-data');
    k.add({ period: '2024-01-01T00', respondent: 'PACW', fueltype: 'NG' });
    expect(k.has({ period: '2024-01-01T00', respondent: 'PACW', fueltype: 'NG' })).toBe(true);
    expect(k.has({ period: '2024-01-01T00', respondent: 'PACW', fueltype: 'SUN' })).toBe(false);
    expect(k.has({ period: '2024-01-01T00', respondent: 'PACE', fueltype: 'NG' })).toBe(false);
    expect(k.has({ period: '2024-01-01T01', respondent: 'PACW', fueltype: 'NG' })).toBe(false);
    expect(k.keyText({ period: '2024-01-01T00', respondent: 'PACW', fueltype: 'NG' })).toBe('2024-01-01T00|PACW|NG');
  });
});
