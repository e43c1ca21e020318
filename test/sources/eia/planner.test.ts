import { describe, expect, it } from 'vitest';
import { HOUR_MS, utcYear } from '../../../src/core/time.js';
import { isEtlError } from '../../../src/core/errors.js';
import {
  expectedRequests,
  mergeSelections,
  pagesFor,
  planUnits,
  splitWindow,
  unitId,
  yearSegments,
  type Selection,
} from '../../../src/sources/eia/planner.js';
import { dataParams } from '../../../src/sources/eia/query.js';
import { oldApproachPlan } from '../../../bench/lib/old-plan.js';

const REGIONS = ['PACW', 'ERCO', 'CAL', 'TEX', 'MISO'];
const DEFAULT_JOB: Selection[] = [
  { dataset: 'region-data', facets: { respondent: REGIONS, type: ['D'] } },
  { dataset: 'fuel-type-data', facets: { respondent: REGIONS } },
];
const START = Date.UTC(2019, 0, 1);
const END = Date.UTC(2026, 0, 1);

describe('planner', () => {
  it('is deterministic: the same inputs give the same unit ids, in the same order', () => {
    const a = planUnits(DEFAULT_JOB, START, END);
    const b = planUnits(structuredClone(DEFAULT_JOB), START, END);
    expect(a.map((u) => u.id)).toEqual(b.map((u) => u.id));
    expect(new Set(a.map((u) => u.id)).size).toBe(a.length);
    expect(a[0].id).toMatch(/^region-data-2019-[0-9a-f]{12}$/);
  });

  it('ids ignore facet code order but change with any facet, start or end', () => {
    const base = unitId('region-data', { respondent: ['PACW', 'ERCO'], type: ['D'] }, START, START + 24 * HOUR_MS);
    expect(unitId('region-data', { type: ['D'], respondent: ['ERCO', 'PACW'] }, START, START + 24 * HOUR_MS)).toBe(base);
    expect(unitId('region-data', { respondent: ['PACW'], type: ['D'] }, START, START + 24 * HOUR_MS)).not.toBe(base);
    expect(unitId('region-data', { respondent: ['PACW', 'ERCO'], type: ['D'] }, START, START + 25 * HOUR_MS)).not.toBe(base);
  });

  it('packs every respondent and series of a route into one query', () => {
    const merged = mergeSelections([
      { dataset: 'region-data', facets: { respondent: REGIONS, type: ['D'] } },
      { dataset: 'region-data', facets: { respondent: REGIONS, type: ['DF'] } },
      { dataset: 'fuel-type-data', facets: { respondent: ['PACW'] } },
      { dataset: 'fuel-type-data', facets: { respondent: ['ERCO'] } },
    ]);
    expect(merged).toEqual([
      { dataset: 'region-data', facets: { respondent: [...REGIONS].sort(), type: ['D', 'DF'] } },
      { dataset: 'fuel-type-data', facets: { respondent: ['ERCO', 'PACW'] } },
    ]);
  });

  it('does not merge selections whose union would fetch unrequested series', () => {
    const merged = mergeSelections([
      { dataset: 'region-data', facets: { respondent: ['PACW'], type: ['D'] } },
      { dataset: 'region-data', facets: { respondent: ['ERCO'], type: ['DF'] } },
    ]);
    expect(merged).toHaveLength(2);
  });

  it('tiles 2019-01-01T00 → 2026-01-01T00: every hour exactly once per series, no window straddles a year', () => {
    const units = planUnits(DEFAULT_JOB, START, END);
    const hours = (END - START) / HOUR_MS;
    for (const sel of mergeSelections(DEFAULT_JOB)) {
      const mine = units.filter((u) => u.dataset === sel.dataset);
      // Series = respondent × requested codes; every unit of the selection carries all of them.
      for (const u of mine) expect(u.facets).toEqual(sel.facets);
      const seen = new Uint8Array(hours);
      for (const u of mine) {
        expect(utcYear(u.startMs)).toBe(u.year);
        expect(utcYear(u.endMs - HOUR_MS)).toBe(u.year);
        for (let t = u.startMs; t < u.endMs; t += HOUR_MS) seen[(t - START) / HOUR_MS]++;
      }
      expect(seen.every((n) => n === 1)).toBe(true);
    }
  });

  it('sends start = first stamp and end = last stamp (endMs − 1 h), both explicit hours', () => {
    const [u] = planUnits([DEFAULT_JOB[0]], START, Date.UTC(2020, 0, 1));
    const p = Object.fromEntries(dataParams(u, 0, 5000));
    expect(p.start).toBe('2019-01-01T00');
    expect(p.end).toBe('2019-12-31T23');
  });

  it('splits a year into the fewest equal windows that keep each unit ≤ maxUnitRows', () => {
    const units = planUnits([DEFAULT_JOB[1]], START, Date.UTC(2020, 0, 1), { maxUnitRows: 150_000 });
    const perHour = 5 + 7 + 9 + 7 + 8; // built-in fuels: PACW, ERCO, CAL, TEX, MISO
    const n = Math.ceil((8760 * perHour) / 150_000);
    expect(units).toHaveLength(n);
    for (const u of units) expect(u.expectedRows).toBeLessThanOrEqual(150_000);
    const lengths = units.map((u) => (u.endMs - u.startMs) / HOUR_MS);
    expect(Math.max(...lengths) - Math.min(...lengths)).toBeLessThanOrEqual(1);
  });

  it('uses the injected estimator to size windows', () => {
    const units = planUnits([DEFAULT_JOB[0]], START, Date.UTC(2020, 0, 1), { estimateSeries: () => 100, maxUnitRows: 100_000 });
    expect(units).toHaveLength(Math.ceil((8760 * 100) / 100_000));
  });

  it('plans the default job at ≥ 4,500 rows per request, in fewer requests than the seed sent', () => {
    const units = planUnits(DEFAULT_JOB, START, END);
    const rows = units.reduce((n, u) => n + u.expectedRows, 0);
    const requests = expectedRequests(units);
    expect(requests).toBe(units.reduce((n, u) => n + pagesFor(u), 0));
    expect(rows / requests).toBeGreaterThanOrEqual(4500);
    // The seed: one request per region × type × 45-day batch, 2,557 days → 57 batches × 5 regions × 2 types.
    const old = oldApproachPlan(DEFAULT_JOB, { startMs: START, endMs: END });
    expect(old).toHaveLength(570);
    expect(requests).toBeLessThan(old.length);
  });

  it('splitWindow and yearSegments cut at whole hours and year boundaries', () => {
    expect(yearSegments({ startMs: Date.UTC(2019, 11, 31, 22), endMs: Date.UTC(2020, 0, 1, 2) })).toEqual([
      { year: 2019, startMs: Date.UTC(2019, 11, 31, 22), endMs: Date.UTC(2020, 0, 1) },
      { year: 2020, startMs: Date.UTC(2020, 0, 1), endMs: Date.UTC(2020, 0, 1, 2) },
    ]);
    const w = splitWindow({ startMs: 0, endMs: 10 * HOUR_MS }, 3);
    expect(w.map((x) => (x.endMs - x.startMs) / HOUR_MS)).toEqual([4, 3, 3]);
  });

  it('rejects a range that is not whole hours or is empty', () => {
    for (const [s, e] of [[START + 1, END], [END, START], [START, START]]) {
      let err: unknown;
      try {
        planUnits(DEFAULT_JOB, s, e);
      } catch (x) {
        err = x;
      }
      expect(isEtlError(err, 'ETL_CONFIG_INVALID')).toBe(true);
    }
  });
});
