/**
 * `--regions` resolved against EIA's respondent facet lists: one request per route, every listed code accepted, the
 * offline table as a warned fallback, and the warehouse cache used for a day and refreshed after.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUDGET_FILE_NAME, parseCli, type PipelineConfig } from '../../src/config.js';
import { EtlError } from '../../src/core/errors.js';
import { silentLogger, type Logger } from '../../src/core/logger.js';
import { resolveRegions } from '../../src/pipelines/regions.js';
import { runCommand } from '../../src/pipelines/run.js';
import { openWarehouse } from '../../src/store/duckdb/warehouse.js';
import type { EiaClient } from '../../src/sources/eia/index.js';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/index.js';

const KEY = 'REGIONSTESTKEY0123456789ABCDEFGHIJKLMNO';
const DAY = 24 * 3600 * 1000;
let dir: string;
let sim: SimulatorHandle | null = null;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'eia-regions-'));
});
afterEach(async () => {
  await sim?.close();
  sim = null;
  await rm(dir, { recursive: true, force: true });
});

function configFor(args: string[], env: Record<string, string>): PipelineConfig {
  const r = parseCli([...args, '--data-dir', path.join(dir, 'data'), '--no-progress', '--requests-per-second', '50'], env);
  if (r.kind !== 'run') throw new Error('expected a run');
  return r.config;
}

/** A client whose metadata answers come from `answer` (one call per route is counted). */
function fakeClient(answer: (p: string) => Record<string, unknown>): EiaClient & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    getMetadata: async (p: string) => {
      calls.push(p);
      return answer(p);
    },
  } as unknown as EiaClient & { calls: string[] };
}

function warnings(): { logger: Logger; warns: string[] } {
  const logger = silentLogger();
  const warns: string[] = [];
  logger.warn = ((...a: unknown[]) => void warns.push(String(a[a.length - 1]))) as Logger['warn'];
  return { logger, warns };
}

const listing = (...codes: string[]) => ({ totalFacets: String(codes.length), facets: codes.map((id) => ({ id, name: `${id} name`, alias: `(${id}) ${id} name` })) });
const KEYED = { EIA_API_KEY: KEY };

describe('resolveRegions with a key', () => {
  it('asks each queried route once and accepts every code the API lists, even one the offline table lacks', async () => {
    const client = fakeClient(() => listing('DUK', 'NEWBA', 'TVA'));
    const config = configFor(['historical', '--regions', 'NEWBA,DUK', '--types', 'demand,generation'], KEYED);
    const r = await resolveRegions(config, { client, logger: silentLogger(), now: Date.now });
    expect(r.config.regions).toEqual(['NEWBA', 'DUK']);
    expect(client.calls).toEqual(['electricity/rto/region-data/facet/respondent', 'electricity/rto/fuel-type-data/facet/respondent']);
    expect(r.fetched.map((f) => f.respondents.length)).toEqual([3, 3]);
  });

  it("refuses a code the API does not list, in one line with the API's codes", async () => {
    const client = fakeClient(() => listing('DUK', 'TVA'));
    const config = configFor(['historical', '--regions', 'DUKE', '--types', 'demand'], KEYED);
    await expect(resolveRegions(config, { client, logger: silentLogger(), now: Date.now })).rejects.toThrow(
      "--regions: unknown respondent 'DUKE' (did you mean DUK?); known: ALL, REGIONS, DUK, TVA",
    );
  });

  it('falls back to the offline table with one warning when the lookup fails', async () => {
    const client = fakeClient(() => {
      throw new EtlError('ETL_HTTP_STATUS', 'source', 'HTTP 503');
    });
    const { logger, warns } = warnings();
    const config = configFor(['historical', '--regions', 'DUK,AVRN', '--types', 'demand,generation'], KEYED);
    const r = await resolveRegions(config, { client, logger, now: Date.now });
    expect(r.config.regions).toEqual(['DUK', 'AVRN']);
    expect(r.authority).toBe('offline');
    expect(warns).toHaveLength(1);
    expect(warns[0]).toMatch(/respondent list could not be fetched \(ETL_HTTP_STATUS\).*offline table/);
    await expect(resolveRegions(configFor(['historical', '--regions', 'ZZZZ'], KEYED), { client, logger, now: Date.now })).rejects.toThrow(/unknown respondent 'ZZZZ'/);
  });

  it('reports a refused key in plan, and lets a fetching run go on to fail (and be recorded) on it', async () => {
    const client = fakeClient(() => {
      throw new EtlError('ETL_API_KEY_INVALID', 'source', 'EIA rejected the API key');
    });
    await expect(resolveRegions(configFor(['plan', '--regions', 'DUK'], KEYED), { client, logger: silentLogger(), now: Date.now })).rejects.toThrow(/rejected the API key/);
    const { logger, warns } = warnings();
    const r = await resolveRegions(configFor(['historical', '--regions', 'DUK', '--types', 'demand,generation'], KEYED), { client, logger, now: Date.now });
    expect(r.config.regions).toEqual(['DUK']);
    expect(r.authority).toBe('offline');
    expect(client.calls).toHaveLength(2); // plan's, then the run's first route only
    expect(warns).toEqual([]);
  });
});

