/**
 * Fidelity against the recordings (docs/eia-api.md §16): for every recorded request, the simulator's answer to the same
 * URI has the recorded envelope shape, key order, types, dateFormat/frequency/description and row count; the 403 and
 * 404/500 bodies are byte-identical.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/index.js';
import { KEY, NOW, get, recordings, type Recording } from './helpers.js';

type Shape = string | Shape[] | { [k: string]: Shape };

/** JSON types of a value, with object keys in order; arrays collapse to the shapes of their distinct elements. */
function shape(v: unknown): Shape {
  if (v === null) return 'null';
  if (Array.isArray(v)) {
    const seen = new Map<string, Shape>();
    for (const x of v) seen.set(JSON.stringify(shape(x)), shape(x));
    return [...seen.values()];
  }
  if (typeof v === 'object') {
    const o: Record<string, Shape> = {};
    for (const [k, x] of Object.entries(v as object)) o[k] = shape(x);
    return o;
  }
  return typeof v;
}

function uriFor(rec: Recording, key: string): string {
  const u = new URL(rec.request.uri);
  let q = u.search.slice(1);
  q = q.includes('api_key=') ? q.replace('api_key=REDACTED', `api_key=${key}`) : `${q}&api_key=${key}`;
  return `${u.pathname}?${q}`;
}

const all = recordings();
const ok = all.filter((r) => r.response.status.code === 200);

describe('simulator fidelity to the recorded responses', () => {
  let sim: SimulatorHandle;
  beforeAll(async () => {
    sim = await startSimulator({ nowMs: NOW, budget: null });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('has the fourteen recordings this suite is written against', () => {
    expect(all).toHaveLength(14);
    expect(ok).toHaveLength(8);
  });

  for (const rec of ok) {
    it(`answers ${rec.file} with the recorded envelope shape, types and row count`, async () => {
      const res = await get(sim.baseUrl, uriFor(rec, KEY));
      expect(res.status).toBe(200);
      const mine = JSON.parse(res.text) as { response: Record<string, unknown>; request: { params: Record<string, unknown> } };
      const theirs = JSON.parse(rec.response.body_raw) as typeof mine;
      expect(Object.keys(mine)).toEqual(Object.keys(theirs));
      expect(Object.keys(mine.response)).toEqual(Object.keys(theirs.response));
      for (const k of ['total', 'dateFormat', 'frequency', 'description'] as const) expect(mine.response[k]).toBe(theirs.response[k]);
      const rows = mine.response.data as Record<string, unknown>[];
      expect(rows).toHaveLength((theirs.response.data as unknown[]).length);
      // Same row keys in the same order and the same JSON types everywhere (values are strings, never numbers).
      expect(shape(mine)).toEqual(shape(theirs));
      // Same periods and codes in the same order (values differ: generated, not replayed).
      const ident = (r: Record<string, unknown>) => `${r.period}|${r.respondent}|${r.type ?? r.fueltype}`;
      expect(rows.map(ident)).toEqual((theirs.response.data as Record<string, unknown>[]).map(ident));
      expect(res.text.endsWith('}')).toBe(true);
      expect(res.text).toContain('"command":"\\/v2\\/electricity\\/rto\\/');
    });
  }

  it('echoes params in the order received, query values as strings, with the key (orchestrator recordings)', async () => {
    for (const rec of ok.filter((r) => r.file.startsWith('extract_orchestrator'))) {
      const res = await get(sim.baseUrl, uriFor(rec, KEY));
      const theirs = rec.response.body_raw.slice(rec.response.body_raw.indexOf('"request":'));
      const mine = res.text.slice(res.text.indexOf('"request":'));
      expect(mine).toBe(theirs.replace('"api_key":"REDACTED"', `"api_key":"${KEY}"`));
    }
  });

  it('sends every recorded 200 header name (plus its own), with the gzip pair when asked', async () => {
    for (const rec of ok) {
      const gz = 'Content-Encoding' in rec.response.headers;
      const res = await get(sim.baseUrl, uriFor(rec, KEY), { headers: gz ? { 'accept-encoding': 'gzip, deflate' } : {} });
      const names = Object.keys(res.headers);
      for (const h of Object.keys(rec.response.headers)) expect(names, `${rec.file} ${h}`).toContain(h.toLowerCase());
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['content-length']).toBe(String(res.raw.length));
    }
  });

  it('answers the recorded invalid-key requests with the byte-identical 136-byte 403 and gateway headers', async () => {
    for (const rec of all.filter((r) => r.response.status.code === 403)) {
      const res = await get(sim.baseUrl, uriFor(rec, 'REDACTED'));
      expect(res.status).toBe(403);
      expect(res.text).toBe(rec.response.body_raw);
      expect(res.raw.length).toBe(136);
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['x-xss-protection']).toBe('1; mode=block');
      expect(res.headers.via).toBeUndefined();
    }
  });

  it('answers the recorded unknown route with the byte-identical body: 404, or 500 with legacyNotFound500', async () => {
    const legacy = await startSimulator({ nowMs: NOW, budget: null, legacyNotFound500: true });
    const before = sim.unknownPathCount;
    try {
      for (const rec of all.filter((r) => r.response.status.code === 500)) {
        const a = await get(sim.baseUrl, uriFor(rec, KEY));
        expect(a.status).toBe(404);
        expect(a.text).toBe(rec.response.body_raw);
        const b = await get(legacy.baseUrl, uriFor(rec, KEY));
        expect(b.status).toBe(500);
        expect(b.text).toBe(rec.response.body_raw);
        expect(b.headers.vary).toBeUndefined();
        expect(b.headers.via).toBe('https/1.1 api-umbrella (ApacheTrafficServer [cMsSf ])');
      }
      expect(legacy.unknownPathCount).toBe(4);
      expect(sim.unknownPathCount - before).toBe(4);
    } finally {
      await legacy.close();
    }
  });

  it('replays the recorded bodies byte for byte in fixtureReplay mode', async () => {
    const replay = await startSimulator({ nowMs: NOW, budget: null, fixtureReplay: true });
    try {
      for (const rec of ok) {
        const res = await get(replay.baseUrl, uriFor(rec, KEY));
        expect(res.text).toBe(rec.response.body_raw.replace('"api_key":"REDACTED"', `"api_key":"${KEY}"`));
      }
    } finally {
      await replay.close();
    }
  });
});
