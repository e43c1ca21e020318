import { describe, expect, it } from 'vitest';
import { planUnits } from '../../src/sources/eia/planner.js';
import { bulkCoverage, gaps, planHistorical, uncoveredJobs, union, type CoveredUnit } from '../../src/pipelines/file-coverage.js';
import type { Selection } from '../../src/core/catalog.js';

const H = 3_600_000;
const Y = (y: number) => Date.UTC(y, 0, 1);
let n = 0;
/** A bulk ledger unit: one route × respondent × year, naming the series it held. */
function bulk(dataset: string, facets: Record<string, string[]>, startMs: number, endMs: number, extra: Partial<CoveredUnit> = {}): CoveredUnit {
  return { id: `bulk-${dataset}-${new Date(startMs).getUTCFullYear()}-${n++}`, dataset, facets, startMs, endMs, open: false, frontierMs: null, ...extra };
}
const demand = (resp: string[], types = ['D']): Selection => ({ dataset: 'region-data', facets: { respondent: resp, type: types } });
const fuels = (resp: string[]): Selection => ({ dataset: 'fuel-type-data', facets: { respondent: resp } });

describe('intervals', () => {
  it('union joins overlapping and adjacent intervals; gaps is the range minus them', () => {
    expect(union([[5, 7], [0, 2], [2, 3], [6, 9]])).toEqual([[0, 3], [5, 9]]);
    expect(gaps(0, 10, [[0, 3], [5, 9]])).toEqual([[3, 5], [9, 10]]);
    expect(gaps(4, 6, [[0, 3], [5, 9]])).toEqual([[4, 5]]);
    expect(gaps(0, 10, [])).toEqual([[0, 10]]);
    expect(gaps(0, 10, [[-5, 20]])).toEqual([]);
  });
});

describe('the API plan around a bulk back-fill', () => {
  it('without bulk units in the ledger, plans exactly as before (same unit ids)', () => {
    const sels = [demand(['ERCO', 'PACW'], ['D', 'DF']), fuels(['ERCO', 'PACW'])];
    const apiUnit = { ...bulk('region-data', { respondent: ['PACW'], type: ['D'] }, Y(2019), Y(2020)), id: 'region-data-2019-abc' };
    const p = planHistorical(sels, Y(2019), Y(2022), [apiUnit], 48);
    expect(p.requestsWithoutBulk).toBeNull();
    expect(p.units.map((u) => u.id)).toEqual(planUnits(sels, Y(2019), Y(2022)).map((u) => u.id));
  });

  it('a respondent the file covered over the whole range is not fetched; the others are', () => {
    const cov = bulkCoverage([2019, 2020, 2021].map((y) => bulk('region-data', { respondent: ['PACW'], type: ['D'] }, Y(y), Y(y + 1))), 48);
    expect(uncoveredJobs([demand(['ERCO', 'PACW'])], Y(2019), Y(2022), cov)).toEqual([
      { selection: { dataset: 'region-data', facets: { respondent: ['ERCO'], type: ['D'] } }, startMs: Y(2019), endMs: Y(2022) },
    ]);
  });

  it('a bulk-only dataset in the ledger (the CO2 series) covers nothing an API run asks for', () => {
    expect(bulkCoverage([bulk('co2-emissions', { respondent: ['PACW'], type: ['CER'] }, Y(2019), Y(2020))], 48).size).toBe(0);
    const sels = [demand(['PACW'])];
    const co2 = bulk('co2-emissions', { respondent: ['PACW'], type: ['D'] }, Y(2019), Y(2020));
    expect(planHistorical(sels, Y(2019), Y(2020), [co2], 48).units.map((u) => u.id)).toEqual(planUnits(sels, Y(2019), Y(2020)).map((u) => u.id));
  });

  it('an open bulk unit covers only up to the revision horizon behind its frontier', () => {
    const frontier = Date.UTC(2021, 5, 30, 23);
    const cov = bulkCoverage(
      [
        bulk('region-data', { respondent: ['PACW'], type: ['D'] }, Y(2020), Y(2021)),
        bulk('region-data', { respondent: ['PACW'], type: ['D'] }, Y(2021), Y(2022), { open: true, frontierMs: frontier }),
      ],
      48,
    );
    expect(uncoveredJobs([demand(['PACW'])], Y(2020), Y(2022), cov)).toEqual([
      { selection: { dataset: 'region-data', facets: { respondent: ['PACW'], type: ['D'] } }, startMs: frontier + H - 48 * H, endMs: Y(2022) },
    ]);
  });

  it('a named series the file does not carry is fetched over the whole range, the covered ones only after it', () => {
    const cov = bulkCoverage([bulk('region-data', { respondent: ['PACW'], type: ['D', 'NG'] }, Y(2020), Date.UTC(2020, 6, 1))], 48);
    const jobs = uncoveredJobs([demand(['PACW'], ['D', 'DF', 'NG'])], Y(2020), Y(2021), cov)!;
    expect(jobs).toHaveLength(2);
    expect(jobs).toContainEqual({ selection: { dataset: 'region-data', facets: { respondent: ['PACW'], type: ['DF'] } }, startMs: Y(2020), endMs: Y(2021) });
    expect(jobs).toContainEqual({
      selection: { dataset: 'region-data', facets: { respondent: ['PACW'], type: ['D', 'NG'] } },
      startMs: Date.UTC(2020, 6, 1),
      endMs: Y(2021),
    });
  });

  it('a route without a series filter (every fuel) is covered where the file held any series of the respondent', () => {
    const cov = bulkCoverage(
      [
        bulk('fuel-type-data', { respondent: ['PACW'], fueltype: ['NG', 'SUN'] }, Y(2019), Y(2020)),
        bulk('fuel-type-data', { respondent: ['PACW'], fueltype: ['NG'] }, Y(2020), Y(2021)),
      ],
      48,
    );
    const p = planHistorical([fuels(['PACW'])], Y(2019), Y(2021), [], 48);
    expect(p.units.length).toBeGreaterThan(0);
    expect(uncoveredJobs([fuels(['PACW'])], Y(2019), Y(2021), cov)).toEqual([]);
  });

  it('end-of-range gaps that start within a week of each other share one query; a far earlier one keeps its own', () => {
    const t = Date.UTC(2026, 11, 3, 5);
    const units = [
      bulk('fuel-type-data', { respondent: ['ERCO'], fueltype: ['NG'] }, Y(2026), t),
      bulk('fuel-type-data', { respondent: ['MISO'], fueltype: ['NG'] }, Y(2026), t + 30 * H),
      bulk('fuel-type-data', { respondent: ['TEX'], fueltype: ['NG'] }, Y(2026), Date.UTC(2026, 5, 1)),
    ];
    const jobs = uncoveredJobs([fuels(['ERCO', 'MISO', 'TEX'])], Y(2026), Y(2027), bulkCoverage(units, 48))!;
    expect(jobs).toHaveLength(2);
    expect(jobs).toContainEqual({ selection: { dataset: 'fuel-type-data', facets: { respondent: ['ERCO', 'MISO'] } }, startMs: t, endMs: Y(2027) });
    expect(jobs).toContainEqual({ selection: { dataset: 'fuel-type-data', facets: { respondent: ['TEX'] } }, startMs: Date.UTC(2026, 5, 1), endMs: Y(2027) });
  });
});
