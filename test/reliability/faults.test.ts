/**
 * docs/parts/reliability.md §1 — faults: with the simulator injecting 5xx, 429, resets, truncated and malformed bodies,
 * HTML and empty 200s, wrong content types, oversized bodies, latency beyond the timeout, spurious 403s and key
 * suspensions (together ≥ 20% of requests), a historical run still ends with exactly the simulator's ground truth in
 * DuckDB and Parquet: same rows per dataset, same keys and values, no duplicate key, and DuckDB's `read_parquet` and
 * hyparquet read the same rows. The faults injected are tallied from the simulator's request log `fault` field.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FaultKind, SimulatorHandle, SimulatorOptions } from '../../src/simulator/index.js';
import {
  FAST_RETRY,
  SIM_BASE,
  SMALL_JOB,
  cliEnv,
  expectGroundTruth,
  faultFigures,
  jobArgs,
  runInProcess,
  startProxy,
  startSim,
  useTempDirs,
  type Proxy,
} from './helpers.js';

const tmp = useTempDirs('eia-rel-faults-');
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

/** Pages of 1,000 rows: the 16,800 rows of SMALL_JOB take 18 data requests, so faults hit many pages. */
const PAGE_SIZE = 1000;
/** Client timeout (headers and body silence). Generous: simulator and pipeline share this process's event loop. */
const TIMEOUT_MS = 2_000;
const MAX_BODY_BYTES = 1024 * 1024;

async function faultedRun(simOpts: Partial<SimulatorOptions>, opts: { pageSize?: number; script429?: number[] } = {}) {
  const sim: SimulatorHandle = await startSim(simOpts);
  open.push(sim);
  const proxy: Proxy = await startProxy(sim.baseUrl, { script429: new Set(opts.script429 ?? []) });
  open.push(proxy);
  const dataDir = await tmp.dir();
  const run = await runInProcess(jobArgs(SMALL_JOB, dataDir, ['--timeout-ms', String(TIMEOUT_MS), '--json']), cliEnv(proxy.baseUrl), {
    sourceOptions: { pageSize: opts.pageSize ?? PAGE_SIZE, maxBodyBytes: MAX_BODY_BYTES, retry: FAST_RETRY },
  });
  return { sim, proxy, dataDir, run };
}

/** Every replacing/delivery fault kind once, at fixed simulator request numbers (request 1 is left alone). */
const EVERY_KIND: Record<number, FaultKind> = {
  2: '500', 4: '502', 6: '503', 8: '504', 10: 'reset', 12: 'truncate', 14: 'malformed', 16: 'latency', 18: 'html200',
  20: 'empty200', 22: 'wrong-content-type', 24: 'oversized', 26: '403', 28: '503', 30: 'truncate',
};

