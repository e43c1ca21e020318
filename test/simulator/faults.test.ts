/** Injected faults (docs/eia-api.md §15.8 plus the bad-input kinds): scripted by request number, or seeded rates. */
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { FAULT_KINDS, startSimulator, type FaultKind, type SimulatorHandle, type SimulatorOptions } from '../../src/simulator/index.js';
import { GATEWAY_BODY } from '../../src/simulator/messages.js';
import { KEY, NOW, get } from './helpers.js';

const Q = `/v2/electricity/rto/region-data/data/?data[]=value&facets[respondent][]=PACW&facets[type][]=D&start=2024-01-01T00&end=2024-01-03T23&api_key=${KEY}`;
let sims: SimulatorHandle[] = [];
async function sim(o: Partial<SimulatorOptions>): Promise<SimulatorHandle> {
  const s = await startSimulator({ nowMs: NOW, budget: null, ...o });
  sims.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(sims.map((s) => s.close()));
  sims = [];
});

/** A simulator whose request number 1 gets `kind`. */
const scripted = (kind: FaultKind, extra: Partial<SimulatorOptions> = {}) => sim({ ...extra, faults: { ...extra.faults, script: { 1: kind } } });

describe('scripted faults', () => {
  it('answers 500/502/503/504 with that status on the scripted request only', async () => {
    for (const kind of ['500', '502', '503', '504'] as const) {
      const s = await scripted(kind);
      expect((await get(s.baseUrl, Q)).status).toBe(Number(kind));
      expect((await get(s.baseUrl, Q)).status).toBe(200);
      expect(s.requestLog.map((e) => e.fault)).toEqual([kind, null]);
    }
  });

  it('resets the connection (the client sees a socket error, not a response)', async () => {
    const s = await scripted('reset');
    await expect(get(s.baseUrl, Q)).rejects.toThrow();
    expect((await get(s.baseUrl, Q)).status).toBe(200);
  });

  it('truncates the body: Content-Length larger than the bytes sent, then close', async () => {
    const s = await scripted('truncate');
    const res = await request(s.baseUrl.replace(/\/v2$/, '') + Q);
    expect(res.statusCode).toBe(200);
    const declared = Number(res.headers['content-length']);
    await expect(res.body.arrayBuffer()).rejects.toThrow();
    const entry = s.requestLog[0];
    expect(entry.fault).toBe('truncate');
    expect(entry.bytes).toBeLessThan(declared);
  });

  it('sends malformed JSON with status 200 and a correct Content-Length', async () => {
    const s = await scripted('malformed');
    const r = await get(s.baseUrl, Q);
    expect(r.status).toBe(200);
    expect(Number(r.headers['content-length'])).toBe(r.raw.length);
    expect(() => JSON.parse(r.text)).toThrow();
  });

  it('delays the response by delayMs with the latency fault (a client timeout fires first)', async () => {
    const s = await scripted('latency', { faults: { delayMs: 5_000 } });
    await expect(request(s.baseUrl.replace(/\/v2$/, '') + Q, { headersTimeout: 300 })).rejects.toThrow(/timeout/i);
  });

  it('sends a spurious 403 API_KEY_INVALID on a valid key', async () => {
    const s = await scripted('403');
    const r = await get(s.baseUrl, Q);
    expect([r.status, r.text]).toEqual([403, GATEWAY_BODY.keyInvalid]);
    expect((await get(s.baseUrl, Q)).status).toBe(200);
  });

  it('sends the bad-input kinds: html200, empty200, error200, wrong-content-type', async () => {
    const html = await get((await scripted('html200')).baseUrl, Q);
    expect([html.status, String(html.headers['content-type'])]).toEqual([200, 'text/html; charset=UTF-8']);
    expect(html.text.startsWith('<!DOCTYPE html>')).toBe(true);
    const empty = await get((await scripted('empty200')).baseUrl, Q);
    expect([empty.status, empty.raw.length, empty.headers['content-length']]).toEqual([200, 0, '0']);
    const err = await get((await scripted('error200')).baseUrl, Q);
    expect(err.status).toBe(200);
    expect(JSON.parse(err.text)).toMatchObject({ code: 400 });
    const wct = await get((await scripted('wrong-content-type')).baseUrl, Q);
    expect(wct.status).toBe(200);
    expect(String(wct.headers['content-type'])).toMatch(/^text\/plain/);
  });

  it('streams an oversized but well-formed body of oversizedBytes', async () => {
    const s = await scripted('oversized', { faults: { oversizedBytes: 3_000_000 } });
    const r = await get(s.baseUrl, Q);
    expect(r.status).toBe(200);
    expect(r.raw.length).toBe(3_000_000);
    expect(Number(r.headers['content-length'])).toBe(3_000_000);
    expect(JSON.parse(r.text)).toMatchObject({ response: { total: '1', data: [] } });
  });

  it('counts every request, metadata and unknown paths included, for the script', async () => {
    const s = await sim({ faults: { script: { 2: '503' } } });
    expect((await get(s.baseUrl, `/v2/electricity/rto?api_key=${KEY}`)).status).toBe(200);
    expect((await get(s.baseUrl, Q)).status).toBe(503);
  });
});

describe('fault rates', () => {
  const statuses = async (s: SimulatorHandle, n: number) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await get(s.baseUrl, `${Q}&offset=${i % 3}`)).status);
    return out;
  };

  it('injects each kind at its rate, deterministically per seed', async () => {
    const faults = { rates: { '503': 0.3, '500': 0.1 } };
    const a = await statuses(await sim({ faults, seed: 5 }), 60);
    const b = await statuses(await sim({ faults, seed: 5 }), 60);
    expect(a).toEqual(b);
    const n503 = a.filter((x) => x === 503).length;
    expect(n503).toBeGreaterThan(6);
    expect(n503).toBeLessThan(30);
    expect(a.filter((x) => x === 500).length).toBeGreaterThan(0);
    expect(a.filter((x) => x === 200).length).toBeGreaterThan(25);
  });

  it('draws afresh for a retried request (not stuck on the same fault)', async () => {
    const s = await sim({ faults: { rates: { '503': 0.5 } } });
    const got = await statuses(s, 12);
    expect(new Set(got)).toEqual(new Set([200, 503]));
  });

  it('knows every documented kind', () => {
    expect(FAULT_KINDS).toEqual(['500', '502', '503', '504', 'reset', 'truncate', 'malformed', 'latency', '403', 'html200', 'empty200', 'error200', 'wrong-content-type', 'oversized']);
  });
});
