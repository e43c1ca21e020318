/**
 * Paging and ordering over HTTP (docs/eia-api.md §6, §15.5): full-sort pages concatenate to exactly `total` distinct
 * rows equal to `generateRows`; under-sorted paging with unstable ties duplicates and misses rows; the default and
 * other orders.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, generateRows, startSimulator, type SimulatorHandle } from '../../src/simulator/index.js';
import { KEY, NOW, dataQuery, get } from './helpers.js';

interface Env { response: { total: string; data: Record<string, unknown>[] } }
const REGION = '/v2/electricity/rto/region-data/data/';
const FULL_SORT = {
  'sort[0][column]': 'period', 'sort[0][direction]': 'asc', 'sort[1][column]': 'respondent', 'sort[1][direction]': 'asc',
  'sort[2][column]': 'type', 'sort[2][direction]': 'asc',
};

async function page(sim: SimulatorHandle, parts: Record<string, string | number | readonly string[]>): Promise<Env> {
  const r = await get(sim.baseUrl, `${REGION}?${dataQuery({ ...parts, api_key: KEY })}`);
  expect(r.status).toBe(200);
  return JSON.parse(r.text) as Env;
}
const ident = (r: Record<string, unknown>) => `${r.period}|${r.respondent}|${r.type}`;

describe('paging', () => {
  let sim: SimulatorHandle;
  beforeAll(async () => {
    sim = await startSimulator({ nowMs: NOW, budget: null });
  });
  afterAll(async () => {
    expect(sim.unknownPathCount).toBe(0);
    await sim.close();
  });

  it('concatenates full-sort pages of a 2019–2025 multi-BA query to exactly total distinct rows, equal to generateRows', async () => {
    const respondents = ['MISO', 'PACW', 'PJM'];
    const types = ['D'];
    const parts = { frequency: 'hourly', 'data[0]': 'value', 'facets[respondent][]': respondents, 'facets[type][]': types, start: '2019-01-01T00', end: '2025-12-31T23', ...FULL_SORT, length: 5000 };
    const first = await page(sim, { ...parts, offset: 0 });
    const total = Number(first.response.total);
    const query = { dataset: 'region-data' as const, facets: { respondent: respondents, type: types }, startMs: Date.UTC(2019, 0, 1), endMs: Date.UTC(2026, 0, 1) };
    expect(total).toBe(countRows(query, { nowMs: NOW }));
    expect(total).toBeGreaterThan(180_000);
    expect(total).toBeLessThan(3 * 61_368);
    const got: Record<string, unknown>[] = [...first.response.data];
    for (let offset = got.length; offset < total; offset = got.length) {
      const p = await page(sim, { ...parts, offset });
      expect(p.response.data.length).toBeGreaterThan(0);
      got.push(...p.response.data);
    }
    expect(got).toHaveLength(total);
    expect(new Set(got.map(ident)).size).toBe(total);
    let i = 0;
    for (const want of generateRows(query, { nowMs: NOW })) {
      if (i % 997 === 0 || i === total - 1) expect(got[i]).toEqual(want);
      i++;
    }
    expect(i).toBe(total);
  });

  it('gives every page of a result over 5,000 rows 5,000 rows at most, whatever length says', async () => {
    const p = await page(sim, { 'data[]': 'value', 'facets[respondent][]': 'ERCO', start: '2019-01-01T00', end: '2019-12-31T23', length: 8000 });
    expect(p.response.data).toHaveLength(5000);
    const beyond = await page(sim, { 'data[]': 'value', 'facets[respondent][]': 'ERCO', start: '2019-01-01T00', end: '2019-01-01T23', offset: 1000 });
    expect(beyond.response.data).toEqual([]);
    expect(beyond.response.total).toBe('96');
  });

  it('orders by period desc with codes ascending when no sort is given', async () => {
    const p = await page(sim, { 'data[]': 'value', 'facets[respondent][]': ['PACW', 'ERCO'], 'facets[type][]': 'D', start: '2024-01-01T00', end: '2024-01-01T03' });
    expect(p.response.data.map(ident)).toEqual([
      '2024-01-01T03|ERCO|D', '2024-01-01T03|PACW|D', '2024-01-01T02|ERCO|D', '2024-01-01T02|PACW|D',
      '2024-01-01T01|ERCO|D', '2024-01-01T01|PACW|D', '2024-01-01T00|ERCO|D', '2024-01-01T00|PACW|D',
    ]);
  });

  it('pages period desc consistently: desc pages concatenate to the reversed hour order', async () => {
    const parts = { 'data[]': 'value', 'facets[respondent][]': ['PACW', 'ERCO', 'CISO'], start: '2024-01-01T00', end: '2024-01-03T23', 'sort[0][column]': 'period', 'sort[0][direction]': 'desc', length: 7 };
    const total = Number((await page(sim, { ...parts, offset: 0 })).response.total);
    const got: Record<string, unknown>[] = [];
    for (let offset = 0; offset < total; offset += 7) got.push(...(await page(sim, { ...parts, offset })).response.data);
    expect(got).toHaveLength(total);
    expect(new Set(got.map(ident)).size).toBe(total);
    const periods = got.map((r) => String(r.period));
    expect(periods).toEqual([...periods].sort().reverse());
  });

  it('sorts by value, and by respondent then period, when asked', async () => {
    const byValue = await page(sim, { 'data[]': 'value', 'facets[respondent][]': 'PACW', 'facets[type][]': 'D', start: '2024-01-01T00', end: '2024-01-07T23', 'sort[0][column]': 'value', 'sort[0][direction]': 'desc' });
    const v = byValue.response.data.map((r) => Number(r.value));
    expect(v).toEqual([...v].sort((a, b) => b - a));
    const byResp = await page(sim, { 'data[]': 'value', 'facets[respondent][]': ['PACW', 'ERCO'], 'facets[type][]': 'D', start: '2024-01-01T00', end: '2024-01-01T02', 'sort[0][column]': 'respondent', 'sort[0][direction]': 'desc', 'sort[1][column]': 'period', 'sort[1][direction]': 'asc' });
    expect(byResp.response.data.map(ident)).toEqual([
      '2024-01-01T00|PACW|D', '2024-01-01T01|PACW|D', '2024-01-01T02|PACW|D', '2024-01-01T00|ERCO|D', '2024-01-01T01|ERCO|D', '2024-01-01T02|ERCO|D',
    ]);
  });

  it('breaks period ties by codes ascending by default (NG, OTH, SUN, WAT, WND as recorded)', async () => {
    const r = await get(sim.baseUrl, `/v2/electricity/rto/fuel-type-data/data/?${dataQuery({ 'data[]': 'value', 'facets[respondent][]': 'PACW', start: '2024-01-01T00', end: '2024-01-01T00', 'sort[0][column]': 'period', 'sort[0][direction]': 'asc', api_key: KEY })}`);
    expect((JSON.parse(r.text) as Env).response.data.map((x) => x.fueltype)).toEqual(['NG', 'OTH', 'SUN', 'WAT', 'WND']);
  });
});

describe('ordering without a full sort', () => {
  it('moves ties between requests with unstableTies, so period-only paging duplicates and misses rows', async () => {
    const sim = await startSimulator({ nowMs: NOW, budget: null, unstableTies: true });
    try {
      const parts = { 'data[]': 'value', 'facets[respondent][]': ['PACW', 'ERCO', 'CISO', 'MISO', 'PJM'], start: '2024-01-01T00', end: '2024-01-02T23', 'sort[0][column]': 'period', 'sort[0][direction]': 'asc', length: 7 };
      const a = await page(sim, { ...parts, offset: 0 });
      const b = await page(sim, { ...parts, offset: 0 });
      expect(a.response.data.map(ident)).not.toEqual(b.response.data.map(ident));
      expect(new Set(a.response.data.map((r) => r.period))).toEqual(new Set(b.response.data.map((r) => r.period)));
      const total = Number(a.response.total);
      const got: string[] = [];
      for (let offset = 0; offset < total; offset += 7) got.push(...(await page(sim, { ...parts, offset })).response.data.map(ident));
      expect(got).toHaveLength(total);
      expect(new Set(got).size).toBeLessThan(total);
      const full = { ...parts, ...FULL_SORT, 'sort[1][column]': 'respondent' };
      const c = await page(sim, { ...full, offset: 0 });
      const d = await page(sim, { ...full, offset: 0 });
      expect(c.response.data).toEqual(d.response.data);
    } finally {
      await sim.close();
    }
  });

  it('shuffles the whole result per request with legacyUnsortedDefault and no sort', async () => {
    const sim = await startSimulator({ nowMs: NOW, budget: null, legacyUnsortedDefault: true });
    try {
      const parts = { 'data[]': 'value', 'facets[respondent][]': ['PACW', 'ERCO'], start: '2024-01-01T00', end: '2024-01-10T23', length: 5000 };
      const a = await page(sim, parts);
      const b = await page(sim, parts);
      const ia = a.response.data.map(ident), ib = b.response.data.map(ident);
      expect(ia).not.toEqual(ib);
      expect(new Set(ia)).toEqual(new Set(ib));
      expect(ia).toHaveLength(Number(a.response.total));
      expect(ia).not.toEqual([...ia].sort().reverse());
    } finally {
      await sim.close();
    }
  });
});
