/**
 * The `replay` section: `npm run pipeline replay` over a data directory built once per size by a
 * CPU-bound `historical` run (simulator with no latency and `--budget off`, the pipeline unlimited, as the cpu
 * section runs it), then timed `repeats` times, each replay followed by the bare `JSON.parse` ceiling of exactly the
 * pages it replayed (`jsonParseCeiling`: files read and gunzipped outside the timed part, `JSON.parse(body.toString())`
 * timed, so Buffer → string is included and gunzip is not).
 *
 * Every replay runs the built CLI (`dist/cli.js replay --json`) in its own process with the launch flags of
 * `src/core/heap.ts`, so its peak RSS and CPU are its own. After each one the stores are counted against the
 * simulator's ground truth (`bench/lib/stores.ts`). Replay rewrites Parquet and upserts DuckDB over what the
 * historical run left, so an exact store after replay means replay neither lost nor duplicated a row.
 *
 * `npx tsx bench/replay.ts [--quick] [--repeats N]` prints the section's figures as JSON.
 */
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LAUNCH_ENV, LAUNCH_NODE_FLAGS } from '../src/core/heap.js';
import type { RunSummary } from '../src/pipelines/summary.js';
import { buildPipeline, groundTruthRows, jobTruth, jsonParseCeiling, lastYears, pipelineRunOf, rangeLabel, runPipeline, type CeilingFigures, type Job, type PipelineRun } from './e2e.js';
import { summarizeCpuProfile, type ProfileSummary } from './lib/cpuprofile.js';
import { ROOT, runNodeChild, startSimulatorChild } from './lib/proc.js';
import { storeExactness } from './lib/stores.js';
import { median, r2, sig3 } from './lib/stats.js';


/** One size of the replay ladder. */
export interface ReplaySize {
  label: string;
  range: string;
  groundTruthRows: number;
  /** The historical run that built the data directory (not what is judged here). */
  build: { rows: number; rowsPerSecond: number; peakRssMb: number };
  /** The replays, in order; each followed by its ceiling. */
  runs: PipelineRun[];
  ceiling: CeilingFigures[];
  /** 1-minute load average after each replay (the figures are taken on a shared machine). */
  loads: number[];
  /** The replay with the median rows/s. */
  median: PipelineRun;
  /** Median of the per-repeat ratios replay rows/s ÷ ceiling rows/s. */
  overCeiling: number;
  /** Largest peak RSS of this size's replays, MB. */
  peakRssMb: number;
}

/** Figures of the replay section. */
export interface ReplayBenchResult {
  sizes: ReplaySize[];
  /** The largest size (the one judged for rows/s and the ratio). */
  headline: string;
  /** Largest ÷ smallest peak RSS (1 = flat); null with one size. */
  rssRatio: number | null;
  /**
   * One more replay of the smallest size under `node --cpu-prof` (the TypeScript sources through tsx, so frames
   * name src/ files; not a speed figure): where the main thread's time goes. Null when not asked for.
   */
  profile: { label: string; run: PipelineRun; summary: ProfileSummary; file: string } | null;
}

/** `replay --json` on `dataDir` in a child, launched as `npm run pipeline replay` launches it; stores counted after. */
export async function runReplayCli(job: Job, dataDir: string, cpuProfDir?: string): Promise<PipelineRun> {
  await buildPipeline();
  const run = await runNodeChild<RunSummary>(cpuProfDir ? 'src/cli.ts' : 'dist/cli.js', ['replay', '--data-dir', dataDir, '--json', '--no-progress', '--log-level', 'error'], {
    env: { ...LAUNCH_ENV },
    nodeFlags: [...LAUNCH_NODE_FLAGS, ...(cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir] : [])],
  });
  // A replay sends no request.
  return { ...pipelineRunOf(run, 'replay', await storeExactness(dataDir, jobTruth(job))), maxRequestsInAnySecond: 0, maxRequestsInAnyHour: 0 };
}

/**
 * For each size (smallest first): build its data directory with one CPU-bound historical run, then `repeats` ×
 * (replay → ceiling over the same pages).
 */
