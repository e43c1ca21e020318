import { describe, expect, it } from 'vitest';
import type { EiaRow } from '../../src/core/contracts.js';
import { countRows, expectedSeries, generateRows, type SimQuery, type SimulatorOptions } from '../../src/simulator/index.js';
import { NOW } from './helpers.js';

const H = 3_600_000;
const opts: Partial<SimulatorOptions> = { nowMs: NOW };
const q = (dataset: SimQuery['dataset'], facets: SimQuery['facets'], start: number, end: number): SimQuery => ({ dataset, facets, startMs: start, endMs: end });
const rows = (query: SimQuery, o: Partial<SimulatorOptions> = opts): EiaRow[] => [...generateRows(query, o)];
const num = (r: EiaRow) => (r.value === null ? NaN : Number(r.value));

describe('countRows and generateRows (ground truth)', () => {
  it('matches the recordings: 169/845 (2023-01-01→08) and 49/245, 25/125 (2024) for PACW with inclusive T00 ends', () => {
    const d = { respondent: ['PACW'], type: ['D'] };
    const f = { respondent: ['PACW'] };
    expect(countRows(q('region-data', d, Date.UTC(2023, 0, 1), Date.UTC(2023, 0, 8) + H), opts)).toBe(169);
    expect(countRows(q('fuel-type-data', f, Date.UTC(2023, 0, 1), Date.UTC(2023, 0, 8) + H), opts)).toBe(845);
    expect(countRows(q('region-data', d, Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 3) + H), opts)).toBe(49);
    expect(countRows(q('fuel-type-data', f, Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 3) + H), opts)).toBe(245);
    expect(countRows(q('region-data', d, Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 2) + H), opts)).toBe(25);
    expect(countRows(q('fuel-type-data', f, Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 2) + H), opts)).toBe(125);
  });

  it('agrees with generateRows on a multi-respondent query with gaps', () => {
    const query = q('region-data', { respondent: ['MISO', 'PJM', 'PACW'] }, Date.UTC(2019, 0, 1), Date.UTC(2020, 0, 1));
    const r = rows(query);
    expect(r).toHaveLength(countRows(query, opts));
    expect(r.length).toBeLessThan(3 * 4 * 8760);
  });

  it('yields rows in full-sort order (period asc, then facet codes asc) with route key order', () => {
    const r = rows(q('fuel-type-data', { respondent: ['PACW', 'CISO'] }, Date.UTC(2023, 5, 1), Date.UTC(2023, 5, 2)));
    expect(Object.keys(r[0])).toEqual(['period', 'respondent', 'respondent-name', 'fueltype', 'type-name', 'value', 'value-units']);
    const keys = r.map((x) => `${x.period}|${x.respondent}|${x.fueltype}`);
    expect(keys).toEqual([...keys].sort());
    expect(r[0]).toMatchObject({ period: '2023-06-01T00', respondent: 'CISO', fueltype: 'COL', 'type-name': 'Coal' });
  });

  it('is deterministic per seed and differs across seeds', () => {
    const query = q('region-data', { respondent: ['ERCO'], type: ['D'] }, Date.UTC(2022, 0, 1), Date.UTC(2022, 0, 3));
    expect(rows(query)).toEqual(rows(query));
    expect(rows(query, { ...opts, seed: 2 }).map(num)).not.toEqual(rows(query).map(num));
  });

  it('serves nothing before 2019 and nothing for dead codes SPP and CARO', () => {
    expect(countRows(q('region-data', {}, Date.UTC(2012, 0, 1), Date.UTC(2019, 0, 1)), opts)).toBe(0);
    expect(countRows(q('region-data', { respondent: ['SPP', 'CARO'] }, Date.UTC(2019, 0, 1), Date.UTC(2026, 0, 1)), opts)).toBe(0);
  });
});

