import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/index.js';
import { eiaList } from '../../src/simulator/messages.js';
import { mergeParams, parseBound, parseQuery, validateDataParams } from '../../src/simulator/params.js';
import { KEY, NOW, get } from './helpers.js';

describe('parseQuery (PHP-style brackets)', () => {
  it('parses encoded and literal brackets, [] and [0], into the same structure in arrival order', () => {
    const enc = parseQuery('frequency=hourly&data%5B0%5D=value&facets%5Brespondent%5D%5B%5D=PACW&facets%5Brespondent%5D%5B%5D=ERCO&facets%5Btype%5D%5B0%5D=D&sort%5B0%5D%5Bcolumn%5D=period&sort%5B0%5D%5Bdirection%5D=asc&length=5000');
    const lit = parseQuery('frequency=hourly&data[]=value&facets[respondent][0]=PACW&facets[respondent][1]=ERCO&facets[type][]=D&sort[0][column]=period&sort[0][direction]=asc&length=5000');
    const want = {
      frequency: 'hourly', data: ['value'], facets: { respondent: ['PACW', 'ERCO'], type: ['D'] },
      sort: [{ column: 'period', direction: 'asc' }], length: '5000',
    };
    expect(enc).toEqual(want);
    expect(lit).toEqual(want);
    expect(JSON.stringify(enc)).toBe(JSON.stringify(want));
  });

  it('keeps query values as strings and decodes + and %XX', () => {
    expect(parseQuery('offset=0&start=2024-01-01T00&x=a+b%2Fc')).toEqual({ offset: '0', start: '2024-01-01T00', x: 'a b/c' });
  });

  it('merges X-Params over the query except api_key, which the URL keeps', () => {
    const p = mergeParams(parseQuery('api_key=URLKEY&length=10'), { length: 20, api_key: 'OTHER', start: '2024-01-01' });
    expect(p).toEqual({ api_key: 'URLKEY', length: 20, start: '2024-01-01' });
    expect(Object.keys(p)).toEqual(['api_key', 'length', 'start']);
  });

  it('reads date-only bounds as T00 and converts local-hourly offsets to UTC', () => {
    expect(parseBound('2024-01-07')).toBe(Date.UTC(2024, 0, 7, 0));
    expect(parseBound('2024-01-07T23')).toBe(Date.UTC(2024, 0, 7, 23));
    expect(parseBound('2021-01-01T00-08')).toBe(Date.UTC(2021, 0, 1, 8));
    expect(parseBound('2024-02-30')).toBeUndefined();
    expect(parseBound('2024-1-1')).toBeUndefined();
  });
});

describe('validateDataParams (400 wording, docs/eia-api.md §15.4)', () => {
  const msg = (p: Record<string, unknown>, ds: Parameters<typeof validateDataParams>[0] = 'region-data') => {
    const v = validateDataParams(ds, p);
    return v.ok ? null : v.message;
  };

  it('joins lists the EIA way, odd comma included', () => {
    expect(eiaList(['value'])).toBe("'value'");
    expect(eiaList(['respondent', 'type'])).toBe("'respondent', and 'type'");
    expect(eiaList(['a', 'b', 'c'])).toBe("'a', 'b', and 'c'");
  });

  it('names the documented messages for frequency, data, facet and sort errors', () => {
    expect(msg({ frequency: 'daily' })).toBe("Invalid frequency 'daily' provided. The only valid frequencies are 'hourly' and 'local-hourly'.");
    expect(msg({ data: ['D'] })).toBe("Invalid data 'D' provided. The only valid data are 'value'.");
    expect(msg({ facets: { state: ['OR'] } })).toBe("Invalid facet 'state' provided. The only valid facets are 'respondent', and 'type'.");
    expect(msg({ facets: { respondent: ['PACW'] } }, 'interchange-data')).toBe("Invalid facet 'respondent' provided. The only valid facets are 'fromba', and 'toba'.");
    expect(msg({ sort: [{ column: 'period', direction: 'as' }] })).toBe("Invalid sort direction 'as' provided for column 'period'. The only valid sort directions are 'asc' and 'desc'.");
    expect(msg({ sort: [{ column: 'perid', direction: 'asc' }] })).toBe("Invalid sort 'perid' provided. The only valid sort parameters are 'value', 'period', 'respondent', and 'type' in either 'asc' or 'desc' order. If direction is not provided or is incorrect, 'asc' is the default");
  });

  it('accepts a missing sort direction as asc, caps length at 5000 silently and defaults offset to 0', () => {
    const v = validateDataParams('fuel-type-data', { sort: [{ column: 'fueltype' }], length: '8000' });
    expect(v).toMatchObject({ ok: true, req: { sort: [{ column: 'fueltype', direction: 'asc' }], length: 5000, offset: 0, withValue: false } });
  });

  it('turns inclusive bounds into a half-open hour range (end=YYYY-MM-DD stops at T00)', () => {
    const v = validateDataParams('region-data', { start: '2019-01-01', end: '2019-01-02' });
    expect(v.ok && v.req.endH - v.req.startH).toBe(25);
  });
});

