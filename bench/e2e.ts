/**
 * End-to-end benches: the real CLI (`src/cli.ts historical`) in a child process against the simulator in
 * another child process, so that each one's peak RSS and CPU time are its own.
 *
 * - `benchCpuBound`: no latency, both budgets off → raw + Parquet + quarantine + DuckDB. In the same run: the bare
 *   `JSON.parse` rate of the pages that run archived (the ceiling) and the old extractor's approach, as the seed ran
 *   it and made complete (`bench/baseline-old.ts`), on the same simulator, alternating with our runs.
 * - `benchApiBound`: EIA-like latency, the simulator's default budget and the pipeline's default budget and
 *   concurrency → wall time against the quota minimum, rows per request, and the most requests the simulator saw
 *   in any second and any hour (its request log); then the old approach's two variants at the same latency and budget.
 * - `benchScale`: the default job over growing ranges, CPU-bound → rows/s and peak RSS per size.
 *
 * After every pipeline run the stores are counted (`bench/lib/stores.ts`: DuckDB's distinct keys, Parquet's rows)
 * against the job's ground truth per respondent × series (`jobTruth`), never against the run's own counters.
 *
 * `npx tsx bench/e2e.ts [cpu|api|scale] [--quick]` prints one section's figures as JSON.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { DEFAULTS } from '../src/config.js';
import { DATASET_INFO, type Dataset, type TypeName } from '../src/core/catalog.js';
import { LAUNCH_ENV, LAUNCH_NODE_FLAGS } from '../src/core/heap.js';
import { formatHourStamp } from '../src/core/time.js';
import { selectionsFor } from '../src/pipelines/selections.js';
import type { RunSummary } from '../src/pipelines/summary.js';
import { expectedSeries, maxRequestsInWindow, minSpanOf, type RequestLogEntry } from '../src/simulator/index.js';
import type { Perturbation } from '../src/simulator/perturb.js';
import { seriesTruth, type SeriesTruth } from '../src/simulator/truth.js';
import type { OldBaselineResult, OldVariant } from './baseline-old.js';
import { storeExactness, type StoreExactness } from './lib/stores.js';
import { summarizeCpuProfile, type ProfileSummary } from './lib/cpuprofile.js';
import { BENCH_KEY, ROOT, SIM_NOW_MS, runNodeChild, startSimulatorChild, type ChildRun } from './lib/proc.js';
import { median, r2, sig3 } from './lib/stats.js';

/** A historical job: half-open UTC range of whole days, respondents and `--types`. */
export interface Job {
  startMs: number;
  endMs: number;
  regions: readonly string[];
  types: readonly TypeName[];
}

const day = (s: string) => Date.parse(`${s}T00:00:00Z`);
const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The default historical job (README): 2019-01-01 → 2026-01-01, PACW, ERCO, CAL, TEX, MISO × demand, generation. */
export const DEFAULT_JOB: Job = {
  startMs: day(DEFAULTS.start),
  endMs: day(DEFAULTS.end),
  regions: DEFAULTS.regions,
  types: DEFAULTS.types,
};

/** The default job cut to the last `years` years before its end (`months` for the quick ladder). */
export function lastYears(years: number, unit: 'years' | 'months' = 'years'): Job {
  const end = new Date(DEFAULT_JOB.endMs);
  const start =
    unit === 'years'
      ? Date.UTC(end.getUTCFullYear() - years, end.getUTCMonth(), 1)
      : Date.UTC(end.getUTCFullYear(), end.getUTCMonth() - years, 1);
  return { ...DEFAULT_JOB, startMs: start };
}

/** Label of a job's range, e.g. `2019-01-01 → 2026-01-01`. */
export const rangeLabel = (j: Job) => `${ymd(j.startMs)} → ${ymd(j.endMs)}`;

const truthCache = new Map<string, SeriesTruth>();

/**
 * The simulator's ground truth for a job at the bench's simulated now: rows per respondent × series over the whole
 * [start, end) (`seriesTruth`), independent of the planner's units and of any counter of the run under test.
 */
