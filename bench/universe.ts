/**
 * Planning against an unknown universe: the same job, CPU-bound (no latency, budgets off), once against the
 * simulator's table universe and once against a perturbed one (`--universe perturbed:SEED`: extra and dropped
 * fuels, BAs that start or stop mid-range, decimal values), each simulator and each pipeline in its own process.
 * The planner sizes its units from its own table (`src/sources/eia/known-series.ts`) in both runs, so the second
 * run shows what a wrong estimate costs: requests, rows per request, and, read from the stores against the
 * perturbed universe's own ground truth (`seriesTruth` with `perturb`), whether anything was lost.
 *
 * `npx tsx bench/universe.ts [--quick] [--seed N]` prints the figures as JSON; `benchUniverse()` returns them for
 * `npm run bench` (section `universe`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ApiWorkUnit } from '../src/core/contracts.js';
import { selectionsFor } from '../src/pipelines/selections.js';
import { countRows } from '../src/simulator/index.js';
import { describeChange, resolvePerturbation } from '../src/simulator/perturb.js';
import { perturbationOf } from '../src/simulator/series.js';
import { expectedRequests, planUnits } from '../src/sources/eia/planner.js';
import { DEFAULT_JOB, jobTruth, lastYears, rangeLabel, runPipeline, type Job, type PipelineRun } from './e2e.js';
import { SIM_NOW_MS, startSimulatorChild } from './lib/proc.js';

/** One universe's run. */
export interface UniverseRun {
  universe: string;
  /** Rows the simulator holds for the job in this universe (`seriesTruth`). */
  truthRows: number;
  /** Rows kept: DuckDB's distinct keys after the run. */
  rowsKept: number;
  /** Ground-truth rows ÷ 5,000, rounded up: the fewest requests any plan could send (one query holding every row). */
  minimumRequests: number;
  /**
   * The planner's units against what this universe holds in each (`countRows` per unit window, the simulator's
   * `total`): units with no row, units holding more rows than estimated, the largest actual ÷ estimate, and the
   * requests paging must cost, Σ max(1, ⌈total ÷ 5,000⌉), which the run's data requests should equal.
   */
  units: { count: number; empty: number; overEstimate: number; maxOverEstimate: number; pagingRequests: number };
  run: PipelineRun;
}

export interface UniverseBenchResult {
  job: string;
  seed: number;
  /** What the planner expects from its table (the same in both universes): units, requests, rows. */
  planned: { units: number; requests: number; rows: number };
  /** The perturbation of each of the job's respondents, one line each (unchanged ones left out). */
  changes: string[];
  /** Probability that a series carries 2-decimal values. */
  decimalsRate: number;
  table: UniverseRun;
  perturbed: UniverseRun;
  /** perturbed rows/request ÷ table rows/request. */
  rowsPerRequestRatio: number;
  /**
   * The worst case of the job: `generation` of the one respondent the perturbation shrinks most (its ground truth,
   * perturbed ÷ table), measured the same way. Its units are year-aligned like every unit, so years it does not
   * publish cost one empty request each. Null when the perturbation shrinks no respondent.
   */
  single: { label: string; planned: { units: number; requests: number; rows: number }; table: UniverseRun; perturbed: UniverseRun; rowsPerRequestRatio: number } | null;
  /** Every run's stores equal their universe's truth (no key lost, none twice). */
  nothingLost: boolean;
  /** 1-minute load average at the start and end of the section. */
  loadStart: number;
  loadEnd: number;
}

const load = () => Math.round(os.loadavg()[0] * 10) / 10;

function unitFigures(units: readonly ApiWorkUnit[], perturb: { seed: number } | null): UniverseRun['units'] {
  let empty = 0, overEstimate = 0, maxOverEstimate = 0, pagingRequests = 0;
  for (const u of units) {
    const total = countRows({ dataset: u.dataset, facets: u.facets, startMs: u.startMs, endMs: u.endMs }, { nowMs: SIM_NOW_MS, perturb });
    if (total === 0) empty++;
    if (total > u.expectedRows) overEstimate++;
    if (u.expectedRows > 0) maxOverEstimate = Math.max(maxOverEstimate, total / u.expectedRows);
    pagingRequests += Math.max(1, Math.ceil(total / 5000));
  }
  return { count: units.length, empty, overEstimate, maxOverEstimate: Math.round(maxOverEstimate * 100) / 100, pagingRequests };
}

