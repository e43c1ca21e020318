/**
 * `features` benchmark: build a warehouse with a CPU-bound historical run of `job` (simulator child, budget off),
 * then time `features` (as `npm run pipeline` runs it: dist/cli.js, its own process) three times: a first build, a
 * re-run on the same warehouse (the files must be byte-identical), and a re-run after an `incremental`.
 *
 * `npx tsx bench/features.ts [--quick]` prints the figures as JSON; `benchFeatures()` returns them for `npm run bench`.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LAUNCH_ENV, LAUNCH_NODE_FLAGS } from '../src/core/heap.js';
import { formatHourStamp } from '../src/core/time.js';
import type { FeaturesSummary } from '../src/pipelines/commands/features.js';
import { DEFAULT_JOB, buildPipeline, lastYears, rangeLabel, runPipeline, type Job } from './e2e.js';
import { BENCH_KEY, runNodeChild, startSimulatorChild } from './lib/proc.js';

/** One timed `features` run. */
export interface FeaturesRun {
  rows: number;
  durationMs: number;
  rowsPerSecond: number;
  /** Spawn to exit, ms (Node start-up and the bundle load included). */
  wallMs: number;
  peakRssMb: number | null;
  cpuSec: number | null;
}

export interface FeaturesBenchResult {
  job: string;
  split: string;
  warehouseRows: number;
  first: FeaturesRun;
  rerun: FeaturesRun;
  /** The second build gave the same bytes in every file (Parquet, README.md, dataset_info.json). */
  byteIdentical: boolean;
  files: { name: string; bytes: number }[];
  incremental: { rowsLoaded: number; durationMs: number };
  afterIncremental: FeaturesRun;
  /** 1-minute load average when the section ended. */
  load: number;
}

const cliOpts = (baseUrl?: string) => ({
  env: { ...LAUNCH_ENV, ...(baseUrl ? { EIA_API_KEY: BENCH_KEY, EIA_BASE_URL: baseUrl } : {}) },
  nodeFlags: [...LAUNCH_NODE_FLAGS],
});

async function features(dataDir: string, split: string): Promise<FeaturesRun & { summary: FeaturesSummary }> {
  const run = await runNodeChild<FeaturesSummary>('dist/cli.js', ['features', '--data-dir', dataDir, '--split', split, '--json', '--log-level', 'error'], cliOpts());
  const s = run.result;
  return { summary: s, rows: s.rows, durationMs: s.durationMs, rowsPerSecond: s.rowsPerSecond, wallMs: run.wallMs, peakRssMb: run.peakRssMb, cpuSec: run.cpuSec };
}

async function digests(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of (await readdir(dir)).sort()) out.set(f, createHash('sha256').update(await readFile(path.join(dir, f))).digest('hex'));
  return out;
}

/** Split boundaries one and two years before the job's end (months for a job shorter than three years). */
function splitFor(job: Job): string {
  const end = new Date(job.endMs);
  const years = job.endMs - job.startMs > 3 * 365 * 86_400_000;
  const back = (k: number) => (years
    ? Date.UTC(end.getUTCFullYear() - k, end.getUTCMonth(), 1)
    : Date.UTC(end.getUTCFullYear(), end.getUTCMonth() - k, 1));
  return `${formatHourStamp(back(2)).slice(0, 10)},${formatHourStamp(back(1)).slice(0, 10)}`;
}

/** Run the section; `log` gets one line per step. */
export async function benchFeatures(job: Job, log: (s: string) => void = () => {}): Promise<FeaturesBenchResult> {
  await buildPipeline();
  const sim = await startSimulatorChild({ budget: 'off' });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'eia-bench-features-'));
  try {
    const hist = await runPipeline(job, { baseUrl: sim.baseUrl, dataDir: dir, unlimited: true });
    log(`  warehouse: ${hist.rowsLoaded} rows (${rangeLabel(job)})`);
    const split = splitFor(job);
    const first = await features(dir, split);
    const firstDigests = await digests(path.join(dir, 'features'));
    log(`  features: ${first.rows} rows, ${first.rowsPerSecond} rows/s, peak RSS ${first.peakRssMb} MB`);
    const rerun = await features(dir, split);
    const again = await digests(path.join(dir, 'features'));
    const byteIdentical = [...firstDigests].every(([f, d]) => again.get(f) === d) && again.size === firstDigests.size;
    log(`  re-run: ${rerun.rowsPerSecond} rows/s, byte-identical: ${byteIdentical}`);
    const inc = await runNodeChild<{ rowsLoaded: number; durationMs: number }>('dist/cli.js',
      ['incremental', '--data-dir', dir, '--json', '--no-progress', '--log-level', 'error', '--requests-per-second', '1000', '--requests-per-hour', '1000000'],
      cliOpts(sim.baseUrl));
    const afterIncremental = await features(dir, split);
    log(`  after incremental (${inc.result.rowsLoaded} rows upserted): ${afterIncremental.rows} rows, ${afterIncremental.rowsPerSecond} rows/s`);
    const strip = ({ summary: _s, ...r }: FeaturesRun & { summary: FeaturesSummary }): FeaturesRun => r;
    return {
      job: rangeLabel(job),
      split,
      warehouseRows: hist.rowsLoaded,
      first: strip(first),
      rerun: strip(rerun),
      byteIdentical,
      files: first.summary.splits.flatMap((s) => s.files),
      incremental: { rowsLoaded: inc.result.rowsLoaded, durationMs: inc.result.durationMs },
      afterIncremental: strip(afterIncremental),
      load: Math.round(os.loadavg()[0] * 10) / 10,
    };
  } finally {
    await sim.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Text lines for the bench's stdout table. */
export function featuresText(f: FeaturesBenchResult): string[] {
  const mb = (b: number) => (b / 2 ** 20).toFixed(2);
  return [
    `features (${f.job}, ${f.warehouseRows.toLocaleString('en-US')} warehouse rows, --split ${f.split}; load ${f.load}):`,
    `  first ${f.first.rowsPerSecond.toLocaleString('en-US')} rows/s (${f.first.rows.toLocaleString('en-US')} rows, ${(f.first.durationMs / 1000).toFixed(1)} s, ` +
      `${f.first.cpuSec ?? '?'} CPU s, peak RSS ${f.first.peakRssMb ?? '?'} MB); re-run ${(f.rerun.durationMs / 1000).toFixed(1)} s, byte-identical ${f.byteIdentical ? 'yes' : 'NO'}; ` +
      `after incremental ${(f.afterIncremental.durationMs / 1000).toFixed(1)} s`,
    `  files: ${f.files.map((x) => `${x.name} ${mb(x.bytes)} MB`).join(', ')}`,
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const quick = process.argv.includes('--quick');
  benchFeatures(quick ? lastYears(1) : DEFAULT_JOB, (s) => process.stderr.write(`${s}\n`)).then(
    (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
    (e: unknown) => {
      process.stderr.write(`bench/features failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