export function jobTruth(job: Job, perturb: Partial<Perturbation> | null = null): SeriesTruth {
  const k = `${job.startMs}|${job.endMs}|${job.regions.join(',')}|${job.types.join(',')}|${JSON.stringify(perturb)}`;
  let t = truthCache.get(k);
  if (!t) truthCache.set(k, (t = seriesTruth(selectionsFor(job.types, job.regions), job.startMs, job.endMs, { nowMs: SIM_NOW_MS, perturb })));
  return t;
}

/** Rows the simulator holds for a job. */
export const groundTruthRows = (job: Job): number => jobTruth(job).total;

/**
 * Days per batch of the old plan's `complete` variant, per route: the largest whole number of days for which the
 * route's biggest request (the respondent with the most series in any year of the range) stays within 5,000 rows.
 * A region-data request carries one `type`, so one series.
 */
export function completeBatchDays(job: Job): Partial<Record<Dataset, number>> {
  const out: Partial<Record<Dataset, number>> = {};
  const y0 = new Date(job.startMs).getUTCFullYear();
  const y1 = new Date(job.endMs - 1).getUTCFullYear();
  for (const sel of selectionsFor(job.types, job.regions)) {
    const info = DATASET_INFO[sel.dataset];
    let most = 1;
    if (sel.dataset !== 'region-data') {
      for (const r of sel.facets[info.respondentFacet] ?? []) for (let y = y0; y <= y1; y++) most = Math.max(most, expectedSeries(sel.dataset, r, y, { nowMs: SIM_NOW_MS }).length);
    }
    out[sel.dataset] = Math.floor(5000 / (24 * most));
  }
  return out;
}

/** One pipeline run's figures. */
export interface PipelineRun {
  rows: number;
  rowsLoaded: number;
  rowsQuarantined: number;
  rowsDuplicate: number;
  requests: number;
  retries: number;
  rowsPerRequest: number;
  /** The pipeline's own `durationMs` (warehouse open → summary; excludes Node + tsx start-up). */
  durationMs: number;
  rowsPerSecond: number;
  /** Spawn to exit, ms. */
  wallMs: number;
  /** The pipeline's own `peakRssMb` (`process.resourceUsage().maxRSS`). */
  peakRssMb: number;
  /** CPU seconds of the pipeline process, all threads (from /proc). */
  cpuSec: number | null;
  /** CPU seconds of the main (JS) thread alone; `cpuSec` minus this ran on V8's GC helpers and libuv's pool. */
  mainThreadCpuSec: number | null;
  /** `cpuSec ÷ durationMs`: cores busy on average (2 on this machine at most). */
  coresBusy: number | null;
  /** Rows per CPU second of the pipeline process (start-up included): what a row costs, steadier under load than rows/s. */
  rowsPerCpuSec: number | null;
  maxRequestsInAnySecond: number;
  maxRequestsInAnyHour: number;
  /** What DuckDB and Parquet hold after the run, against the job's ground truth (read after the process exited). */
  stores: StoreExactness;
}

/** Options of `runPipeline`. */
export interface RunPipelineOptions {
  baseUrl: string;
  dataDir: string;
  /** Lift the client's budget (`--requests-per-second 1000 --requests-per-hour 1000000`). */
  unlimited: boolean;
  /** Pass no range/regions/types flags at all (the CLI's defaults: the default job). */
  defaults?: boolean;
  /** Write a V8 CPU profile into this directory. */
  cpuProfDir?: string;
  /** The simulator serves a perturbed universe (`--universe`): the stores are checked against its truth. */
  perturb?: Partial<Perturbation> | null;
}

/** Build `dist/cli.js` (what `npm run pipeline` runs), once per bench process. */
let built: Promise<void> | null = null;
export function buildPipeline(): Promise<void> {
  return (built ??= new Promise<void>((resolve, reject) =>
    execFile(process.execPath, ['scripts/build.mjs'], { cwd: ROOT }, (e) => (e ? reject(e) : resolve())),
  ));
}