describe('series universe', () => {
  it('has PACW report exactly NG, OTH, SUN, WAT, WND in every year, with NG always "0"', () => {
    for (let y = 2019; y <= 2026; y++) expect(expectedSeries('fuel-type-data', 'PACW', y)).toEqual(['NG', 'OTH', 'SUN', 'WAT', 'WND']);
    const ng = rows(q('fuel-type-data', { respondent: ['PACW'], fueltype: ['NG'] }, Date.UTC(2019, 0, 1), Date.UTC(2019, 3, 1)));
    expect(new Set(ng.map((r) => r.value))).toEqual(new Set(['0']));
  });

  it('gives ERCO no OIL and CISO COL, NG, NUC, OIL, OTH, SUN, WAT, WND, GEO before the 2024 taxonomy change', () => {
    expect(expectedSeries('fuel-type-data', 'ERCO', 2023)).not.toContain('OIL');
    expect(expectedSeries('fuel-type-data', 'CISO', 2023)).toEqual(['COL', 'GEO', 'NG', 'NUC', 'OIL', 'OTH', 'SUN', 'WAT', 'WND']);
  });

  it('applies the 2024-07 taxonomy change to some BAs (new codes, dropped WAT for ISNE) and can turn it off', () => {
    expect(expectedSeries('fuel-type-data', 'CISO', 2025)).toContain('BAT');
    expect(expectedSeries('fuel-type-data', 'ISNE', 2025)).toContain('PS');
    expect(expectedSeries('fuel-type-data', 'ISNE', 2025)).not.toContain('WAT');
    expect(expectedSeries('fuel-type-data', 'ISNE', 2024)).toEqual(expect.arrayContaining(['PS', 'WAT']));
    expect(expectedSeries('fuel-type-data', 'CISO', 2025, { quirks: { taxonomyChange: false } })).not.toContain('BAT');
    const isne = rows(q('fuel-type-data', { respondent: ['ISNE'], fueltype: ['WAT', 'PS'] }, Date.UTC(2024, 5, 30, 22), Date.UTC(2024, 6, 1, 2)));
    expect(isne.map((r) => `${r.period} ${r.fueltype}`)).toEqual(['2024-06-30T22 WAT', '2024-06-30T23 WAT', '2024-07-01T00 PS', '2024-07-01T01 PS']);
  });

  it('keeps sub-BA codes as strings with leading zeros and has region-data D/DF/NG/TI', () => {
    expect(expectedSeries('region-sub-ba-data', 'MISO', 2020)).toContain('0001');
    expect(expectedSeries('region-sub-ba-data', 'ISNE', 2020)).toContain('4001');
    expect(expectedSeries('region-data', 'US48', 2020)).toEqual(['D', 'DF', 'NG', 'TI']);
    const sub = rows(q('region-sub-ba-data', { subba: ['0001'] }, Date.UTC(2020, 0, 1), Date.UTC(2020, 0, 1, 2)));
    expect(sub[0]).toMatchObject({ subba: '0001', parent: 'MISO', 'parent-name': 'Midcontinent Independent System Operator, Inc.' });
  });

  it('returns nothing for an unknown respondent or a year before 2019', () => {
    expect(expectedSeries('region-data', 'SPP', 2020)).toEqual([]);
    expect(expectedSeries('region-data', 'PACW', 2018)).toEqual([]);
  });
});