describe('a historical run under injected faults (≥ 20% of requests) loads exactly the ground truth', { timeout: 300_000 }, () => {
  it('survives 5xx, a 429 storm, resets, truncated/malformed/HTML/empty/wrong-type/oversized bodies, timeouts and a spurious 403', async () => {
    const { sim, proxy, dataDir, run } = await faultedRun(
      {
        faults: {
          script: EVERY_KIND,
          rates: { '503': 0.05, reset: 0.03, truncate: 0.03, malformed: 0.03 },
          delayMs: TIMEOUT_MS * 2,
          oversizedBytes: 2 * MAX_BODY_BYTES,
        },
      },
      // 429 OVER_RATE_LIMIT from the gateway (the proxy), three of them in a row.
      { script429: [3, 5, 11, 12, 13, 19] },
    );
    expect(run.error).toBeNull();
    expect(run.result?.summary?.status).toBe('ok');
    const tally = faultFigures(sim, proxy, MAX_BODY_BYTES);
    console.info(`[reliability] faults A: ${JSON.stringify({ ...tally, retriesByCause: run.result?.summary?.retriesByCause })}`);
    expect(tally.share).toBeGreaterThanOrEqual(0.2);
    const logged = new Set(sim.requestLog.map((e) => e.fault));
    for (const kind of new Set(Object.values(EVERY_KIND))) {
      if (kind === 'latency') expect(logged.has(kind) || tally.proxySaw.clientGaveUp > 0, kind).toBe(true);
      else if (kind === 'oversized') expect(logged.has(kind) || tally.proxySaw.oversized > 0, kind).toBe(true);
      else expect(logged.has(kind), kind).toBe(true);
    }
    expect(tally.byKind['429 (scripted)']).toBe(6);
    expect(sim.unknownPathCount).toBe(0);
    await expectGroundTruth(dataDir, SMALL_JOB);
  });

  it('survives throttling by key suspension (403 after a success, the key refused for a while) mixed with 503s, resets and truncation', async () => {
    const { sim, proxy, dataDir, run } = await faultedRun(
      {
        // The simulator allows 2/s; the client sends up to 5/s, and going over suspends the key for 250 ms.
        budget: { perSecond: 2, perHour: 100_000 },
        throttleMode: '403-suspend',
        suspendMs: 250,
        faults: { rates: { '503': 0.08, reset: 0.05, truncate: 0.05, malformed: 0.04 }, script: { 5: '403' } },
      },
    );
    expect(run.error).toBeNull();
    expect(run.result?.summary?.status).toBe('ok');
    const tally = faultFigures(sim, proxy, MAX_BODY_BYTES);
    console.info(`[reliability] faults B: ${JSON.stringify({ ...tally, retriesByCause: run.result?.summary?.retriesByCause })}`);
    expect(tally.share).toBeGreaterThanOrEqual(0.2);
    // Suspension refusals are logged as 'throttled' with status 403.
    expect(sim.requestLog.filter((e) => e.fault === 'throttled' && e.status === 403).length).toBeGreaterThan(0);
    expect((run.result?.summary?.retriesByCause as Record<string, number> | undefined)?.ETL_KEY_SUSPENDED ?? 0).toBeGreaterThan(0);
    expect(sim.unknownPathCount).toBe(0);
    await expectGroundTruth(dataDir, SMALL_JOB);
  });
});

describe('simulator request log (src/simulator/server.ts): requests the client abandoned are logged (regression, docs/parts/reliability.md bug 1)', () => {
  // A request whose response is held by the `latency` fault, or streamed by the `oversized` fault, must be logged
  // even when the client gives up first; otherwise the log under-counts requests and `maxRequestsInWindow` and the
  // fault tallies read low.
  it('logs a request even when the client times out during a latency fault', async () => {
    const sim = await startSim({ faults: { script: { 1: 'latency' }, delayMs: 400 } });
    open.push(sim);
    const url = `${sim.baseUrl}/electricity/rto/region-data/data/?api_key=${SIM_BASE.keys![0]}&frequency=hourly&data[0]=value&facets[respondent][]=PACW&start=2024-01-01T00&end=2024-01-01T03`;
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    await fetch(url, { signal: ac.signal }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 700));
    expect(sim.requestLog.map((e) => e.fault)).toEqual(['latency']);
  });

  it('logs a request even when the client stops reading an oversized body', async () => {
    const sim = await startSim({ faults: { script: { 1: 'oversized' }, oversizedBytes: 8 * 1024 * 1024 } });
    open.push(sim);
    const url = `${sim.baseUrl}/electricity/rto/region-data/data/?api_key=${SIM_BASE.keys![0]}&frequency=hourly&data[0]=value&facets[respondent][]=PACW&start=2024-01-01T00&end=2024-01-01T03`;
    const res = await fetch(url);
    const reader = res.body!.getReader();
    let n = 0;
    while (n < 512 * 1024) {
      const { value, done } = await reader.read();
      if (done) break;
      n += value.length;
    }
    await reader.cancel();
    await new Promise((r) => setTimeout(r, 500));
    expect(sim.requestLog.map((e) => e.fault)).toEqual(['oversized']);
  });
});
