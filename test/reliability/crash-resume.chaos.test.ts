/**
 * docs/parts/reliability.md §2, long form (`npm run chaos`): 24+ SIGKILLs of the CLI over a 6-unit, 15-page job. Each
 * sequence starts from an empty data directory and kills run after run (a random named crash point, an event-triggered
 * kill while files are staged or committed, or a random moment) until the target number of kills is reached or a
 * run completes, then resumes to the end. After every kill the ledger must list only units every sink fully holds;
 * at the end DuckDB, Parquet and the raw archive must equal an uninterrupted run, with no leftovers. One sequence
 * runs against a simulator injecting 5xx, resets and truncated bodies. Replay a run with RELIABILITY_SEED=<seed>.
 */
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatorHandle } from '../../src/simulator/index.js';
import {
  MEDIUM_JOB,
  cliEnv,
  fingerprint,
  groundTruth,
  jobArgs,
  ledgerProblems,
  randomCrashPlan,
  runCli,
  seededRandom,
  startSim,
  summaryOf,
  useTempDirs,
  type Fingerprint,
} from './helpers.js';

const SEED = Number(process.env.RELIABILITY_SEED ?? Date.now() % 100_000);
const random = seededRandom(SEED);
const tmp = useTempDirs('eia-rel-chaos-crash-');
let sim: SimulatorHandle;
let faulty: SimulatorHandle;
let ref: Fingerprint;
let refMs = 0;
const log: { sequence: string; runs: string[]; kills: number }[] = [];

beforeAll(async () => {
  sim = await startSim();
  faulty = await startSim({ faults: { rates: { '500': 0.04, '503': 0.06, reset: 0.04, truncate: 0.04 } } });
  const dir = await tmp.shared();
  const r = await runCli(jobArgs(MEDIUM_JOB, dir), { env: cliEnv(sim.baseUrl) });
  expect(r.code, r.stderr).toBe(0);
  refMs = r.ms;
  ref = await fingerprint(dir);
  expect(ref.warehouse.perDataset).toEqual(groundTruth(MEDIUM_JOB).perDataset);
  expect(ref.leftovers).toEqual([]);
});

afterAll(async () => {
  await sim?.close();
  await faulty?.close();
  const kills = log.reduce((n, s) => n + s.kills, 0);
  console.info(`[reliability] chaos crash-resume seed=${SEED}: ${kills} kills in ${log.length} sequences: ${JSON.stringify(log)}`);
});

/** Kill run after run until `target` kills or a run completes, then resume; compare with the reference. */
async function sequence(name: string, target: number, s: SimulatorHandle) {
  const dir = await tmp.dir();
  const args = jobArgs(MEDIUM_JOB, dir);
  const env = cliEnv(s.baseUrl);
  const entry = { sequence: name, runs: [] as string[], kills: 0 };
  log.push(entry);
  let complete = false;
  for (let i = 0; i < target * 3 && entry.kills < target && !complete; i++) {
    const plan = randomCrashPlan(random, refMs);
    const r = await runCli(args, { env, crashAt: plan.crashAt, kill: plan.kill ? await plan.kill(dir) : undefined });
    if (r.signal === 'SIGKILL') {
      entry.kills++;
      entry.runs.push(`${plan.label}: killed after ${r.ms} ms`);
      const problems = await ledgerProblems(dir);
      expect(problems, `after ${plan.label}`).toEqual([]);
    } else {
      expect(r.code, `${name}, ${plan.label}: ${r.stderr.slice(-2000)}`).toBe(0);
      entry.runs.push(`${plan.label}: completed`);
      complete = true;
    }
  }
  if (!complete) {
    const r = await runCli(args, { env });
    expect(r.code, `${name}, resume: ${r.stderr.slice(-2000)}`).toBe(0);
    entry.runs.push('resume: completed');
  }
  const fp = await fingerprint(dir);
  const got = summaryOf(fp);
  const want = summaryOf(ref);
  for (const part of Object.keys(want) as (keyof typeof want)[]) {
    if (!isDeepStrictEqual(got[part], want[part])) {
      console.info(`[reliability] chaos ${name}: ${part} differs: ${JSON.stringify(got[part]).slice(0, 2000)} vs ${JSON.stringify(want[part]).slice(0, 2000)}`);
    }
  }
  expect(got).toEqual(want);
  return entry.kills;
}

describe(`chaos: 24+ kill -9 at random points, resumed to the end (seed ${SEED})`, () => {
  it('every sequence ends equal to an uninterrupted run, and at least 24 kills landed', async () => {
    let kills = 0;
    for (let i = 0; kills < 24 && i < 8; i++) kills += await sequence(`clean-${i + 1}`, 6, sim);
    kills += await sequence('faulty-simulator', 4, faulty);
    expect(kills).toBeGreaterThanOrEqual(24);
  });
});