describe('parameters over HTTP', () => {
  let sim: SimulatorHandle;
  beforeAll(async () => {
    sim = await startSimulator({ nowMs: NOW, budget: null });
  });
  afterAll(() => sim.close());
  const base = '/v2/electricity/rto/region-data/data/';
  const body = (t: string) => JSON.parse(t) as { response: { total: string; data: Record<string, unknown>[] }; request: { params: Record<string, unknown> } };

  it('answers a bad parameter with 400 and {"error":…,"code":400}, or 200 with legacyStatus', async () => {
    const a = await get(sim.baseUrl, `${base}?frequency=anual&api_key=${KEY}`);
    expect(a.status).toBe(400);
    expect(a.text).toBe('{"error":"Invalid frequency \'anual\' provided. The only valid frequencies are \'hourly\' and \'local-hourly\'.","code":400}');
    const legacy = await startSimulator({ nowMs: NOW, budget: null, legacyStatus: true });
    try {
      const b = await get(legacy.baseUrl, `${base}?frequency=anual&api_key=${KEY}`);
      expect(b.status).toBe(200);
      expect(b.text).toBe(a.text);
    } finally {
      await legacy.close();
    }
  });

  it('answers an unknown facet value (SPP, CARO) with 200, total "0" and no rows', async () => {
    const r = await get(sim.baseUrl, `${base}?data[]=value&facets[respondent][]=SPP&facets[respondent][]=CARO&api_key=${KEY}`);
    expect(r.status).toBe(200);
    expect(body(r.text).response).toMatchObject({ total: '0', data: [] });
  });

  it('returns rows without value and value-units when data[] is absent', async () => {
    const r = body((await get(sim.baseUrl, `${base}?facets[respondent][]=PACW&facets[type][]=D&start=2024-01-01T00&end=2024-01-01T01&api_key=${KEY}`)).text);
    expect(Object.keys(r.response.data[0])).toEqual(['period', 'respondent', 'respondent-name', 'type', 'type-name']);
  });

  it('reads params from X-Params (JSON types echoed) and from a POST JSON body, with the key in X-Api-Key', async () => {
    const xp = { frequency: 'hourly', data: ['value'], facets: { respondent: ['PACW'], type: ['D'] }, start: '2024-01-01T00', end: '2024-01-01T23', length: 5000, offset: 0 };
    const a = await get(sim.baseUrl, base, { headers: { 'x-params': JSON.stringify(xp), 'x-api-key': KEY } });
    expect(a.status).toBe(200);
    expect(body(a.text).response.total).toBe('24');
    expect(body(a.text).request.params).toEqual(xp);
    const b = await get(sim.baseUrl, base, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEY }, body: JSON.stringify(xp) });
    expect(b.text).toBe(a.text);
  });

  it('reads an application/x-www-form-urlencoded body on a GET after the query', async () => {
    const r = await get(sim.baseUrl, `${base}?api_key=${KEY}&length=1`, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'data%5B%5D=value&facets%5Brespondent%5D%5B%5D=PACW&facets%5Btype%5D%5B%5D=D&start=2024-01-01T00&end=2024-01-01T03&length=2',
    });
    const b = body(r.text);
    expect(b.response.total).toBe('4');
    expect(b.response.data).toHaveLength(2);
    expect(Object.keys(b.request.params)).toEqual(['api_key', 'length', 'data', 'facets', 'start', 'end']);
  });

  it('lets X-Params override query values except the URL api_key', async () => {
    const r = await get(sim.baseUrl, `${base}?api_key=${KEY}&length=1&facets[respondent][]=PACW`, {
      headers: { 'x-params': JSON.stringify({ length: 3, api_key: 'nope' }) },
    });
    const b = body(r.text);
    expect(r.status).toBe(200);
    expect(b.response.data).toHaveLength(3);
    expect(b.request.params).toEqual({ api_key: KEY, length: 3, facets: { respondent: ['PACW'] } });
  });

  it('accepts a trailing slash or none after data', async () => {
    const q = `?data[]=value&facets[respondent][]=PACW&facets[type][]=D&start=2024-01-01T00&end=2024-01-01T05&api_key=${KEY}`;
    const a = await get(sim.baseUrl, `/v2/electricity/rto/region-data/data${q}`);
    const b = await get(sim.baseUrl, `${base}${q}`);
    expect(a.status).toBe(200);
    expect(body(a.text).response.data).toEqual(body(b.text).response.data);
  });
});