async function one(job: Job, universe: string, perturb: { seed: number } | null, log: (s: string) => void): Promise<UniverseRun> {
  const sim = await startSimulatorChild({ budget: 'off', ...(perturb ? { universe } : {}) });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'eia-bench-universe-'));
  try {
    const run = await runPipeline(job, { baseUrl: sim.baseUrl, dataDir: dir, unlimited: true, perturb });
    const truthRows = jobTruth(job, perturb).total;
    const units = unitFigures(planUnits(selectionsFor(job.types, job.regions), job.startMs, job.endMs), perturb);
    log(`  ${universe}: ${run.requests} requests, ${run.rowsPerRequest} rows/request, kept ${run.stores.duckdb.distinctKeys} of ${truthRows} ` +
      `(DuckDB ${run.stores.duckdb.exact ? 'exact' : 'NOT exact'}, Parquet ${run.stores.parquet.exact ? 'exact' : 'NOT exact'}; load ${load()})`);
    log(`    units: ${units.count}, empty ${units.empty}, over the estimate ${units.overEstimate} (at most ×${units.maxOverEstimate}); paging costs ${units.pagingRequests} data requests`);
    return { universe, truthRows, rowsKept: run.stores.duckdb.distinctKeys, minimumRequests: Math.ceil(truthRows / 5000), units, run };
  } finally {
    await sim.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const plannedOf = (job: Job) => {
  const units = planUnits(selectionsFor(job.types, job.regions), job.startMs, job.endMs);
  return { units: units.length, requests: expectedRequests(units), rows: units.reduce((n, u) => n + u.expectedRows, 0) };
};
const ratio = (a: UniverseRun, b: UniverseRun) => Math.round((a.run.rowsPerRequest / b.run.rowsPerRequest) * 1000) / 1000;

/** Run the section: the table universe, then the perturbed one (seed `seed`); then the single-respondent worst case. */
export async function benchUniverse(job: Job, log: (s: string) => void = () => {}, seed = 1): Promise<UniverseBenchResult> {
  const loadStart = load();
  const perturbation = resolvePerturbation({ seed });
  const changes = [...new Set(job.regions)].sort().map((r) => describeChange(r, perturbationOf(perturbation, r))).filter((x): x is string => x !== null);
  log(`  perturbed:${seed} changes ${changes.join(' | ') || 'nothing in this job'}`);
  const table = await one(job, 'table', null, log);
  const perturbed = await one(job, `perturbed:${seed}`, { seed }, log);
  // The respondent whose generation the perturbation shrinks most, alone.
  const shrink = [...new Set(job.regions)].sort().map((r) => {
    const j: Job = { ...job, regions: [r], types: ['generation'] };
    return { r, j, f: jobTruth(j, { seed }).total / Math.max(1, jobTruth(j).total) };
  }).sort((a, b) => a.f - b.f)[0];
  let single: UniverseBenchResult['single'] = null;
  if (shrink && shrink.f < 1) {
    log(`  single: ${shrink.r} generation alone (perturbed ÷ table ground truth ${shrink.f.toFixed(3)})`);
    const t = await one(shrink.j, 'table', null, log);
    const p = await one(shrink.j, `perturbed:${seed}`, { seed }, log);
    single = { label: `${shrink.r} generation`, planned: plannedOf(shrink.j), table: t, perturbed: p, rowsPerRequestRatio: ratio(p, t) };
  }
  const exact = (u: UniverseRun) => u.run.stores.duckdb.exact && u.run.stores.parquet.exact;
  return {
    job: rangeLabel(job),
    seed,
    planned: plannedOf(job),
    changes,
    decimalsRate: perturbation!.decimals,
    table,
    perturbed,
    rowsPerRequestRatio: ratio(perturbed, table),
    single,
    nothingLost: [table, perturbed, ...(single ? [single.table, single.perturbed] : [])].every(exact),
    loadStart,
    loadEnd: load(),
  };
}

const n0 = (x: number) => Math.round(x).toLocaleString('en-US');

/** Text lines for the bench's stdout table (and, one per paragraph, the doc). */
export function universeText(u: UniverseBenchResult): string[] {
  const line = (x: UniverseRun) =>
    `  ${x.universe.padEnd(12)} ${n0(x.run.requests)} requests (at least ${n0(x.minimumRequests)}), ${n0(x.run.rowsPerRequest)} rows/request, ` +
    `rows kept ${n0(x.rowsKept)} of ${n0(x.truthRows)}; DuckDB ${x.run.stores.duckdb.exact ? 'exact' : 'NOT exact'}, Parquet ${x.run.stores.parquet.exact ? 'exact' : 'NOT exact'}; ` +
    `units: ${x.units.empty} empty, ${x.units.overEstimate} over the estimate (at most ×${x.units.maxOverEstimate}), paging ${n0(x.units.pagingRequests)} data requests`;
  return [
    `universe (${u.job}, CPU-bound; load ${u.loadStart} → ${u.loadEnd}): the planner expects ${n0(u.planned.rows)} rows in ${u.planned.units} units, ${n0(u.planned.requests)} requests`,
    line(u.table),
    line(u.perturbed),
    `  perturbed ÷ table rows/request ${u.rowsPerRequestRatio.toFixed(3)}; nothing lost: ${u.nothingLost ? 'yes' : 'NO'}`,
    `  perturbed:${u.seed} changes ${u.changes.join(' | ') || 'nothing in this job'}`,
    ...(u.single
      ? [`  worst case, ${u.single.label} alone (planner: ${u.single.planned.units} units, ${n0(u.single.planned.requests)} requests): perturbed ÷ table rows/request ${u.single.rowsPerRequestRatio.toFixed(3)}`,
        line(u.single.table), line(u.single.perturbed)]
      : []),
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const quick = process.argv.includes('--quick');
  const si = process.argv.indexOf('--seed');
  const seed = si >= 0 ? Number(process.argv[si + 1]) : 1;
  benchUniverse(quick ? lastYears(1) : DEFAULT_JOB, (s) => process.stderr.write(`${s}\n`), seed).then(
    (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
    (e: unknown) => {
      process.stderr.write(`bench/universe failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
