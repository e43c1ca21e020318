/** The request log (docs/eia-api.md §15.8): in memory and JSONL, never the key; maxRequestsInWindow for rates. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { maxRequestsInWindow, minSpanOf, startSimulator, type RequestLogEntry } from '../../src/simulator/index.js';
import { KEY, NOW, get } from './helpers.js';

const entry = (t: number): RequestLogEntry => ({ t, keyHash: '', method: 'GET', path: '/', route: null, params: {}, status: 200, rows: 0, bytes: 0, latencyMs: 0, fault: null });

describe('maxRequestsInWindow', () => {
  it('finds the busiest window of the given length (half-open)', () => {
    const log = [0, 100, 900, 1000, 1100, 5000].map(entry);
    expect(maxRequestsInWindow(log, 1000)).toBe(3);
    expect(maxRequestsInWindow(log, 1001)).toBe(4);
    expect(maxRequestsInWindow([0, 999].map(entry), 1000)).toBe(2);
    expect(maxRequestsInWindow([0, 1000].map(entry), 1000)).toBe(1);
    expect(maxRequestsInWindow(log, 100)).toBe(1);
    expect(maxRequestsInWindow(log, 10_000)).toBe(6);
    expect(maxRequestsInWindow([], 1000)).toBe(0);
  });

  it('does not depend on the order of the entries', () => {
    expect(maxRequestsInWindow([1100, 0, 1000, 100, 900].map(entry), 1001)).toBe(4);
  });
});

describe('minSpanOf', () => {
  it('is the shortest span of n consecutive arrivals, and agrees with maxRequestsInWindow', () => {
    const log = [1100, 0, 1000, 100, 900, 5000].map(entry);
    expect(minSpanOf(log, 2)).toBe(100);
    expect(minSpanOf(log, 3)).toBe(200); // 900, 1000, 1100
    expect(minSpanOf(log, 4)).toBe(1000); // 100 … 1100: no 4 within [t, t + 1000)
    expect(maxRequestsInWindow(log, 1000)).toBe(3);
    expect(minSpanOf(log, 7)).toBe(Infinity);
  });
});

describe('request log', () => {
  it('records each request with a key hash, params without api_key, status, rows, bytes and route, in memory and JSONL', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sim-log-'));
    const file = path.join(dir, 'requests.jsonl');
    const sim = await startSimulator({ nowMs: NOW, budget: null, requestLogPath: file });
    try {
      await get(sim.baseUrl, `/v2/electricity/rto/region-data/data/?data[]=value&facets[respondent][]=PACW&facets[type][]=D&start=2024-01-01T00&end=2024-01-01T09&api_key=${KEY}`);
      await get(sim.baseUrl, `/v2/electricity/bogus/data/?api_key=${KEY}`);
      await get(sim.baseUrl, `/v2/electricity/rto/region-data/data/?frequency=weekly&api_key=${KEY}`);
      await sim.close();
      const [ok, unknown, bad] = sim.requestLog;
      expect(ok).toMatchObject({ method: 'GET', path: '/v2/electricity/rto/region-data/data/', route: 'electricity/rto/region-data', status: 200, rows: 10, fault: null });
      expect(ok.params).toEqual({ data: ['value'], facets: { respondent: ['PACW'], type: ['D'] }, start: '2024-01-01T00', end: '2024-01-01T09' });
      expect(ok.bytes).toBeGreaterThan(1000);
      expect(ok.keyHash).toMatch(/^[0-9a-f]{16}$/);
      expect(ok.t).toBeGreaterThan(Date.UTC(2020, 0, 1));
      expect(unknown).toMatchObject({ route: null, status: 404, rows: 0 });
      expect(bad).toMatchObject({ status: 400, rows: 0 });
      const text = readFileSync(file, 'utf8');
      expect(text).not.toContain(KEY);
      expect(text.trim().split('\n').map((l) => JSON.parse(l) as RequestLogEntry)).toEqual(sim.requestLog);
    } finally {
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('applies the latency model (base + per row + jitter) to the logged latency', async () => {
    const sim = await startSimulator({ nowMs: NOW, budget: null, latency: { baseMs: 150, perRowMs: 1, jitterMs: 10 } });
    try {
      await get(sim.baseUrl, `/v2/electricity/rto/region-data/data/?data[]=value&facets[respondent][]=PACW&facets[type][]=D&start=2024-01-01T00&end=2024-01-01T09&api_key=${KEY}`);
      expect(sim.requestLog[0].latencyMs).toBeGreaterThanOrEqual(150 + 10);
    } finally {
      await sim.close();
    }
  });
});