describe('data quirks (docs/eia-api.md §15.7)', () => {
  const y2019 = (facets: SimQuery['facets'], o = opts) => rows(q('region-data', facets, Date.UTC(2019, 0, 1), Date.UTC(2020, 0, 1)), o);

  it('omits single T05 hours for MISO and PJM in 2019 but never a PACW row in 2019–2025', () => {
    const miso = y2019({ respondent: ['MISO'], type: ['D'] });
    const have = new Set(miso.map((r) => r.period));
    const missing: string[] = [];
    for (let t = Date.UTC(2019, 0, 1); t < Date.UTC(2020, 0, 1); t += H) {
      const p = new Date(t).toISOString().slice(0, 13);
      if (!have.has(p)) missing.push(p);
    }
    expect(missing.length).toBeGreaterThan(0);
    expect(missing.filter((p) => p.endsWith('T05')).length).toBeGreaterThan(0);
    const pacw = { respondent: ['PACW'] };
    expect(countRows(q('region-data', pacw, Date.UTC(2019, 0, 1), Date.UTC(2026, 0, 1)), opts)).toBe(4 * (Date.UTC(2026, 0, 1) - Date.UTC(2019, 0, 1)) / H);
    expect(countRows(q('fuel-type-data', pacw, Date.UTC(2019, 0, 1), Date.UTC(2026, 0, 1)), opts)).toBe(5 * (Date.UTC(2026, 0, 1) - Date.UTC(2019, 0, 1)) / H);
  });

  it('produces runs of missing hours with missingRun and none with both missing rates at 0', () => {
    const facets = { respondent: ['ERCO', 'SWPP', 'NYIS'] };
    const full = 3 * 4 * 8760;
    const none = { ...opts, quirks: { missingHour: 0, missingRun: 0 } };
    expect(countRows(q('region-data', facets, Date.UTC(2019, 0, 1), Date.UTC(2020, 0, 1)), none)).toBe(full);
    const runs = { ...opts, quirks: { missingHour: 0, missingRun: 1 } };
    expect(full - countRows(q('region-data', facets, Date.UTC(2019, 0, 1), Date.UTC(2020, 0, 1)), runs)).toBeGreaterThan(12 * 2 * 12);
  });

  it('reproduces the documented one-offs: NYIS D 0 at 2019-04-18T04, PJM D 417669 at 2019-12-11T20', () => {
    const at = (resp: string, t: number) => rows(q('region-data', { respondent: [resp], type: ['D'] }, t, t + H))[0];
    expect(at('NYIS', Date.UTC(2019, 3, 18, 4)).value).toBe('0');
    expect(at('PJM', Date.UTC(2019, 11, 11, 20)).value).toBe('417669');
  });

  it('has null values at the configured rate, as present rows', () => {
    const r = y2019({ respondent: ['ERCO'], type: ['D'] }, { ...opts, quirks: { nullValue: 0.5, missingHour: 0, missingRun: 0 } });
    const nulls = r.filter((x) => x.value === null).length;
    expect(r).toHaveLength(8760);
    expect(nulls).toBeGreaterThan(8760 * 0.4);
    expect(nulls).toBeLessThan(8760 * 0.6);
  });

  it('has realistic shapes: PACW demand in the low thousands with a diurnal swing, negative night solar/wind', () => {
    const d = y2019({ respondent: ['PACW'], type: ['D'] }).map(num).filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
    const median = d[d.length >> 1];
    expect(median).toBeGreaterThan(2000);
    expect(median).toBeLessThan(3500);
    const day = rows(q('region-data', { respondent: ['PACW'], type: ['D'] }, Date.UTC(2019, 2, 5), Date.UTC(2019, 2, 6))).map(num);
    expect(Math.max(...day) / Math.min(...day)).toBeGreaterThan(1.1);
    const fuels = rows(q('fuel-type-data', { respondent: ['CAL', 'PACW'], fueltype: ['SUN', 'WND'] }, Date.UTC(2023, 0, 1), Date.UTC(2023, 1, 1))).map(num);
    expect(fuels.some((v) => v < 0)).toBe(true);
    expect(Math.min(...fuels.filter(Number.isFinite))).toBeGreaterThanOrEqual(-60);
  });

  it('spikes demand ×4–10 at the spike rate and makes identical runs of ≥ 3 hours', () => {
    const o = { ...opts, quirks: { spike: 0.01, identicalRun: 1, nullValue: 0 } };
    const d = y2019({ respondent: ['ERCO'], type: ['D'] }, o).map(num);
    const sorted = [...d].sort((a, b) => a - b);
    expect(sorted.filter((v) => v > 4 * sorted[sorted.length >> 1]).length).toBeGreaterThan(30);
    let runs = 0;
    for (let i = 2; i < d.length; i++) if (d[i] === d[i - 1] && d[i] === d[i - 2]) runs++;
    expect(runs).toBeGreaterThan(40);
  });

  it('ends each respondent 1–48 h (plus lagHours) before now: publication lag', () => {
    const now = Date.UTC(2025, 5, 1, 12);
    const facets = { respondent: ['ERCO', 'MISO', 'PJM', 'CISO', 'NYIS'], type: ['D'] };
    const last = new Map<string, string>();
    for (const r of rows(q('region-data', facets, now - 200 * H, now + 10 * H), { nowMs: now })) last.set(String(r.respondent), String(r.period));
    const lags = [...last.values()].map((p) => (now - 2 * H - Date.parse(`${p}:00:00Z`)) / H);
    for (const lag of lags) {
      expect(lag).toBeGreaterThanOrEqual(1);
      expect(lag).toBeLessThanOrEqual(48);
    }
    expect(new Set(lags).size).toBeGreaterThan(1);
    const noLag = { nowMs: now, quirks: { publicationLagMaxHours: 0, missingHour: 0, missingRun: 0 } };
    expect(countRows(q('region-data', facets, now - 10 * H, now + 10 * H), noLag)).toBe(5 * 9);
  });

  it('revises values newer than the horizon when the data version changes, and only those', () => {
    const now = Date.UTC(2025, 5, 1, 12);
    const later = now + 86_400_000;
    const facets = { respondent: ['ERCO', 'MISO'], type: ['D', 'NG'] };
    const window = q('region-data', facets, now - 30 * 24 * H, now);
    const o1 = { nowMs: now, quirks: { publicationLagMaxHours: 0 } };
    const o2 = { nowMs: later, quirks: { publicationLagMaxHours: 0 } };
    const a = rows(window, o1), b = rows(window, o2);
    const changed = a.filter((r, i) => r.value !== b[i].value).map((r) => Date.parse(`${r.period}:00:00Z`));
    expect(changed.length).toBeGreaterThan(10);
    for (const t of changed) expect(t).toBeGreaterThan(now - 72 * H);
  });

  it('shifts ISNE by +1 h inside the timestamp-shift window only', () => {
    const facets = { respondent: ['ISNE'], type: ['D'] };
    const shifted = rows(q('region-data', facets, Date.UTC(2021, 2, 2), Date.UTC(2021, 2, 2, 6)));
    const plain = rows(q('region-data', facets, Date.UTC(2021, 2, 2), Date.UTC(2021, 2, 2, 7)), { ...opts, quirks: { timestampShift: null } });
    expect(shifted.map(num)).toEqual(plain.slice(1).map(num));
  });

  it('makes interchange roughly antisymmetric across a pair, but not exactly', () => {
    const t0 = Date.UTC(2023, 3, 1), t1 = Date.UTC(2023, 3, 8);
    const ab = rows(q('interchange-data', { fromba: ['PACW'], toba: ['BPAT'] }, t0, t1)).map(num);
    const ba = rows(q('interchange-data', { fromba: ['BPAT'], toba: ['PACW'] }, t0, t1)).map(num);
    let exact = 0;
    for (let i = 0; i < ab.length; i++) {
      expect(Math.abs(ab[i] + ba[i])).toBeLessThanOrEqual(Math.abs(ab[i]) * 0.03 + 1);
      if (ab[i] === -ba[i]) exact++;
    }
    expect(exact).toBeLessThan(ab.length);
  });

  it('keeps Σ fuel within a few percent of NG and NG − TI ≈ D hour by hour, unless inconsistentTotals strikes', () => {
    const t0 = Date.UTC(2023, 2, 1), t1 = Date.UTC(2023, 2, 8);
    const clean = { ...opts, quirks: { inconsistentTotals: 0, nullValue: 0, spike: 0, zeroDemand: 0, negativeDemand: 0, identicalRun: 0 } };
    const deviations = (o: Partial<SimulatorOptions>) => {
      const region = rows(q('region-data', { respondent: ['ERCO'] }, t0, t1), o);
      const fuel = new Map<string, number>();
      for (const r of rows(q('fuel-type-data', { respondent: ['ERCO'] }, t0, t1), o)) fuel.set(String(r.period), (fuel.get(String(r.period)) ?? 0) + num(r));
      const by = (type: string) => new Map(region.filter((r) => r.type === type).map((r) => [String(r.period), num(r)]));
      const [d, ng, ti] = [by('D'), by('NG'), by('TI')];
      const fuelDev = [...ng].map(([p, v]) => Math.abs((fuel.get(p) ?? 0) - v) / v).sort((a, b) => a - b);
      const balDev = [...ng].map(([p, v]) => Math.abs(v - (ti.get(p) ?? 0) - (d.get(p) ?? 0)) / (d.get(p) ?? 1)).sort((a, b) => a - b);
      return { fuel: fuelDev[fuelDev.length >> 1], balance: balDev[balDev.length >> 1], fuelMax: fuelDev[fuelDev.length - 1] };
    };
    const c = deviations(clean);
    expect(c.fuel).toBeLessThan(0.03);
    expect(c.fuelMax).toBeLessThan(0.1);
    expect(c.balance).toBeLessThan(0.03);
    expect(deviations({ ...clean, quirks: { ...clean.quirks, inconsistentTotals: 1 } }).fuel).toBeGreaterThan(0.03);
  });
});