/**
 * Run `historical --json` in a child against `baseUrl`, launched as `npm run pipeline` launches it: the built
 * `dist/cli.js` with `LAUNCH_NODE_FLAGS` and `LAUNCH_ENV`.
 */
export async function runPipeline(job: Job, o: RunPipelineOptions): Promise<PipelineRun> {
  await buildPipeline();
  const args = ['historical', '--data-dir', o.dataDir, '--json', '--no-progress', '--log-level', 'error'];
  if (!o.defaults) {
    args.push('--start', formatHourStamp(job.startMs), '--end', formatHourStamp(job.endMs), '--regions', job.regions.join(','), '--types', job.types.join(','));
  }
  if (o.unlimited) args.push('--requests-per-second', '1000', '--requests-per-hour', '1000000');
  // The profiled run runs the TypeScript sources (through tsx) so that its frames name src/ files.
  const run = await runNodeChild<RunSummary>(o.cpuProfDir ? 'src/cli.ts' : 'dist/cli.js', args, {
    env: { ...LAUNCH_ENV, EIA_API_KEY: BENCH_KEY, EIA_BASE_URL: o.baseUrl },
    nodeFlags: [...LAUNCH_NODE_FLAGS, ...(o.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', o.cpuProfDir] : [])],
  });
  return pipelineRunOf(run, 'pipeline run', await storeExactness(o.dataDir, jobTruth(job, o.perturb ?? null)));
}

/**
 * A pipeline child's figures: its `--json` summary (which must say `ok`) with the process's wall time and CPU, and
 * the stores counted after it. `what` names the run in the error.
 */
export function pipelineRunOf(run: ChildRun<RunSummary>, what: string, stores: StoreExactness): PipelineRun {
  const s = run.result;
  if (s.status !== 'ok') throw new Error(`${what} ${s.status}: ${s.error}`);
  return {
    rows: s.rowsReceived,
    rowsLoaded: s.rowsLoaded,
    rowsQuarantined: s.rowsQuarantined,
    rowsDuplicate: s.rowsDuplicate,
    requests: s.requests,
    retries: s.retries,
    rowsPerRequest: s.rowsPerRequest,
    durationMs: s.durationMs,
    rowsPerSecond: s.rowsPerSecond,
    wallMs: run.wallMs,
    peakRssMb: s.peakRssMb,
    cpuSec: run.cpuSec,
    mainThreadCpuSec: run.mainThreadCpuSec,
    coresBusy: run.cpuSec === null ? null : r2(run.cpuSec / (s.durationMs / 1000)),
    rowsPerCpuSec: run.cpuSec ? Math.round(s.rowsReceived / run.cpuSec) : null,
    maxRequestsInAnySecond: s.maxRequestsInAnySecond,
    maxRequestsInAnyHour: s.maxRequestsInAnyHour,
    stores,
  };
}

/** The ceiling: bare `JSON.parse` over the page bodies a run archived. */
export interface CeilingFigures {
  pages: number;
  rows: number;
  /** Uncompressed bytes parsed per pass, MB (10^6 bytes). */
  mb: number;
  /** Median pass. */
  rowsPerSecond: number;
  mbPerSecond: number;
  passes: number;
}

async function rawPageFiles(dataDir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.endsWith('.json.gz')) out.push(p);
    }
  };
  await walk(path.join(dataDir, 'raw'));
  return out.sort();
}

/**
 * Time `JSON.parse(body.toString())` over every archived page of `dataDir`, `passes` times (median reported).
 * Files are read and gunzipped outside the timed part, one page at a time (memory stays at one page).
 */
