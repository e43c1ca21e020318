/**
 * docs/parts/reliability.md §1, long form (`npm run chaos`): the 6-unit, ~70k-row job in pages of 500 rows (~145 data
 * requests) against simulators injecting every fault kind at random (~30% of requests) plus throttling — 429 in one
 * run, key suspension (403-suspend) in the other — and scripted gateway 429 bursts. Each run must end with exactly the
 * simulator's ground truth (see `expectGroundTruth`). Fault seeds vary per run; replay with RELIABILITY_SEED.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SimulatorOptions } from '../../src/simulator/index.js';
import { FAST_RETRY, MEDIUM_JOB, cliEnv, expectGroundTruth, faultFigures, jobArgs, runInProcess, startProxy, startSim, useTempDirs } from './helpers.js';

const SEED = Number(process.env.RELIABILITY_SEED ?? Date.now() % 100_000);
const tmp = useTempDirs('eia-rel-chaos-faults-');
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

const MAX_BODY_BYTES = 512 * 1024;
const RATES = {
  '500': 0.03, '502': 0.02, '503': 0.05, '504': 0.02, reset: 0.03, truncate: 0.03, malformed: 0.03, latency: 0.02,
  html200: 0.02, empty200: 0.02, 'wrong-content-type': 0.02, oversized: 0.01,
} as const;

async function chaosRun(name: string, sim: Partial<SimulatorOptions>) {
  // Data seed stays 8 (the ground truth); only the fault draws change with the seed's mix into the request script.
  const s = await startSim({ ...sim, faults: { ...sim.faults, rates: RATES, delayMs: 3_000, oversizedBytes: 2 * MAX_BODY_BYTES, script: { 20: '403', 60: '403' } } });
  open.push(s);
  const bursts = new Set<number>();
  for (let b = 0; b < 4; b++) for (let i = 0; i < 4; i++) bursts.add(10 + ((SEED + b * 37) % 40) + b * 40 + i);
  const proxy = await startProxy(s.baseUrl, { script429: bursts });
  open.push(proxy);
  const dir = await tmp.dir();
  const run = await runInProcess(jobArgs(MEDIUM_JOB, dir, ['--timeout-ms', '1500']), cliEnv(proxy.baseUrl), {
    sourceOptions: { pageSize: 500, maxBodyBytes: MAX_BODY_BYTES, retry: { ...FAST_RETRY, maxAttempts: 40 } },
  });
  const figures = faultFigures(s, proxy, MAX_BODY_BYTES);
  console.info(`[reliability] chaos faults ${name} seed=${SEED}: ${JSON.stringify({ ...figures, retriesByCause: run.result?.summary?.retriesByCause })}`);
  expect(run.error).toBeNull();
  expect(figures.share).toBeGreaterThanOrEqual(0.2);
  expect(s.unknownPathCount).toBe(0);
  await expectGroundTruth(dir, MEDIUM_JOB);
}

describe(`chaos: every fault kind at ~30% over ~145 requests (seed ${SEED})`, () => {
  it('with 429 throttling (simulator budget 3/s below the client 5/s) and gateway 429 bursts: exactly the ground truth', async () => {
    await chaosRun('429', { seed: 8, budget: { perSecond: 3, perHour: 100_000 }, throttleMode: '429' });
  });

  it('with key suspensions (403-suspend for 300 ms when over 3/s) and gateway 429 bursts: exactly the ground truth', async () => {
    await chaosRun('403-suspend', { seed: 8, budget: { perSecond: 3, perHour: 100_000 }, throttleMode: '403-suspend', suspendMs: 300 });
  });
});