describe('the respondent list cache, end to end against the simulator', () => {
  const facetRequests = () => sim!.requestLog.filter((e) => e.path.includes('/facet/respondent')).length;
  const run = async (args: string[], nowMs: number) => {
    const sink = new Writable({ write: (_c, _e, cb) => cb() }) as unknown as NodeJS.WriteStream;
    const config = configFor(args, { EIA_API_KEY: KEY, EIA_BASE_URL: sim!.baseUrl });
    return runCommand(config, { logger: silentLogger(), signal: new AbortController().signal, stdout: sink, stderr: sink, now: () => nowMs });
  };
  const cached = async () => {
    const wh = await openWarehouse(path.join(dir, 'data'));
    try {
      const conn = await wh.connect();
      const rows = (await conn.runAndReadAll("SELECT count(*), count(DISTINCT epoch_ms(fetched_at)), max(epoch_ms(fetched_at)), any_value(name) FILTER (WHERE code = 'DUK') FROM respondent_facets")).getRows();
      conn.closeSync();
      return rows[0].map((v) => (typeof v === 'bigint' ? Number(v) : v));
    } finally {
      await wh.close();
    }
  };

  it('stores the list with names, reuses it within a day and fetches it again after a day', async () => {
    sim = await startSimulator({ budget: null, nowMs: Date.UTC(2026, 0, 1) });
    const job = ['historical', '--regions', 'DUK,SEPA', '--types', 'net-generation', '--start', '2024-03-01', '--end', '2024-03-02'];
    const t0 = Date.now();
    expect((await run(job, t0)).exitCode).toBe(0);
    expect(facetRequests()).toBe(1);
    const [rows, stamps, at, duk] = await cached();
    expect(rows).toBeGreaterThan(80);
    expect(stamps).toBe(1);
    expect(at).toBe(t0);
    expect(duk).toBe('Duke Energy Carolinas');

    expect((await run(job, t0 + DAY - 60_000)).exitCode).toBe(0);
    expect(facetRequests()).toBe(1); // served from the cache

    expect((await run(job, t0 + DAY + 60_000)).exitCode).toBe(0);
    expect(facetRequests()).toBe(2); // older than a day: fetched again
    expect((await cached())[2]).toBe(t0 + DAY + 60_000);
  });

  it('counts the lookup in the run summary requests, and a refused code writes nothing', async () => {
    sim = await startSimulator({ budget: null, nowMs: Date.UTC(2026, 0, 1) });
    const bad = run(['historical', '--regions', 'DUK,NOPE', '--types', 'demand', '--start', '2024-03-01', '--end', '2024-03-02'], Date.now());
    await expect(bad).rejects.toThrow(/unknown respondent 'NOPE'/);
    // No data, no warehouse: only the key's budget record, which holds the lookup's one send.
    expect(await readdir(path.join(dir, 'data'))).toEqual([BUDGET_FILE_NAME]);
    // A reservation is `<grant> <writer>`, its send `<grant> <writer> <sent>`: the one facet request.
    const lines = (await readFile(path.join(dir, 'data', BUDGET_FILE_NAME), 'utf8')).trim().split('\n');
    expect(lines.filter((l) => l.split(' ').length === 3)).toHaveLength(1);
    const before = sim.requestLog.length;
    const ok = await run(['historical', '--regions', 'ALL', '--types', 'demand', '--start', '2024-03-01', '--end', '2024-03-01T02', '--json'], Date.now());
    expect(ok.exitCode).toBe(0);
    expect(ok.summary!.regions.length).toBeGreaterThan(50);
    expect(ok.summary!.regions).not.toContain('AVRN'); // generation-only: no demand
    // Every request this run sent is counted: the facet lookup, the route metadata read for the
    // publication frontier, and the data pages.
    const sent = sim.requestLog.slice(before);
    const dataRequests = sent.filter((e) => e.path.endsWith('/data') || e.path.endsWith('/data/')).length;
    const facetLookups = sent.filter((e) => e.path.includes('/facet/')).length;
    expect(facetLookups).toBe(1);
    expect(dataRequests).toBeGreaterThan(0);
    expect(ok.summary!.requests).toBe(sent.length);
  });
});