export async function jsonParseCeiling(dataDir: string, passes = 3): Promise<CeilingFigures> {
  const files = await rawPageFiles(dataDir);
  const gz = await Promise.all(files.map((f) => readFile(f)));
  let rows = 0;
  let bytes = 0;
  const times: number[] = [];
  for (let p = 0; p < passes; p++) {
    let ms = 0;
    rows = bytes = 0;
    for (const z of gz) {
      const body = gunzipSync(z);
      const t = performance.now();
      const doc = JSON.parse(body.toString('utf8')) as { response?: { data?: unknown[] } };
      ms += performance.now() - t;
      rows += doc.response?.data?.length ?? 0;
      bytes += body.length;
    }
    times.push(ms);
  }
  const secs = median(times) / 1000;
  return {
    pages: files.length,
    rows,
    mb: Math.round(bytes / 1e5) / 10,
    rowsPerSecond: Math.round(rows / secs),
    mbPerSecond: Math.round(bytes / 1e6 / secs),
    passes,
  };
}

/** One baseline run: its own figures, its process's, and its kept rows against the job's ground truth. */
export type BaselineRun = OldBaselineResult & { procPeakRssMb: number | null; cpuSec: number | null; truthRows: number };

/** Run the old approach (bench/baseline-old.ts), `variant`, in a child against `baseUrl`, with the seed's 5 workers. */
export async function runBaseline(job: Job, baseUrl: string, outDir: string, variant: OldVariant = 'seed'): Promise<BaselineRun> {
  const args = ['--base-url', baseUrl, '--start', ymd(job.startMs), '--end', ymd(job.endMs), '--regions', job.regions.join(','), '--types', job.types.join(','), '--out', outDir, '--variant', variant];
  if (variant === 'complete') args.push('--batch-days', Object.entries(completeBatchDays(job)).map(([k, v]) => `${k}=${v}`).join(','));
  const run = await runNodeChild<OldBaselineResult>('bench/baseline-old.ts', args, { env: { EIA_API_KEY: BENCH_KEY } });
  return { ...run.result, procPeakRssMb: run.peakRssMb, cpuSec: run.cpuSec, truthRows: groundTruthRows(job) };
}

