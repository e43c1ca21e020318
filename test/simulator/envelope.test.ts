/**
 * Envelope details over HTTP (docs/eia-api.md §7, §15.5, §15.6): warning placement and trigger, the X-Warning header,
 * 2023 types, ExcelAddInVersion, gzip with a matching Content-Length, local-hourly, and the metadata routes.
 */
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimulatorHandle, type SimulatorOptions } from '../../src/simulator/index.js';
import { WARNING_DESCRIPTION } from '../../src/simulator/messages.js';
import { KEY, NOW, get } from './helpers.js';

const BIG = `/v2/electricity/rto/region-data/data/?data[0]=value&facets[respondent][]=ERCO&start=2019-01-01T00&end=2019-12-31T23&sort[0][column]=period&sort[0][direction]=asc&api_key=${KEY}`;
const SMALL = `/v2/electricity/rto/region-data/data/?data[0]=value&facets[respondent][]=ERCO&facets[type][]=D&start=2019-01-01T00&end=2019-01-01T23&api_key=${KEY}`;
const WARNINGS = [{ warning: 'incomplete return', description: WARNING_DESCRIPTION }];

async function withSim<T>(o: Partial<SimulatorOptions>, fn: (sim: SimulatorHandle) => Promise<T>): Promise<T> {
  const sim = await startSimulator({ nowMs: NOW, budget: null, ...o });
  try {
    return await fn(sim);
  } finally {
    await sim.close();
  }
}

describe('truncation warning', () => {
  it('puts warnings first at the root on every page of a result over 5,000 rows (root-first, default)', async () => {
    await withSim({}, async (sim) => {
      for (const off of [0, 30000]) {
        const r = await get(sim.baseUrl, `${BIG}&offset=${off}`);
        const b = JSON.parse(r.text) as Record<string, unknown>;
        expect(Object.keys(b)).toEqual(['warnings', 'response', 'request', 'apiVersion', 'ExcelAddInVersion']);
        expect(b.warnings).toEqual(WARNINGS);
        expect(r.headers['x-warning']).toBe(`incomplete return: ${WARNING_DESCRIPTION}`);
        expect(r.text).toContain('"description":"The API can only return 5000 rows in JSON format.  Please consider');
      }
      const small = await get(sim.baseUrl, SMALL);
      expect(Object.keys(JSON.parse(small.text) as object)[0]).toBe('response');
      expect(small.headers['x-warning']).toBeUndefined();
    });
  });

  it('puts warnings inside response (inside-response) or null at the root when none (root-null-when-none)', async () => {
    await withSim({ warnPlacement: 'inside-response' }, async (sim) => {
      const b = JSON.parse((await get(sim.baseUrl, BIG)).text) as { response: Record<string, unknown> };
      expect(Object.keys(b)[0]).toBe('response');
      expect(Object.keys(b.response)[0]).toBe('warnings');
      expect(b.response.warnings).toEqual(WARNINGS);
    });
    await withSim({ warnPlacement: 'root-null-when-none' }, async (sim) => {
      const small = JSON.parse((await get(sim.baseUrl, SMALL)).text) as Record<string, unknown>;
      expect(Object.keys(small)[0]).toBe('warnings');
      expect(small.warnings).toBeNull();
      expect((JSON.parse((await get(sim.baseUrl, BIG)).text) as Record<string, unknown>).warnings).toEqual(WARNINGS);
    });
  });

  it('warns only on pages that leave rows out with warnWhen=truncated', async () => {
    await withSim({ warnWhen: 'truncated' }, async (sim) => {
      const total = 4 * 8760; // at most: ERCO may miss a few hours
      const last = JSON.parse((await get(sim.baseUrl, `${BIG}&offset=${total - 3000}`)).text) as Record<string, unknown>;
      expect('warnings' in last).toBe(false);
      const first = JSON.parse((await get(sim.baseUrl, `${BIG}&offset=0`)).text) as Record<string, unknown>;
      expect(first.warnings).toEqual(WARNINGS);
    });
  });
});

