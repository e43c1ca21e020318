/**
 * docs/parts/reliability.md §2 — crash and resume: kill -9 the CLI at named crash points (`EIA_STREAM_CRASH_AT`:
 * page-written, before-commit, commit:<sink> between two sinks' commits, after-commit) and from outside
 * (while a page is staged, while a unit's files are committed, right before the DuckDB commit, at random
 * moments), then re-run the same command until it completes. The result must equal an uninterrupted run: DuckDB
 * (`warehouse.checksum()`, rows per dataset, ledger, pages), Parquet (same checksum over `read_parquet`), the raw
 * archive (a checksum over every stored row), no duplicate key anywhere, no temp/journal/lock/WAL file left, and
 * after every kill the ledger lists only units every sink fully holds. `npm run chaos` runs 20+ more kills.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatorHandle } from '../../src/simulator/index.js';
import {
  SMALL_JOB,
  atPoint,
  atTime,
  cliEnv,
  crashAndResume,
  fingerprint,
  groundTruth,
  jobArgs,
  leftovers,
  runCli,
  startSim,
  summaryOf,
  tempFiles,
  useTempDirs,
  whileCommittingDuckDb,
  whileCommittingFiles,
  whileWritingJournal,
  whileWritingPages,
  type Fingerprint,
  type ResumeOutcome,
} from './helpers.js';

const tmp = useTempDirs('eia-rel-crash-');
let sim: SimulatorHandle;
let ref: Fingerprint;
let refMs = 0;
let refDir = '';
const outcomes: ResumeOutcome[] = [];

beforeAll(async () => {
  sim = await startSim();
  refDir = await tmp.shared();
  const r = await runCli(jobArgs(SMALL_JOB, refDir), { env: cliEnv(sim.baseUrl) });
  expect(r.code, r.stderr).toBe(0);
  refMs = r.ms;
  ref = await fingerprint(refDir);
  // The reference itself is the simulator's ground truth.
  const truth = groundTruth(SMALL_JOB);
  expect(ref.warehouse.perDataset).toEqual(truth.perDataset);
  expect(ref.warehouse.duplicateKeys).toBe(0);
  expect(ref.leftovers).toEqual([]);
}, 180_000);

afterAll(async () => {
  await sim?.close();
  const kills = outcomes.reduce((n, o) => n + o.kills, 0);
  console.info(`[reliability] crash-resume: ${kills} kills; runs: ${JSON.stringify(outcomes.map((o) => o.runs))}`);
});

async function expectSameAsUninterrupted(plans: Parameters<typeof crashAndResume>[3], minKills: number) {
  const dir = await tmp.dir();
  const out = await crashAndResume(jobArgs(SMALL_JOB, dir), cliEnv(sim.baseUrl), dir, plans);
  outcomes.push(out);
  expect(out.kills).toBeGreaterThanOrEqual(minKills);
  expect(out.problems).toEqual([]);
  const fp = await fingerprint(dir);
  expect(summaryOf(fp)).toEqual(summaryOf(ref));
  expect(fp.raw.orphans).toEqual([]);
  return out;
}

describe('kill -9 and resume: the final data equals an uninterrupted run', { timeout: 300_000 }, () => {
  /** Uniform over the busy part of an uninterrupted run (after start-up, before the end). */
  const randomMoment = () => atTime(refMs * (0.45 + Math.random() * 0.5));

  it('after SIGKILLs at the named crash points page-written, before-commit, after-commit and at a random moment', async () => {
    await expectSameAsUninterrupted([atPoint('page-written:2'), atPoint('before-commit:1'), atPoint('after-commit:1'), randomMoment()], 3);
  });

  it('after SIGKILLs between sink commits: raw committed only, then raw + Parquet + quarantine committed but not DuckDB', async () => {
    await expectSameAsUninterrupted([atPoint('commit:raw-archive:1'), atPoint('commit:quarantine-files:2')], 2);
  });

  it('after SIGKILLs from outside while a page is staged, while unit files are committed, right before the DuckDB commit and at a random moment', async () => {
    await expectSameAsUninterrupted([whileWritingPages(), whileCommittingFiles(), whileCommittingDuckDb(), randomMoment()], 2);
  });

  // A kill -9 while a commit journal (or a quarantine file) is written leaves its temp file behind; the resume must
  // remove it, since the next commit of the unit does not reuse the name.
  it('a kill -9 while a commit journal is written leaves no temp file once the resume completes', async () => {
    const dir = await tmp.dir();
    const env = cliEnv(sim.baseUrl);
    let stale: string[] = [];
    for (let i = 0; i < 4 && stale.length === 0; i++) {
      const plan = whileWritingJournal();
      const r = await runCli(jobArgs(SMALL_JOB, dir), { env, kill: await plan.kill!(dir) });
      stale = await tempFiles(path.join(dir, '.journal'));
      if (r.code === 0) break;
    }
    expect(stale.length, 'the kill landed while a journal was being written').toBeGreaterThan(0);
    expect((await runCli(jobArgs(SMALL_JOB, dir), { env })).code).toBe(0);
    expect(await leftovers(dir)).toEqual([]);
  });

  it('re-running a completed command fetches nothing and changes nothing', async () => {
    const env = cliEnv(sim.baseUrl);
    const before = sim.requestLog.length;
    const again = await runCli(jobArgs(SMALL_JOB, refDir, ['--json']), { env });
    expect(again.code, again.stderr).toBe(0);
    // Only the two routes' latest published hour (route metadata), no data page.
    expect(sim.requestLog.slice(before).map((e) => e.path)).toEqual(['/v2/electricity/rto/region-data', '/v2/electricity/rto/fuel-type-data']);
    expect(JSON.parse(again.stdout)).toMatchObject({ units: 0, unitsSkipped: 4, requests: 2 });
    expect(summaryOf(await fingerprint(refDir))).toEqual(summaryOf(ref));
  });
});
