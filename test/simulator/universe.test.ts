import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESPONDENT_INFO, respondentCodes } from '../../src/core/respondents.js';
import { offlineRespondents } from '../../src/core/region-selection.js';
import { countRows, generateRows, startSimulator, type SimQuery, type SimulatorHandle } from '../../src/simulator/index.js';
import { KEY, get } from './helpers.js';

const NOW = Date.UTC(2026, 5, 1);
const opts = { nowMs: NOW };
const month = (y: number, m: number) => ({ startMs: Date.UTC(y, m, 1), endMs: Date.UTC(y, m + 1, 1) });
const count = (dataset: SimQuery['dataset'], facets: SimQuery['facets'], range: { startMs: number; endMs: number }) =>
  countRows({ dataset, facets, ...range }, opts);

/** EIA's generation-only BAs: the eleven of EIA's 2022 "about" page plus EEI (retired 2020) and SIKE (2025). */
const GENERATION_ONLY = ['AVRN', 'DEAA', 'EEI', 'GLHB', 'GRID', 'GRIF', 'GRMA', 'GWA', 'HGMA', 'SEPA', 'SIKE', 'WWA', 'YAD'];

describe('the simulated EIA-930 universe', () => {
  it('has 72 BAs, 14 regions and 9 foreign partners in the respondent table', () => {
    expect(respondentCodes('ba')).toHaveLength(72);
    expect(respondentCodes('region')).toHaveLength(14);
    expect(respondentCodes('foreign')).toHaveLength(9);
    expect(respondentCodes('ba').filter((c) => RESPONDENT_INFO[c].generationOnly).sort()).toEqual(GENERATION_ONLY);
  });

  it('serves demand and fuel rows for every BA with demand active in March 2024, and net generation for every active BA', () => {
    const march = month(2024, 2);
    const active = respondentCodes('ba').filter((c) => {
      const r = RESPONDENT_INFO[c];
      return (!r.activeFrom || r.activeFrom < '2024-03-01') && (!r.retiredOn || r.retiredOn > '2024-04-01');
    });
    expect(active.length).toBeGreaterThan(55);
    for (const c of active) {
      const ng = count('region-data', { respondent: [c], type: ['NG'] }, march);
      const fuel = count('fuel-type-data', { respondent: [c] }, march);
      const d = count('region-data', { respondent: [c], type: ['D'] }, march);
      expect(ng, `${c} NG`).toBeGreaterThan(700);
      expect(fuel, `${c} fuel`).toBeGreaterThan(700);
      if (RESPONDENT_INFO[c].generationOnly) expect(d, `${c} D`).toBe(0);
      else expect(d, `${c} D`).toBeGreaterThan(600);
    }
  });

  it('gives generation-only BAs NG and TI but no D and no DF rows', () => {
    const march = month(2024, 2);
    for (const c of ['AVRN', 'SEPA', 'YAD', 'DEAA']) {
      expect(count('region-data', { respondent: [c], type: ['D', 'DF'] }, march)).toBe(0);
      expect(count('region-data', { respondent: [c], type: ['TI'] }, march)).toBeGreaterThan(700);
    }
  });

  it('has rows of a retired BA only before its retirement, and of a new BA only from its start', () => {
    // EEI retired on 2020-02-29: its last hour-ending stamp is 2020-02-29T00.
    const eeiBefore = [...generateRows({ dataset: 'fuel-type-data', facets: { respondent: ['EEI'] }, startMs: Date.UTC(2020, 1, 28), endMs: Date.UTC(2020, 2, 2) }, opts)];
    expect(eeiBefore.length).toBeGreaterThan(0);
    expect(eeiBefore.every((r) => String(r.period) <= '2020-02-29T00')).toBe(true);
    expect(eeiBefore.some((r) => r.period === '2020-02-29T00')).toBe(true);
    expect(count('region-data', { respondent: ['EEI'] }, { startMs: Date.UTC(2020, 2, 1), endMs: NOW })).toBe(0);
    // AEC (retired 2021-09-01) and NSB (2020-01-08); OVEC, GRMA and WAUE retired before 2019: nothing at all.
    expect(count('region-data', { respondent: ['AEC'] }, month(2021, 7))).toBeGreaterThan(0);
    expect(count('region-data', { respondent: ['AEC', 'NSB'] }, { startMs: Date.UTC(2021, 8, 2), endMs: NOW })).toBe(0);
    expect(count('region-data', { respondent: ['OVEC', 'GRMA', 'WAUE'] }, { startMs: Date.UTC(2019, 0, 1), endMs: NOW })).toBe(0);
    // SIKE from 2025-06-01; GLHB from 2020-02-29 to 2022-09-01.
    expect(count('fuel-type-data', { respondent: ['SIKE'] }, { startMs: Date.UTC(2019, 0, 1), endMs: Date.UTC(2025, 5, 1, 1) })).toBe(0);
    expect(count('fuel-type-data', { respondent: ['SIKE'] }, month(2025, 6))).toBeGreaterThan(0);
    expect(count('region-data', { respondent: ['GLHB'] }, month(2019, 11))).toBe(0);
    expect(count('region-data', { respondent: ['GLHB'] }, month(2021, 5))).toBeGreaterThan(0);
    expect(count('region-data', { respondent: ['GLHB'] }, month(2022, 9))).toBe(0);
  });

  it('scales demand by BA: ISOs in tens of GW, a Florida municipal in tens to hundreds of MW', () => {
    const mean = (c: string) => {
      const v = [...generateRows({ dataset: 'region-data', facets: { respondent: [c], type: ['D'] }, ...month(2024, 2) }, opts)]
        .map((r) => Number(r.value)).filter((x) => Number.isFinite(x) && x > 0).sort((a, b) => a - b);
      return v[v.length >> 1];
    };
    for (const c of ['ERCO', 'MISO', 'PJM', 'TVA', 'SOCO']) expect(mean(c), c).toBeGreaterThan(15_000);
    for (const c of ['HST', 'GVL', 'TAL']) expect(mean(c), c).toBeLessThan(1_000);
  });

  it('lists foreign partners only as interchange counterparts', () => {
    const foreign = respondentCodes('foreign');
    const rows = [...generateRows({ dataset: 'interchange-data', facets: {}, startMs: Date.UTC(2024, 2, 1), endMs: Date.UTC(2024, 2, 1, 2) }, opts)];
    const froms = new Set(rows.map((r) => String(r.fromba)));
    const tos = new Set(rows.map((r) => String(r.toba)));
    for (const f of foreign.filter((c) => c !== 'CFE')) expect(tos.has(f), f).toBe(true);
    for (const f of foreign) expect(froms.has(f), f).toBe(false);
  });

  it('serves sub-BA rows for every BA the table marks as reporting subregion demand', () => {
    for (const c of respondentCodes('ba').filter((x) => RESPONDENT_INFO[x].subregionDemand)) {
      expect(count('region-sub-ba-data', { parent: [c] }, month(2024, 2)), c).toBeGreaterThan(0);
    }
  });

  it("keeps the default job's rows exactly as before the universe grew (checksum of three weeks across the history)", () => {
    const h = createHash('sha256');
    let n = 0;
    const respondent = ['PACW', 'ERCO', 'CAL', 'TEX', 'MISO'];
    const weeks = [[Date.UTC(2019, 0, 1), Date.UTC(2019, 0, 8)], [Date.UTC(2024, 5, 28), Date.UTC(2024, 6, 5)], [Date.UTC(2025, 11, 25), Date.UTC(2026, 0, 1)]];
    for (const [startMs, endMs] of weeks) {
      const queries: Pick<SimQuery, 'dataset' | 'facets'>[] = [{ dataset: 'region-data', facets: { respondent, type: ['D'] } }, { dataset: 'fuel-type-data', facets: { respondent } }];
      for (const q of queries) {
        for (const r of generateRows({ ...q, startMs, endMs }, { seed: 7, nowMs: NOW })) {
          h.update(JSON.stringify(r));
          n++;
        }
      }
    }
    // Computed with the simulator as it was before any respondent was added (the project's commit 5367af7).
    expect(n).toBe(22246);
    expect(h.digest('hex')).toBe('c881cfd3df34f344c87cf2e5d96ef9dd679dec53ec5a44383f2165521c69028e');
  });

  describe('the respondent facet endpoint', () => {
    let sim: SimulatorHandle;
    beforeAll(async () => {
      sim = await startSimulator({ nowMs: NOW, budget: null });
    });
    afterAll(async () => {
      await sim.close();
    });

    it('lists every BA and region of the offline table, nothing else, with names, on region-data and fuel-type-data', async () => {
      const offline = offlineRespondents().map((r) => r.code).sort();
      for (const route of ['region-data', 'fuel-type-data']) {
        const res = await get(sim.baseUrl, `/v2/electricity/rto/${route}/facet/respondent?api_key=${KEY}`);
        expect(res.status).toBe(200);
        const body = JSON.parse(res.text) as { response: { totalFacets: string; facets: { id: string; name: string; alias: string }[] } };
        expect(body.response.facets.map((f) => f.id)).toEqual(offline);
        expect(Number(body.response.totalFacets)).toBe(offline.length);
        const lgee = body.response.facets.find((f) => f.id === 'LGEE');
        expect(lgee?.name).toMatch(/^LG&E and KU Services Company as agent for /);
        expect(body.response.facets.find((f) => f.id === 'DUK')).toEqual({ id: 'DUK', name: 'Duke Energy Carolinas', alias: '(DUK) Duke Energy Carolinas' });
      }
    });
  });
});