export async function benchReplay(
  sizes: ReadonlyArray<{ label: string; job: Job }>,
  repeats = 1,
  log: (s: string) => void = () => {},
  profileAs?: string,
): Promise<ReplayBenchResult> {
  const sim = await startSimulatorChild({ budget: 'off' });
  const out: ReplaySize[] = [];
  let profile: ReplayBenchResult['profile'] = null;
  try {
    for (const { label, job } of sizes) {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'eia-bench-replay-'));
      try {
        const b = await runPipeline(job, { baseUrl: sim.baseUrl, dataDir: dir, unlimited: true });
        log(`  replay ${label}: data directory built by historical (${b.rows} rows, ${b.rowsPerSecond} rows/s)`);
        const runs: PipelineRun[] = [];
        const ceiling: CeilingFigures[] = [];
        const ratios: number[] = [];
        const loads: number[] = [];
        for (let i = 0; i < repeats; i++) {
          const run = await runReplayCli(job, dir);
          loads.push(Math.round(os.loadavg()[0] * 10) / 10);
          const c = await jsonParseCeiling(dir);
          runs.push(run);
          ceiling.push(c);
          ratios.push(run.rowsPerSecond / c.rowsPerSecond);
          log(
            `  replay ${label} run ${i + 1}/${repeats}: ${run.rows} rows, ${run.rowsPerSecond} rows/s, peak RSS ${run.peakRssMb} MB, ` +
              `ceiling ${c.rowsPerSecond} rows/s (${fr(run.rowsPerSecond / c.rowsPerSecond)}×), load ${loads[i]}; ` +
              `DuckDB ${run.stores.duckdb.distinctKeys} keys, Parquet ${run.stores.parquet.rows} rows of ${run.stores.truthRows}`,
          );
        }
        const med = [...runs].sort((a, z) => a.rowsPerSecond - z.rowsPerSecond)[runs.length >> 1];
        out.push({
          label,
          range: rangeLabel(job),
          groundTruthRows: groundTruthRows(job),
          build: { rows: b.rows, rowsPerSecond: b.rowsPerSecond, peakRssMb: b.peakRssMb },
          runs,
          ceiling,
          loads,
          median: med,
          overCeiling: sig3(median(ratios)),
          peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)),
        });
        if (profileAs && !profile) {
          const profDir = path.join(dir, '.prof');
          const run = await runReplayCli(job, dir, profDir);
          const [file] = (await readdir(profDir)).filter((f) => f.endsWith('.cpuprofile'));
          if (!file) throw new Error('node --cpu-prof wrote no profile');
          await copyFile(path.join(profDir, file), profileAs);
          profile = { label, run, summary: summarizeCpuProfile(profileAs, ROOT, 20), file: path.relative(ROOT, profileAs) };
          log(`  replay ${label} profiled: ${profile.summary.idlePct}% idle; top: ${profile.summary.functions.slice(0, 3).map((f) => `${f.name} ${f.pct}%`).join(', ')}`);
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await sim.stop();
  }
  return {
    sizes: out,
    headline: out[out.length - 1]?.label ?? '',
    rssRatio: out.length > 1 ? r2(out[out.length - 1].peakRssMb / out[0].peakRssMb) : null,
    profile,
  };
}

const fr = (x: number) => (x < 0.1 ? x.toPrecision(2) : x.toFixed(2));
const n0 = (x: number) => Math.round(x).toLocaleString('en-US');

/** The section's lines for the stdout table (the Markdown uses them too). */
export function replayText(r: ReplayBenchResult): string[] {
  const lines = ['Replay (`replay`: raw archive → Parquet + quarantine + DuckDB, no API; median of the repeats per size)'];
  for (const s of r.sizes) {
    const c = s.ceiling[s.runs.indexOf(s.median)] ?? s.ceiling[0];
    lines.push(
      `  ${s.label} (${s.range}): ${n0(s.median.rows)} rows, ${n0(s.median.rowsPerSecond)} rows/s, ceiling ${n0(c?.rowsPerSecond ?? 0)} rows/s ` +
        `(JSON.parse after gunzip, ${c?.pages ?? 0} pages) → ${fr(s.overCeiling)}×; peak RSS ${s.peakRssMb} MB; ` +
        `${s.median.cpuSec ?? '?'} CPU s (main thread ${s.median.mainThreadCpuSec ?? '?'}), ${n0(s.median.rowsPerCpuSec ?? 0)} rows per CPU s; ` +
        `load ${s.loads.join(', ')}; stores ${s.runs.every((x) => x.stores.duckdb.exact && x.stores.parquet.exact) ? 'exact' : 'NOT exact'}`,
    );
  }
  if (r.rssRatio !== null) lines.push(`  peak RSS ${r.sizes[r.sizes.length - 1].label} ÷ ${r.sizes[0].label}: ${r.rssRatio}×`);
  const p = r.profile;
  if (p) {
    const busyMs = p.summary.totalMs * (1 - p.summary.idlePct / 100) * (1 - p.summary.startupPct / 100);
    lines.push(
      `  main-thread profile of a ${p.label} replay (${p.file}, tsx + profiler: slower than the runs above): ${p.summary.idlePct}% idle, ` +
        `${((busyMs * 1000) / p.run.rows).toFixed(1)} busy µs per row without start-up; by component: ` +
        (p.summary.components ?? []).slice(0, 6).map((c) => `${c.name} ${((c.ms * 1000) / p.run.rows).toFixed(2)} µs`).join(', '),
      `  top functions (µs per row): ${p.summary.functions.slice(0, 8).map((f) => `${f.name}${f.via ? ` ← ${f.via}` : ''} ${((f.ms * 1000) / p.run.rows).toFixed(2)}`).join('; ')}`,
    );
  }
  return lines;
}

/** The replay sizes: 1, 3 and 7 years (full), 1 year (quick). */
export function replaySizes(quick: boolean): Array<{ label: string; job: Job }> {
  return (quick ? [1] : [1, 3, 7]).map((k) => ({ label: `${k} y`, job: lastYears(k) }));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const quick = process.argv.includes('--quick');
  const ri = process.argv.indexOf('--repeats');
  const repeats = ri >= 0 ? Number(process.argv[ri + 1]) : quick ? 1 : 3;
  const keep = path.join(ROOT, 'bench', 'results', `replay-${quick ? 'quick' : 'full'}.cpuprofile`);
  benchReplay(replaySizes(quick), repeats, (s) => process.stderr.write(`${s}\n`), keep).then(
    (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
    (e: unknown) => {
      process.stderr.write(`bench/replay failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
