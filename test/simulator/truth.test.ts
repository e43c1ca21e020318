import { describe, expect, it } from 'vitest';
import { DATASET_INFO } from '../../src/core/catalog.js';
import { generateRows, type SimulatorOptions } from '../../src/simulator/index.js';
import { seriesTruth, truthKey, type TruthSelection } from '../../src/simulator/truth.js';

const NOW = Date.UTC(2026, 1, 1);
const JOB: TruthSelection[] = [
  { dataset: 'region-data', facets: { respondent: ['ERCO', 'PACW'], type: ['D', 'NG'] } },
  { dataset: 'fuel-type-data', facets: { respondent: ['ERCO', 'PACW'] } },
];

/** Rows per series by enumerating every row the server would send for the whole selection. */
function enumerated(sels: readonly TruthSelection[], startMs: number, endMs: number, opts: Partial<SimulatorOptions>): Map<string, number> {
  const out = new Map<string, number>();
  for (const sel of sels) {
    const info = DATASET_INFO[sel.dataset];
    for (const r of generateRows({ dataset: sel.dataset, facets: sel.facets, startMs, endMs }, opts)) {
      const k = truthKey(sel.dataset, String(r[info.respondentFacet]), String(r[info.seriesFacet]));
      out.set(k, (out.get(k) ?? 0) + 1);
    }
  }
  return out;
}

describe('seriesTruth (ground truth per respondent × series over a whole range)', () => {
  it('equals the rows the generator enumerates, per series, across the 2024-07 taxonomy change and a year boundary', () => {
    for (const [start, end] of [
      [Date.UTC(2024, 5, 20), Date.UTC(2024, 6, 10)],
      [Date.UTC(2023, 11, 28), Date.UTC(2024, 0, 4)],
    ]) {
      const opts = { nowMs: NOW, seed: 11 };
      const t = seriesTruth(JOB, start, end, opts);
      const want = enumerated(JOB, start, end, opts);
      expect(new Map(t.perSeries)).toEqual(want);
      expect(t.total).toBe([...want.values()].reduce((a, b) => a + b, 0));
      expect(t.perDataset['region-data'] + t.perDataset['fuel-type-data']).toBe(t.total);
      expect(t.total).toBeGreaterThan(1000);
    }
  });

  it('counts only the requested region-data types and the series that exist in the range', () => {
    const t = seriesTruth([{ dataset: 'region-data', facets: { respondent: ['PACW'], type: ['D'] } }], Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 2), { nowMs: NOW });
    expect([...t.perSeries.keys()]).toEqual([truthKey('region-data', 'PACW', 'D')]);
    const fuels = seriesTruth([JOB[1]], Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 2), { nowMs: NOW });
    // BAT and SNB start with the 2024-07 taxonomy change: not in January.
    expect([...fuels.perSeries.keys()].some((k) => k.endsWith('|BAT') || k.endsWith('|SNB'))).toBe(false);
    const later = seriesTruth([JOB[1]], Date.UTC(2024, 7, 1), Date.UTC(2024, 7, 2), { nowMs: NOW });
    expect(later.perSeries.has(truthKey('fuel-type-data', 'ERCO', 'BAT'))).toBe(true);
  });

  it('stops at the simulated now (publication lag) and is empty before the history starts', () => {
    const now = Date.UTC(2024, 2, 1, 12);
    const t = seriesTruth([JOB[0]], Date.UTC(2024, 1, 28), Date.UTC(2024, 2, 5), { nowMs: now, lagHours: 0 });
    const full = seriesTruth([JOB[0]], Date.UTC(2024, 1, 28), Date.UTC(2024, 2, 5), { nowMs: NOW });
    expect(t.total).toBeLessThan(full.total);
    expect(seriesTruth([JOB[0]], Date.UTC(2015, 0, 1), Date.UTC(2016, 0, 1), { nowMs: NOW }).total).toBe(0);
  });

  it('needs the respondent facet', () => {
    expect(() => seriesTruth([{ dataset: 'fuel-type-data', facets: {} }], Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 2))).toThrow(/respondent/);
  });
});