/** Both baseline variants, one after the other, each in a fresh output directory. */
async function runBaselines(job: Job, baseUrl: string, log: (s: string) => void, tag: string): Promise<{ seed: BaselineRun; complete: BaselineRun }> {
  const out: Partial<Record<OldVariant, BaselineRun>> = {};
  for (const variant of ['seed', 'complete'] as const) {
    const dir = await tempDir('old');
    try {
      const b = await runBaseline(job, baseUrl, dir, variant);
      out[variant] = b;
      log(`  ${tag} old approach (${variant}): ${b.requests} requests, ${b.keptRows} of ${b.truthRows} rows kept, ${b.rowsPerSecond} rows/s, ${b.truncated} cut at the cap`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return { seed: out.seed!, complete: out.complete! };
}

async function tempDir(tag: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `eia-bench-${tag}-`));
}

/** Figures of the CPU-bound section. */
export interface CpuBoundFigures {
  job: { range: string; regions: readonly string[]; types: readonly string[] };
  groundTruthRows: number;
  /** Our runs, in order (alternating with the baseline's). */
  runs: PipelineRun[];
  /** The run with the median rows/s. */
  ours: PipelineRun;
  ceiling: CeilingFigures[];
  /** The seed as it was (`bench/baseline-old.ts --variant seed`), one per repeat; `baseline` is the median. */
  baselineRuns: BaselineRun[];
  baseline: BaselineRun;
  /** The same request shape made complete (`--variant complete`), one per repeat; `complete` is the median. */
  completeRuns: BaselineRun[];
  complete: BaselineRun;
  /** Medians of the per-repeat ratios (each taken in the same repeat); the baselines' rates count kept rows. */
  oursOverCeiling: number;
  oursOverBaseline: number;
  oursOverComplete: number;
  /** Simulator CPU seconds over the whole section (it shares the 2 cores with the pipeline). */
  simulatorCpuSec: number | null;
}

const byRate = <T extends { rowsPerSecond: number }>(xs: readonly T[]): T => [...xs].sort((a, b) => a.rowsPerSecond - b.rowsPerSecond)[xs.length >> 1];

/**
 * CPU-bound end to end: one simulator (no latency, budget off); `repeats` × (our pipeline → ceiling over its
 * archive → the old approach as the seed ran it → its complete variant), after a short warm-up run that is not
 * reported.
 */
export async function benchCpuBound(job: Job, repeats = 1, log: (s: string) => void = () => {}): Promise<CpuBoundFigures> {
  const sim = await startSimulatorChild({ budget: 'off' });
  const runs: PipelineRun[] = [];
  const ceiling: CeilingFigures[] = [];
  const baselineRuns: BaselineRun[] = [];
  const completeRuns: BaselineRun[] = [];
  const ceilingRatios: number[] = [];
  const baselineRatios: number[] = [];
  const completeRatios: number[] = [];
  let simCpuSec: number | null = null;
  try {
    const warm = await tempDir('warmup');
    await runPipeline({ ...job, startMs: job.endMs - 14 * 86_400_000 }, { baseUrl: sim.baseUrl, dataDir: warm, unlimited: true }).finally(() =>
      rm(warm, { recursive: true, force: true }),
    );
    for (let i = 0; i < repeats; i++) {
      const dir = await tempDir('cpu');
      try {
        const run = await runPipeline(job, { baseUrl: sim.baseUrl, dataDir: dir, unlimited: true });
        runs.push(run);
        log(`  cpu-bound run ${i + 1}/${repeats}: ${run.rows} rows, ${run.rowsPerSecond} rows/s, peak RSS ${run.peakRssMb} MB; DuckDB ${run.stores.duckdb.distinctKeys} keys, Parquet ${run.stores.parquet.rows} rows of ${run.stores.truthRows}`);
        const c = await jsonParseCeiling(dir);
        ceiling.push(c);
        ceilingRatios.push(run.rowsPerSecond / c.rowsPerSecond);
        log(`  ceiling (JSON.parse of the same ${c.pages} pages): ${c.rowsPerSecond} rows/s`);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      const b = await runBaselines(job, sim.baseUrl, log, `run ${i + 1}/${repeats}:`);
      baselineRuns.push(b.seed);
      completeRuns.push(b.complete);
      baselineRatios.push(runs[i].rowsPerSecond / b.seed.rowsPerSecond);
      completeRatios.push(runs[i].rowsPerSecond / b.complete.rowsPerSecond);
    }
  } finally {
    simCpuSec = (await sim.stop()).cpuSec;
  }
  return {
    job: { range: rangeLabel(job), regions: job.regions, types: job.types },
    groundTruthRows: groundTruthRows(job),
    runs,
    ours: byRate(runs),
    ceiling,
    baselineRuns,
    baseline: byRate(baselineRuns),
    completeRuns,
    complete: byRate(completeRuns),
    oursOverCeiling: sig3(median(ceilingRatios)),
    oursOverBaseline: sig3(median(baselineRatios)),
    oursOverComplete: sig3(median(completeRatios)),
    simulatorCpuSec: simCpuSec,
  };
}

/** Figures of the API-bound section. */
export interface ApiBoundFigures {
  job: { range: string; regions: readonly string[]; types: readonly string[]; cliDefaults: boolean };
  latency: string;
  /** The simulator's arrival jitter J, ms: each request stamped and counted a random 0…J ms after it arrived. */
  arrivalJitterMs: number;
  run: PipelineRun;
  groundTruthRows: number;
  /** Requests the simulator served (retries and refusals included). */
  serverRequests: number;
  /** Requests the simulator refused for the budget. */
  throttled: number;
  /** `serverRequests ÷ 5` seconds: the least time the 5/s budget allows. */
  quotaMinimumSec: number;
  /** The pipeline's `durationMs` ÷ the quota minimum. */
  wallOverQuotaMinimum: number;
  /** First request arrival → last request arrival at the simulator, s. */
  requestSpanSec: number;
  serverMaxInAnySecond: number;
  serverMaxInAnyHour: number;
  /** Longest pause between two consecutive request arrivals, s (≈ 0.2 s when the budget is the only bound). */
  longestGapSec: number;
  /** Σ of the pauses longer than 1 s: time the pipe to the API stood idle (e.g. while sinks committed a unit). */
  gapsOver1sSec: number;
  /** (requests − 1) ÷ request span: the sustained rate the simulator saw, requests/s. */
  sustainedRequestsPerSec: number;
  /** Median of t[i + 5] − t[i] over the log, ms: how long the client takes per 5 requests (1,000 = exactly 5/s). */
  medianFiveRequestSpanMs: number;
  /**
   * Shortest t[i + 5] − t[i], ms: ≥ 1,000 means no second held 6 arrivals. 1,000 + the limiter's margin minus this
   * is how much the arrival jitter ate of the margin.
   */
  minFiveRequestSpanMs: number;
  /**
   * The old approach at the same latency and server budget, each on a fresh simulator: as the seed ran it and its
   * complete variant (5 workers, no limiter, no retry). Null when not run.
   */
  baseline: BaselineRun | null;
  complete: BaselineRun | null;
}

/** The simulator's arrival jitter in the API-bound section, ms. */
export const API_ARRIVAL_JITTER_MS = 50;

/**
 * API-bound end to end: the simulator with `latency` and its default budget (5/s, 9,000/h) and a request log;
 * the pipeline with its default budget (5,000/h, 5/s) and default concurrency. Then, unless `baselines` is false,
 * the old approach's two variants against a fresh simulator each with the same latency and budget.
 */
export async function benchApiBound(
  job: Job,
  opts: { latency?: string; cliDefaults?: boolean; baselines?: boolean; arrivalJitterMs?: number } = {},
  log: (s: string) => void = () => {},
): Promise<ApiBoundFigures> {
  const latency = opts.latency ?? '1000,0.04,300';
  // Requests reach the gateway with different network delays; 50 ms of spread is what the limiter must absorb.
  const arrivalJitterMs = opts.arrivalJitterMs ?? API_ARRIVAL_JITTER_MS;
  const dir = await tempDir('api');
  const requestLog = path.join(dir, 'requests.jsonl');
  const sim = await startSimulatorChild({ latency, requestLog, arrivalJitterMs });
  let run: PipelineRun;
  try {
    run = await runPipeline(job, { baseUrl: sim.baseUrl, dataDir: path.join(dir, 'data'), unlimited: false, defaults: opts.cliDefaults });
  } finally {
    await sim.stop();
  }
  let baselines: { seed: BaselineRun; complete: BaselineRun } | null = null;
  if (opts.baselines !== false) {
    const bsim = await startSimulatorChild({ latency });
    try {
      baselines = await runBaselines(job, bsim.baseUrl, log, 'api-bound:');
    } finally {
      await bsim.stop();
    }
  }
  try {
    const entries = (await readFile(requestLog, 'utf8'))
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as RequestLogEntry);
    const ts = entries.map((e) => e.t).sort((a, b) => a - b);
    const gaps = ts.slice(1).map((t, i) => t - ts[i]);
    const quotaMinimumSec = entries.length / 5;
    log(`  api-bound: ${run.requests} requests in ${(run.durationMs / 1000).toFixed(1)} s (quota minimum ${quotaMinimumSec.toFixed(1)} s)`);
    return {
      job: { range: rangeLabel(job), regions: job.regions, types: job.types, cliDefaults: !!opts.cliDefaults },
      latency,
      arrivalJitterMs,
      run,
      groundTruthRows: groundTruthRows(job),
      serverRequests: entries.length,
      throttled: entries.filter((e) => e.fault === 'throttled').length,
      quotaMinimumSec: r2(quotaMinimumSec),
      wallOverQuotaMinimum: sig3(run.durationMs / 1000 / quotaMinimumSec),
      requestSpanSec: r2((ts[ts.length - 1] - ts[0]) / 1000),
      serverMaxInAnySecond: maxRequestsInWindow(entries, 1000),
      serverMaxInAnyHour: maxRequestsInWindow(entries, 3_600_000),
      longestGapSec: r2(Math.max(0, ...gaps) / 1000),
      gapsOver1sSec: r2(gaps.filter((g) => g > 1000).reduce((a, g) => a + g, 0) / 1000),
      sustainedRequestsPerSec: r2((ts.length - 1) / ((ts[ts.length - 1] - ts[0]) / 1000)),
      medianFiveRequestSpanMs: Math.round(median(ts.slice(5).map((t, i) => t - ts[i]))),
      minFiveRequestSpanMs: Math.round(minSpanOf(entries, 6)),
      baseline: baselines?.seed ?? null,
      complete: baselines?.complete ?? null,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One point of the scale ladder. */
export interface ScalePoint {
  label: string;
  range: string;
  groundTruthRows: number;
  run: PipelineRun;
  /** Ratios to the first (smallest) point. */
  rowsRatio: number;
  timeRatio: number;
  /** timeRatio ÷ rowsRatio: 1 = perfectly linear. */
  timePerRowRatio: number;
  rssRatio: number;
}

/** The default job CPU-bound over each size (a fresh data dir each), smallest first. */
export async function benchScale(sizes: ReadonlyArray<{ label: string; job: Job }>, log: (s: string) => void = () => {}): Promise<ScalePoint[]> {
  const sim = await startSimulatorChild({ budget: 'off' });
  const out: ScalePoint[] = [];
  try {
    for (const { label, job } of sizes) {
      const dir = await tempDir('scale');
      try {
        const run = await runPipeline(job, { baseUrl: sim.baseUrl, dataDir: dir, unlimited: true });
        log(`  scale ${label}: ${run.rows} rows, ${run.rowsPerSecond} rows/s, peak RSS ${run.peakRssMb} MB`);
        const first = out[0]?.run ?? run;
        const rowsRatio = run.rows / first.rows;
        const timeRatio = run.durationMs / first.durationMs;
        out.push({
          label,
          range: rangeLabel(job),
          groundTruthRows: groundTruthRows(job),
          run,
          rowsRatio: r2(rowsRatio),
          timeRatio: r2(timeRatio),
          timePerRowRatio: r2(timeRatio / rowsRatio),
          rssRatio: r2(run.peakRssMb / first.peakRssMb),
        });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await sim.stop();
  }
  return out;
}

/** A profiled CPU-bound run: where the main thread's time goes. */
export interface ProfileFigures {
  range: string;
  run: PipelineRun;
  summary: ProfileSummary;
  /** Where the `.cpuprofile` was kept (bench/results/, git-ignored). */
  file: string;
}

/** One CPU-bound run under `node --cpu-prof`; the profile is copied to `keepAs`. */
export async function benchProfile(job: Job, keepAs: string): Promise<ProfileFigures> {
  const sim = await startSimulatorChild({ budget: 'off' });
  const dir = await tempDir('prof');
  try {
    const run = await runPipeline(job, { baseUrl: sim.baseUrl, dataDir: path.join(dir, 'data'), unlimited: true, cpuProfDir: path.join(dir, 'prof') });
    const [file] = (await readdir(path.join(dir, 'prof'))).filter((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('node --cpu-prof wrote no profile');
    const src = path.join(dir, 'prof', file);
    await copyFile(src, keepAs);
    return { range: rangeLabel(job), run, summary: summarizeCpuProfile(src, ROOT), file: path.relative(ROOT, keepAs) };
  } finally {
    await sim.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const quick = process.argv.includes('--quick');
  const which = process.argv[2] ?? 'cpu';
  const job = quick ? lastYears(1) : DEFAULT_JOB;
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const r =
    which === 'api'
      ? await benchApiBound(job, { cliDefaults: !quick }, log)
      : which === 'scale'
        ? await benchScale((quick ? [1, 3, 7].map((n) => ({ label: `${n} mo`, job: lastYears(n, 'months') })) : [1, 3, 7].map((n) => ({ label: `${n} y`, job: lastYears(n) }))), log)
        : await benchCpuBound(job, 1, log);
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
}
