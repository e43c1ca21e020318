/**
 * The perturbed universe (`perturb`, `--universe perturbed[:seed]`): deterministic changes to what the simulator
 * serves against the respondent table (extra and dropped fuels, late starts and early stops, decimal values), the
 * facet lists that follow it, and a ground truth (`seriesTruth`) that follows the generator. The table's universe
 * (no option) is untouched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATASETS, DATASET_INFO, type Dataset } from '../../src/core/catalog.js';
import { parseCliArgs } from '../../src/simulator/cli-args.js';
import { countRows, expectedSeries, generateRows, startSimulator, type SimulatorHandle, type SimulatorOptions } from '../../src/simulator/index.js';
import { respondentChange, resolvePerturbation } from '../../src/simulator/perturb.js';
import { allSeries } from '../../src/simulator/series.js';
import { seriesTruth, truthKey, type TruthSelection } from '../../src/simulator/truth.js';
import { KEY, NOW, dataQuery, get } from './helpers.js';

const PERTURBED: Partial<SimulatorOptions> = { nowMs: NOW, perturb: { seed: 1 } };
const TABLE: Partial<SimulatorOptions> = { nowMs: NOW };
const rows = (dataset: Dataset, facets: Record<string, string[]>, startMs: number, endMs: number, opts: Partial<SimulatorOptions>) =>
  [...generateRows({ dataset, facets, startMs, endMs }, opts)];
const codesOf = (rs: ReturnType<typeof rows>, key: string) => [...new Set(rs.map((r) => String(r[key])))].sort();

describe('the perturbed universe (seed 1)', () => {
  it('leaves the table universe as it was: no decimal series, the same series with perturb null or absent', () => {
    for (const d of DATASETS) {
      expect(allSeries(d).some((s) => s.decimals)).toBe(false);
      expect(allSeries(d, true, null)).toBe(allSeries(d));
    }
    const q = { dataset: 'fuel-type-data' as const, facets: { respondent: ['CAL', 'PACW'] }, startMs: Date.UTC(2025, 0, 1), endMs: Date.UTC(2025, 0, 3) };
    expect([...generateRows(q, { nowMs: NOW, perturb: null })]).toEqual([...generateRows(q, TABLE)]);
    expect([...generateRows(q, TABLE)].every((r) => r.value === null || /^-?\d+$/.test(String(r.value)))).toBe(true);
  });

  it('is deterministic in its seed and differs between seeds', () => {
    const p1 = resolvePerturbation({ seed: 1 });
    const again = resolvePerturbation({ seed: 1 });
    const p2 = resolvePerturbation({ seed: 2 });
    const listed = ['NG', 'OTH', 'SUN', 'WAT', 'WND'];
    expect(respondentChange(p1, 'PACW', listed)).toEqual(respondentChange(again, 'PACW', listed));
    expect(respondentChange(p1, 'PACW', listed)).not.toEqual(respondentChange(p2, 'PACW', listed));
  });

  it('gives PACW extra fuels the table does not list and a start in 2020-07; CAL loses WND; ERCO publishes 2019-10 → 2020-06 only', () => {
    // PACW: OES all along, GEO gained in 2025-09; nothing before 2020-07-01T01 on any route.
    expect(expectedSeries('fuel-type-data', 'PACW', 2024, TABLE)).toEqual(['NG', 'OTH', 'SUN', 'WAT', 'WND']);
    expect(expectedSeries('fuel-type-data', 'PACW', 2024, PERTURBED)).toEqual(['NG', 'OES', 'OTH', 'SUN', 'WAT', 'WND']);
    expect(expectedSeries('fuel-type-data', 'PACW', 2025, PERTURBED)).toContain('GEO');
    const pacw = rows('region-data', { respondent: ['PACW'], type: ['D'] }, Date.UTC(2020, 5, 30), Date.UTC(2020, 6, 2), PERTURBED);
    expect(pacw[0].period).toBe('2020-07-01T01');
    expect(countRows({ dataset: 'interchange-data', facets: { fromba: ['PACW'] }, startMs: Date.UTC(2019, 0, 1), endMs: Date.UTC(2020, 6, 1) }, PERTURBED)).toBe(0);
    // CAL: WND listed by the table, never served.
    const cal = rows('fuel-type-data', { respondent: ['CAL'] }, Date.UTC(2023, 0, 1), Date.UTC(2023, 0, 2), PERTURBED);
    expect(codesOf(cal, 'fueltype')).not.toContain('WND');
    expect(codesOf(rows('fuel-type-data', { respondent: ['CAL'] }, Date.UTC(2023, 0, 1), Date.UTC(2023, 0, 2), TABLE), 'fueltype')).toContain('WND');
    // ERCO: from 2019-10-01T01 to 2020-07-01T00.
    const erco = rows('region-data', { respondent: ['ERCO'], type: ['NG'] }, Date.UTC(2019, 0, 1), Date.UTC(2021, 0, 1), PERTURBED);
    expect(erco[0].period).toBe('2019-10-01T01');
    expect(erco[erco.length - 1].period).toBe('2020-07-01T00');
  });

  it('serves some series with 2-decimal values whose string is the shortest form of the number', () => {
    const rs = rows('fuel-type-data', { respondent: ['TEX', 'CAL', 'MISO'] }, Date.UTC(2025, 0, 1), Date.UTC(2025, 0, 8), PERTURBED);
    const decimal = rs.filter((r) => r.value !== null && String(r.value).includes('.'));
    expect(decimal.length).toBeGreaterThan(100);
    expect(decimal.length).toBeLessThan(rs.length);
    for (const r of decimal) {
      const s = String(r.value);
      expect(s).toMatch(/^-?\d+\.\d{1,2}$/);
      expect(String(Number(s))).toBe(s);
    }
  });

  it('keeps net generation the sum of the fuels it serves (within the model\'s ±2% and the inconsistent-totals quirk)', () => {
    const opts = { ...PERTURBED, quirks: { inconsistentTotals: 0, nullValue: 0, identicalRun: 0, revision: 0 } };
    const at = { startMs: Date.UTC(2025, 9, 1, 12), endMs: Date.UTC(2025, 9, 1, 13) };
    const fuels = rows('fuel-type-data', { respondent: ['PACW'] }, at.startMs, at.endMs, opts);
    expect(codesOf(fuels, 'fueltype')).toContain('GEO');
    const sum = fuels.reduce((a, r) => a + Number(r.value), 0);
    const ng = Number(rows('region-data', { respondent: ['PACW'], type: ['NG'] }, at.startMs, at.endMs, opts)[0].value);
    expect(Math.abs(ng - sum)).toBeLessThanOrEqual(0.03 * Math.abs(sum) + 10);
  });

  it('computes the ground truth from the perturbed generator: seriesTruth equals the rows enumerated, series by series', () => {
    const sels: TruthSelection[] = [
      { dataset: 'region-data', facets: { respondent: ['CAL', 'ERCO', 'MISO', 'PACW', 'TEX'], type: ['D', 'NG'] } },
      { dataset: 'fuel-type-data', facets: { respondent: ['CAL', 'ERCO', 'MISO', 'PACW', 'TEX'] } },
    ];
    const [start, end] = [Date.UTC(2020, 5, 20), Date.UTC(2020, 6, 10)];
    const t = seriesTruth(sels, start, end, PERTURBED);
    const want = new Map<string, number>();
    for (const sel of sels) {
      const info = DATASET_INFO[sel.dataset];
      for (const r of generateRows({ dataset: sel.dataset, facets: sel.facets, startMs: start, endMs: end }, PERTURBED)) {
        const k = truthKey(sel.dataset, String(r[info.respondentFacet]), String(r[info.seriesFacet]));
        want.set(k, (want.get(k) ?? 0) + 1);
      }
    }
    expect(new Map(t.perSeries)).toEqual(want);
    expect(t.perSeries.has(truthKey('fuel-type-data', 'PACW', 'OES'))).toBe(true);
    expect(t.perSeries.has(truthKey('fuel-type-data', 'CAL', 'WND'))).toBe(false);
    expect(t.total).not.toBe(seriesTruth(sels, start, end, TABLE).total);
  });

  it('parses --universe table | perturbed | perturbed:SEED and refuses anything else', () => {
    expect(parseCliArgs(['--universe', 'perturbed']).options.perturb).toEqual({ seed: 1 });
    expect(parseCliArgs(['--universe=perturbed:7']).options.perturb).toEqual({ seed: 7 });
    expect(parseCliArgs(['--universe', 'table']).options.perturb).toBeNull();
    expect(() => parseCliArgs(['--universe', 'wobbly'])).toThrow(/--universe expects table, perturbed or perturbed:SEED/);
  });

  describe('served', () => {
    let sim: SimulatorHandle;
    beforeAll(async () => {
      sim = await startSimulator({ ...PERTURBED, budget: null });
    });
    afterAll(async () => {
      await sim.close();
    });

    const facet = async (route: string, id: string) => {
      const res = await get(sim.baseUrl, `/v2/electricity/rto/${route}/facet/${id}?api_key=${KEY}`);
      expect(res.status).toBe(200);
      return (JSON.parse(res.text) as { response: { totalFacets: string; facets: { id: string }[] } }).response;
    };

    it('lists in its facets exactly the codes it serves', async () => {
      for (const route of DATASETS) {
        const [f1, f2] = DATASET_INFO[route].facets;
        const series = allSeries(route, true, resolvePerturbation({ seed: 1 }));
        for (const [id, pick] of [[f1, (s: (typeof series)[number]) => s.dim1], [f2, (s: (typeof series)[number]) => s.dim2]] as const) {
          const got = await facet(route, id);
          expect(got.facets.map((f) => f.id), `${route} ${id}`).toEqual([...new Set(series.map(pick))].sort());
          expect(Number(got.totalFacets)).toBe(got.facets.length);
        }
      }
      expect((await facet('fuel-type-data', 'fueltype')).facets.map((f) => f.id)).toContain('OES');
    });

    it('pages and values agree with generateRows, decimals included', async () => {
      const q = { dataset: 'fuel-type-data' as const, facets: { respondent: ['TEX'] }, startMs: Date.UTC(2025, 0, 1), endMs: Date.UTC(2025, 0, 2) };
      const res = await get(sim.baseUrl, `/v2/electricity/rto/fuel-type-data/data/?${dataQuery({
        api_key: KEY, frequency: 'hourly', 'data[0]': 'value', 'facets[respondent][]': ['TEX'], start: '2025-01-01T00', end: '2025-01-01T23',
        'sort[0][column]': 'period', 'sort[0][direction]': 'asc', 'sort[1][column]': 'respondent', 'sort[1][direction]': 'asc',
        'sort[2][column]': 'fueltype', 'sort[2][direction]': 'asc', length: 5000,
      })}`);
      expect(res.status).toBe(200);
      const body = JSON.parse(res.text) as { response: { total: string; data: Record<string, unknown>[] } };
      const want = [...generateRows(q, PERTURBED)];
      expect(Number(body.response.total)).toBe(want.length);
      expect(body.response.data).toEqual(want);
      expect(codesOf(want, 'fueltype')).toEqual(expect.arrayContaining(['GEO', 'OES']));
    });
  });
});