describe('envelope variants', () => {
  it('sends numbers for total and value, warnings inside response, in compatMode 2023', async () => {
    await withSim({ compatMode: '2023' }, async (sim) => {
      const b = JSON.parse((await get(sim.baseUrl, BIG)).text) as { response: { total: unknown; warnings: unknown; data: { value: unknown }[] } };
      expect(typeof b.response.total).toBe('number');
      expect(b.response.warnings).toEqual(WARNINGS);
      expect(b.response.data.every((r) => typeof r.value === 'number' || r.value === null)).toBe(true);
    });
  });

  it('leaves ExcelAddInVersion out with omitExcelAddInVersion', async () => {
    await withSim({ omitExcelAddInVersion: true }, async (sim) => {
      const text = (await get(sim.baseUrl, SMALL)).text;
      expect(Object.keys(JSON.parse(text) as object)).toEqual(['response', 'request', 'apiVersion']);
      expect(text.endsWith('"apiVersion":"2.1.8"}')).toBe(true);
    });
  });

  it('gzips when asked, with Content-Encoding and the compressed Content-Length, same body as plain', async () => {
    await withSim({}, async (sim) => {
      const plain = await get(sim.baseUrl, SMALL);
      const gz = await get(sim.baseUrl, SMALL, { headers: { 'accept-encoding': 'gzip, deflate' } });
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(gz.headers['content-encoding']).toBe('gzip');
      expect(Number(gz.headers['content-length'])).toBe(gz.raw.length);
      expect(gz.raw.length).toBeLessThan(plain.raw.length);
      expect(gunzipSync(gz.raw).toString('utf8')).toBe(plain.text);
    });
  });

  it('sends local-hourly periods with the respondent offset and the TZH dateFormat', async () => {
    await withSim({}, async (sim) => {
      const q = `/v2/electricity/rto/region-data/data/?frequency=local-hourly&data[0]=value&facets[respondent][]=PACW&facets[type][]=D&start=2024-01-01T00-08&end=2024-01-01T01-08&sort[0][column]=period&sort[0][direction]=asc&api_key=${KEY}`;
      const b = JSON.parse((await get(sim.baseUrl, q)).text) as { response: { dateFormat: string; data: { period: string }[] } };
      expect(b.response.dateFormat).toBe('YYYY-MM-DD"T"HH24TZH');
      expect(b.response.data.map((r) => r.period)).toEqual(['2024-01-01T00-08', '2024-01-01T01-08']);
    });
  });

  it('exposes X-Sim-Data-Version = floor(now / revisionIntervalMs)', async () => {
    await withSim({}, async (sim) => {
      expect((await get(sim.baseUrl, SMALL)).headers['x-sim-data-version']).toBe(String(Math.floor(NOW / 86_400_000)));
    });
  });
});

describe('metadata routes', () => {
  let sim: SimulatorHandle;
  beforeAll(async () => {
    sim = await startSimulator({ nowMs: NOW, budget: null });
  });
  afterAll(async () => {
    expect(sim.unknownPathCount).toBe(0);
    await sim.close();
  });

  it('serves route metadata with endPeriod = now − lag and the documented frequency block', async () => {
    const r = await get(sim.baseUrl, `/v2/electricity/rto/fuel-type-data?api_key=${KEY}`);
    const b = JSON.parse(r.text) as { response: Record<string, unknown> };
    expect(Object.keys(b.response)).toEqual(['id', 'name', 'description', 'frequency', 'facets', 'data', 'startPeriod', 'endPeriod', 'defaultDateFormat', 'defaultFrequency']);
    expect(b.response).toMatchObject({
      startPeriod: '2019-01-01T00', endPeriod: '2026-02-01T10', defaultFrequency: 'hourly', defaultDateFormat: 'YYYY-MM-DD"T"HH24',
      facets: [{ id: 'respondent', description: 'Balancing Authority / Region' }, { id: 'fueltype', description: 'Energy Source' }],
      data: { value: { 'aggregation-method': 'SUM', alias: 'Net Generation', units: 'megawatthours' } },
    });
    expect(r.text).toContain('"description":"Balancing Authority \\/ Region"');
    expect(r.text).toContain('{"id":"hourly","alias":"hourly (UTC)","description":"One data point for each hour in UTC time.","query":"H","format":"YYYY-MM-DD\\"T\\"HH24"}');
  });

  it('lists facets and facet values ({id, name, alias}, totalFacets as a string, leading zeros kept)', async () => {
    const f = JSON.parse((await get(sim.baseUrl, `/v2/electricity/rto/region-sub-ba-data/facet/?api_key=${KEY}`)).text) as { response: unknown };
    expect(f.response).toEqual({ totalFacetOptions: 2, facetOptions: ['subba', 'parent'] });
    const v = JSON.parse((await get(sim.baseUrl, `/v2/electricity/rto/region-sub-ba-data/facet/subba?api_key=${KEY}`)).text) as { response: { totalFacets: string; facets: { id: string; name: string; alias: string }[] } };
    expect(Number(v.response.totalFacets)).toBe(v.response.facets.length);
    expect(v.response.facets[0]).toEqual({ id: '0001', name: 'Zone 1', alias: '(0001) Zone 1' });
    const resp = JSON.parse((await get(sim.baseUrl, `/v2/electricity/rto/region-data/facet/respondent?api_key=${KEY}`)).text) as { response: { facets: { id: string }[] } };
    const ids = resp.response.facets.map((x) => x.id);
    for (const code of ['PACW', 'ERCO', 'CAL', 'TEX', 'MISO', 'CISO', 'PJM', 'NYIS', 'ISNE', 'SWPP', 'US48']) expect(ids).toContain(code);
    expect(ids).not.toContain('SPP');
    const bad = await get(sim.baseUrl, `/v2/electricity/rto/region-data/facet/state?api_key=${KEY}`);
    expect(bad.status).toBe(400);
  });

  it('lists the rto routes at GET /v2/electricity/rto', async () => {
    const b = JSON.parse((await get(sim.baseUrl, `/v2/electricity/rto?api_key=${KEY}`)).text) as { response: { routes: { id: string }[] } };
    expect(b.response.routes.map((r) => r.id)).toEqual(['region-data', 'fuel-type-data', 'interchange-data', 'region-sub-ba-data']);
  });
});
