/**
 * The bulk path's bench: `historical --source bulk --bulk-file <EBA.zip>` end to end into all its sinks (Parquet,
 * quarantine, DuckDB), against the bare `JSON.parse` rate of the same lines of the same file.
 *
 * - **The file** is the simulator's `EBA.zip` (`bench/lib/eba-file.ts`, cached in `bench/results/`): its lines hold
 *   whole series from 2019, 1.5–2.7 MB each, like EIA's. `bulk` (in every bench) reads the file of the job's
 *   respondents built at the bench's simulated now; `bulk-full` (`--only bulk-full`, not in the default run) reads
 *   the whole universe, every respondent and route, 2019 → its build day, with every respondent and type selected.
 * - **Ours**: the real CLI (`dist/cli.js` with the launch flags, as `npm run pipeline`) in its own process, no key, no
 *   simulator process. rows/s = DuckDB's distinct keys after the run ÷ the pipeline's own `durationMs` (warehouse
 *   open → summary: the file's sha256, unzip, split, parse, validate, normalize and every sink's commit). Peak RSS
 *   is the process's `VmHWM` from `/proc` (every thread, DuckDB's included).
 * - **The ceiling** (`ceiling` child process, right after our run): the same file unzipped (yauzl) and split
 *   (`keptLines`, the source's own head check) as the source does, and `JSON.parse(line)` timed around each kept
 *   line and nothing else; rows = the points of those lines inside the job's range (counted outside the timed
 *   part). It is what parsing the kept lines costs once the bytes are text in memory: unzip, split, the head
 *   check and the UTF-8 decode are left out of it (their time is reported beside it as `read s`).
 * - **Exactness** is read from the stores (`bench/lib/stores.ts`) against `seriesTruth` at the file's build hour.
 *
 * `npx tsx bench/bulk.ts [bulk|bulk-full] [--quick]` prints one section's figures as JSON; `… profile [--quick]` runs
 * the bulk job once under `node --cpu-prof` and prints the main thread's self time per function, component and area;
 * `… source [--quick]` times the source alone and with validate + normalize in-process (no sinks), CPU s per pass;
 * `npx tsx bench/bulk.ts ceiling <json args>` is the ceiling's child process.
 */
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DATASETS, TYPE_NAMES, type TypeName } from '../src/core/catalog.js';
import { LAUNCH_ENV, LAUNCH_NODE_FLAGS } from '../src/core/heap.js';
import { formatHourStamp } from '../src/core/time.js';
import type { RunSummary } from '../src/pipelines/summary.js';
import { selectionsFor } from '../src/pipelines/selections.js';
import { SPAN_HEAD_CHARS, ebaSelectionOf, skipReason } from '../src/sources/bulk/eba-select.js';
import { parseEbaUtcStamp } from '../src/sources/bulk/eba-series.js';
import { createEbaSource } from '../src/sources/bulk/eba-source.js';
import { openEbaZip } from '../src/sources/bulk/eba-zip.js';
import { validateNormalize } from '../src/transforms/validate-normalize.js';
import { keptLines } from '../src/sources/bulk/line-splitter.js';
import { allSeries } from '../src/simulator/series.js';
import { seriesTruth } from '../src/simulator/truth.js';
import { DEFAULT_JOB, buildPipeline, pipelineRunOf, rangeLabel, type Job, type PipelineRun } from './e2e.js';
import { summarizeCpuProfile } from './lib/cpuprofile.js';
import { ensureEbaFile, type EbaFileFacts } from './lib/eba-file.js';
import { ROOT, SIM_NOW_MS, runNodeChild } from './lib/proc.js';
import { storeExactness } from './lib/stores.js';
import { median, r2, sig3 } from './lib/stats.js';

const day = (s: string) => Date.parse(`${s}T00:00:00Z`);
const load1 = () => Math.round(os.loadavg()[0]! * 10) / 10;

/** The quick bulk job: PACW × demand, generation over 2019–2025 from a file of PACW's lines (~0.37 M rows, 6 lines of 1.5–2.7 MB). */
export const QUICK_BULK_JOB: Job = { startMs: day('2019-01-01'), endMs: day('2026-01-01'), regions: ['PACW'], types: ['demand', 'generation'] };

/** Every respondent that has a line in the simulator's file (all BAs and regions, every route). */
export function allRespondents(): string[] {
  const out = new Set<string>();
  for (const d of DATASETS) for (const s of allSeries(d)) out.add(s.respondent);
  return [...out].sort();
}

/** The ceiling's figures (child process). */
export interface BulkCeiling {
  /** Lines in the file, lines kept by the head check. */
  lines: number;
  linesKept: number;
  /** Points of the kept lines inside the job's range. */
  rows: number;
  /** Text of the kept lines, MB (10^6 bytes). */
  keptMb: number;
  /** Text of the whole `EBA.txt`, MB. */
  textMb: number;
  /** Longest kept line, MB. */
  longestLineMb: number;
  passes: number;
  /** Median pass: seconds inside `JSON.parse`, and the rate. */
  parseSec: number;
  rowsPerSecond: number;
  mbPerSecond: number;
  /** Median pass: the rest of the pass (unzip, split, head check, UTF-8 decode), s. */
  readSec: number;
  peakRssMb: number | null;
}

/** One `historical --source bulk` run. */
export type BulkRun = PipelineRun & {
  /** Kept rows (DuckDB's distinct keys) ÷ `durationMs`. */
  keptRowsPerSecond: number;
  /** Peak RSS of the whole process from /proc (`VmHWM`), MB. */
  procPeakRssMb: number | null;
  /** 1-minute load average when the run ended. */
  load: number;
};

/** Figures of the `bulk` section. */
export interface BulkBenchResult {
  job: { range: string; regions: readonly string[]; types: readonly string[] };
  file: EbaFileFacts & { reused: boolean };
  groundTruthRows: number;
  runs: BulkRun[];
  /** The run with the median rate. */
  ours: BulkRun;
  ceiling: BulkCeiling[];
  /** Median of the per-repeat ratios ours ÷ ceiling. */
  oursOverCeiling: number;
  loadStart: number;
  loadEnd: number;
}

/** Figures of the `bulk-full` section: the whole simulated universe end to end, once. */
export interface BulkFullResult {
  job: { range: string; respondents: number; types: readonly string[] };
  file: EbaFileFacts & { reused: boolean };
  groundTruthRows: number;
  run: BulkRun;
  /** Spawn to exit of the pipeline, s. */
  wallSec: number;
  loadStart: number;
  loadEnd: number;
}

/** Run the pipeline over `zip` for `job` into a fresh data dir and count its stores against the truth at `nowMs`. */
export async function runBulkPipeline(zip: string, job: Job, nowMs: number, opts: { cpuProfDir?: string } = {}): Promise<BulkRun> {
  await buildPipeline();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'eia-bench-bulk-'));
  try {
    const args = [
      'historical', '--source', 'bulk', '--bulk-file', zip, '--data-dir', dir, '--json', '--no-progress', '--log-level', 'error',
      '--start', formatHourStamp(job.startMs), '--end', formatHourStamp(job.endMs), '--regions', job.regions.join(','), '--types', job.types.join(','),
    ];
    // No key: the bulk run never calls the API (and must not fall back to a simulator: --bulk-file is given).
    const run = await runNodeChild<RunSummary>(opts.cpuProfDir ? 'src/cli.ts' : 'dist/cli.js', args, {
      env: { ...LAUNCH_ENV, EIA_API_KEY: '', EIA_BASE_URL: '', EIA_BULK_URL: '' },
      nodeFlags: [...LAUNCH_NODE_FLAGS, ...(opts.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProfDir] : [])],
    });
    const load = load1();
    const truth = seriesTruth(selectionsFor(job.types, job.regions), job.startMs, job.endMs, { nowMs });
    const stores = await storeExactness(dir, truth);
    const base = pipelineRunOf(run, 'bulk run', stores);
    // Rates count the rows kept (DuckDB's distinct keys); the bulk file sends no request.
    return {
      ...base,
      rowsPerRequest: 0,
      keptRowsPerSecond: Math.round(stores.duckdb.distinctKeys / (base.durationMs / 1000)),
      procPeakRssMb: run.peakRssMb,
      rowsPerCpuSec: run.cpuSec ? Math.round(stores.duckdb.distinctKeys / run.cpuSec) : null,
      load,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The ceiling over `zip` for `job`, `passes` times, in a child process (its RSS is its own). */
export async function bulkCeiling(zip: string, job: Job, passes: number): Promise<BulkCeiling> {
  const run = await runNodeChild<BulkCeiling>('bench/bulk.ts', ['ceiling', JSON.stringify({ zip, job, passes })], { nodeFlags: [...LAUNCH_NODE_FLAGS] });
  return { ...run.result, peakRssMb: run.peakRssMb };
}

/** The ceiling's child: stream the file as the source does and time `JSON.parse` of each kept line. */
async function ceilingChild(zip: string, job: Job, passes: number): Promise<BulkCeiling> {
  const selection = ebaSelectionOf(selectionsFor(job.types, job.regions), job.startMs, job.endMs);
  const parseMs: number[] = [];
  const readMs: number[] = [];
  let rows = 0, lines = 0, linesKept = 0, keptBytes = 0, textBytes = 0, longest = 0;
  for (let p = 0; p < passes; p++) {
    const t0 = performance.now();
    let ms = 0;
    const counts = { lines: 0, kept: 0, bytes: 0 };
    rows = keptBytes = longest = 0;
    const z = await openEbaZip(zip, zip);
    try {
      const text = await z.openText();
      for await (const line of keptLines(text as AsyncIterable<Buffer>, SPAN_HEAD_CHARS, (head) => skipReason(selection, head) === undefined, counts)) {
        const t = performance.now();
        const obj = JSON.parse(line) as { data?: unknown[] };
        ms += performance.now() - t;
        keptBytes += line.length;
        longest = Math.max(longest, line.length);
        // Rows: the points of the range, as the pipeline keeps them (counted outside the timed part).
        for (const pt of obj.data ?? []) {
          const h = Array.isArray(pt) && typeof pt[0] === 'string' ? parseEbaUtcStamp(pt[0]) : undefined;
          if (h !== undefined && h >= job.startMs && h < job.endMs) rows++;
        }
      }
    } finally {
      z.close();
    }
    parseMs.push(ms);
    readMs.push(performance.now() - t0 - ms);
    lines = counts.lines;
    linesKept = counts.kept;
    textBytes = counts.bytes;
  }
  const parseSec = median(parseMs) / 1000;
  return {
    lines,
    linesKept,
    rows,
    keptMb: Math.round(keptBytes / 1e5) / 10,
    textMb: Math.round(textBytes / 1e5) / 10,
    longestLineMb: Math.round(longest / 1e4) / 100,
    passes,
    parseSec: r2(parseSec),
    rowsPerSecond: Math.round(rows / parseSec),
    mbPerSecond: Math.round(keptBytes / 1e6 / parseSec),
    // The pass minus the parse: unzip, split, head check, decode, and the rows count above.
    readSec: r2(median(readMs) / 1000),
    peakRssMb: null,
  };
}

const byRate = (xs: readonly BulkRun[]): BulkRun => [...xs].sort((a, b) => a.keptRowsPerSecond - b.keptRowsPerSecond)[xs.length >> 1]!;

/**
 * The `bulk` section: `repeats` × (our run → the ceiling over the same file). Quick: PACW's file and job (~0.37 M
 * rows); full: the default job's respondents' file and the default job (~2.6 M rows).
 */
export async function benchBulk(quick: boolean, repeats: number, log: (s: string) => void = () => {}): Promise<BulkBenchResult> {
  const loadStart = load1();
  const job = quick ? QUICK_BULK_JOB : DEFAULT_JOB;
  const file = await ensureEbaFile(quick ? 'quick' : 'default', SIM_NOW_MS, [...job.regions]);
  log(`  bulk: ${file.file} (${(file.zipBytes / 1e6).toFixed(1)} MB zipped, ${file.reused ? 'cached' : `generated in ${file.generatedSec} s`})`);
  const zip = path.join(ROOT, file.file);
  const runs: BulkRun[] = [];
  const ceiling: BulkCeiling[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const run = await runBulkPipeline(zip, job, SIM_NOW_MS);
    runs.push(run);
    log(`  bulk run ${i + 1}/${repeats}: ${run.stores.duckdb.distinctKeys} rows kept, ${run.keptRowsPerSecond} rows/s, peak RSS ${run.procPeakRssMb} MB; load ${run.load}`);
    const c = await bulkCeiling(zip, job, 3);
    ceiling.push(c);
    ratios.push(run.keptRowsPerSecond / c.rowsPerSecond);
    log(`  ceiling (JSON.parse of the same ${c.linesKept} lines): ${c.rowsPerSecond} rows/s; load ${load1()}`);
  }
  return {
    job: { range: rangeLabel(job), regions: job.regions, types: job.types },
    file,
    groundTruthRows: runs[0]!.stores.truthRows,
    runs,
    ours: byRate(runs),
    ceiling,
    oursOverCeiling: sig3(median(ratios)),
    loadStart,
    loadEnd: load1(),
  };
}

/** The build day of the full-size file: today (UTC), so the file runs 2019 → now; a cached file of today is reused. */
export function fullBuildMs(nowMs = Date.now()): number {
  return Math.floor(nowMs / 86_400_000) * 86_400_000;
}

/** The `bulk-full` section: the whole universe, every respondent and type, 2019 → the build day, once. */
export async function benchBulkFull(log: (s: string) => void = () => {}, buildMs = fullBuildMs()): Promise<BulkFullResult> {
  const loadStart = load1();
  const file = await ensureEbaFile('full', buildMs, null);
  log(`  bulk-full: ${file.file} (${(file.zipBytes / 1e6).toFixed(1)} MB zipped, ${file.reused ? 'cached' : `generated in ${file.generatedSec} s`}); load ${load1()}`);
  const job: Job = { startMs: day('2019-01-01'), endMs: buildMs, regions: allRespondents(), types: [...TYPE_NAMES] as TypeName[] };
  const run = await runBulkPipeline(path.join(ROOT, file.file), job, buildMs);
  log(`  bulk-full: ${run.stores.duckdb.distinctKeys} rows kept in ${(run.durationMs / 1000).toFixed(1)} s, ${run.keptRowsPerSecond} rows/s, peak RSS ${run.procPeakRssMb} MB; load ${run.load}`);
  return {
    job: { range: rangeLabel(job), respondents: job.regions.length, types: job.types },
    file,
    groundTruthRows: run.stores.truthRows,
    run,
    wallSec: Math.round(run.wallMs / 100) / 10,
    loadStart,
    loadEnd: load1(),
  };
}

const n0 = (x: number) => Math.round(x).toLocaleString('en-US');

/** Text lines for the bench's stdout table. */
export function bulkText(b: BulkBenchResult | null | undefined, f: BulkFullResult | null | undefined): string[] {
  const out: string[] = [];
  if (b) {
    const c = b.ceiling[0]!;
    out.push(
      `Bulk (EBA.zip, ${b.job.regions.join(', ')} × ${b.job.types.join(', ')}, ${b.job.range}; load ${b.loadStart}→${b.loadEnd})`,
      `  ours ${n0(b.ours.keptRowsPerSecond)} rows/s (${n0(b.ours.stores.duckdb.distinctKeys)} rows kept of ${n0(b.groundTruthRows)}, peak RSS ${b.ours.procPeakRssMb} MB); ` +
        `ceiling ${n0(median(b.ceiling.map((x) => x.rowsPerSecond)))} rows/s (JSON.parse of ${c.linesKept} lines, ${c.keptMb} MB, longest ${c.longestLineMb} MB); ours ÷ ceiling ${b.oursOverCeiling}`,
    );
  }
  if (f) {
    out.push(
      `Bulk, full-size file (${f.job.respondents} respondents × every type, ${f.job.range}; load ${f.loadStart}→${f.loadEnd})`,
      `  ${n0(f.run.stores.duckdb.distinctKeys)} rows kept of ${n0(f.groundTruthRows)} in ${(f.run.durationMs / 1000).toFixed(1)} s (${f.wallSec} s spawn to exit), ` +
        `${n0(f.run.keptRowsPerSecond)} rows/s, peak RSS ${f.run.procPeakRssMb} MB`,
    );
  }
  return out;
}

/** The Markdown section of `docs/benchmarks.md`. */
export function bulkMarkdown(b: BulkBenchResult | null | undefined, f: BulkFullResult | null | undefined): string[] {
  if (!b && !f) return [];
  const out: string[] = ['## Bulk file (`historical --source bulk`)', ''];
  const storeCell = (r: BulkRun) => (r.stores.duckdb.exact && r.stores.parquet.exact ? 'exact' : `DuckDB ${n0(r.stores.duckdb.distinctKeys)}, Parquet ${n0(r.stores.parquet.rows)} of ${n0(r.stores.truthRows)}`);
  if (b) {
    const c = b.ceiling[0]!;
    const ceil = median(b.ceiling.map((x) => x.rowsPerSecond));
    out.push(
      `The simulator's \`EBA.zip\` of ${b.job.regions.join(', ')} built at the bench's simulated now (\`${b.file.file}\`, ${(b.file.zipBytes / 1e6).toFixed(1)} MB zipped, ` +
        `${c.textMb} MB of text in ${n0(c.lines)} lines; the ${c.linesKept} lines the job keeps hold ${c.keptMb} MB, the longest ${c.longestLineMb} MB), ` +
        `read by \`historical --source bulk --bulk-file\` for ${b.job.regions.join(', ')} × ${b.job.types.join(', ')} over ${b.job.range} into Parquet, quarantine and DuckDB ` +
        `(the built CLI with the launch flags, its own process). ${b.runs.length} repeat(s), each our run then the ceiling. 1-minute load ${b.loadStart} at the start, ${b.loadEnd} at the end.`,
      '',
      '|  | rows/s | rows | s | peak RSS MB | CPU s (cores busy) | rows per CPU s | stores vs truth |',
      '|---|---:|---:|---:|---:|---:|---:|---|',
      `| **eia-stream, bulk** (median run) | ${n0(b.ours.keptRowsPerSecond)} | ${n0(b.ours.stores.duckdb.distinctKeys)} | ${(b.ours.durationMs / 1000).toFixed(1)} | ${b.ours.procPeakRssMb ?? '—'} | ` +
        `${b.ours.cpuSec === null ? '—' : `${b.ours.cpuSec.toFixed(1)} (${b.ours.coresBusy})`} | ${b.ours.rowsPerCpuSec === null ? '—' : n0(b.ours.rowsPerCpuSec)} | ${storeCell(b.ours)} |`,
      `| \`JSON.parse\` of the same lines (ceiling) | ${n0(ceil)} | ${n0(c.rows)} | ${c.parseSec} | ${c.peakRssMb ?? '—'} | — | — | — |`,
      '',
      `- **ours ÷ ceiling: ${b.oursOverCeiling}** (median of the per-repeat ratios). The ceiling times \`JSON.parse(line)\` alone over the kept lines, ` +
        `as the source splits them (yauzl, \`keptLines\` and its head check); unzip, split, head check and UTF-8 decode of the whole file are outside it ` +
        `(${c.readSec} s of its pass, against our ${(b.ours.durationMs / 1000).toFixed(1)} s in all). Its rows are the points of those lines inside the range.`,
      `- Our rows/s count rows kept (DuckDB's distinct keys after the run) over the pipeline's own \`durationMs\` (the file's sha256, unzip, split, ` +
        `parse, validate, normalize, every sink and commit). Peak RSS is the process's \`VmHWM\`. Runs: ${b.runs.map((r) => `${n0(r.keptRowsPerSecond)} rows/s (RSS ${r.procPeakRssMb} MB, load ${r.load})`).join(', ')}; ` +
        `ceilings: ${b.ceiling.map((x) => n0(x.rowsPerSecond)).join(', ')} rows/s.`,
      '',
    );
  }
  if (f) {
    out.push(
      `**The full-size file** (\`npm run bench -- --only bulk-full\`): the simulator's whole universe, ${f.job.respondents} respondents, every route and type, ` +
        `${f.job.range} (\`${f.file.file}\`, ${(f.file.zipBytes / 1e6).toFixed(1)} MB zipped${f.file.generatedSec ? `, generated in ${f.file.generatedSec} s` : ''}), ` +
        `read with every respondent and type selected. 1-minute load ${f.loadStart} at the start, ${f.loadEnd} at the end.`,
      '',
      '| rows kept | ground truth | time s | spawn to exit s | rows/s | peak RSS MB | CPU s (cores busy) | stores vs truth |',
      '|---:|---:|---:|---:|---:|---:|---:|---|',
      `| ${n0(f.run.stores.duckdb.distinctKeys)} | ${n0(f.groundTruthRows)} | ${(f.run.durationMs / 1000).toFixed(1)} | ${f.wallSec} | ${n0(f.run.keptRowsPerSecond)} | ` +
        `${f.run.procPeakRssMb ?? '—'} | ${f.run.cpuSec === null ? '—' : `${f.run.cpuSec.toFixed(1)} (${f.run.coresBusy})`} | ${storeCell(f.run)} |`,
      '',
    );
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [which, arg] = process.argv.slice(2);
  const log = (s: string) => process.stderr.write(`${s}\n`);
  if (which === 'ceiling') {
    const { zip, job, passes } = JSON.parse(arg!) as { zip: string; job: Job; passes: number };
    process.stdout.write(`${JSON.stringify(await ceilingChild(zip, job, passes))}\n`);
  } else if (which === 'source') {
    // The source alone, then the source with validate + normalize, in this process (no sinks): CPU s per pass.
    const quick = process.argv.includes('--quick');
    const job = quick ? QUICK_BULK_JOB : DEFAULT_JOB;
    const file = await ensureEbaFile(quick ? 'quick' : 'default', SIM_NOW_MS, [...job.regions]);
    const ac = new AbortController();
    const out: Array<{ mode: string; rows: number; sec: number; cpuSec: number; load: number }> = [];
    for (const mode of ['source', 'source+validate', 'source', 'source+validate']) {
      const src = createEbaSource({
        file: path.join(ROOT, file.file), what: file.file, fileTag: 'bench', horizonHours: 72, done: new Set(), urlBase: 'bulk:bench',
        receivedAt: new Date().toISOString(), selection: ebaSelectionOf(selectionsFor(job.types, job.regions), job.startMs, job.endMs),
      });
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      let rows = 0;
      const items = mode === 'source' ? src.read(ac.signal) : validateNormalize({})(src.read(ac.signal), { signal: ac.signal });
      for await (const it of items) {
        if (it.kind === 'page') rows += it.page.envelope.rows.length;
      }
      const cu = process.cpuUsage(c0);
      out.push({ mode, rows, sec: r2((performance.now() - t0) / 1000), cpuSec: r2((cu.user + cu.system) / 1e6), load: load1() });
    }
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } else if (which === 'profile') {
    // One run under `node --cpu-prof` (tsx, so frames name src/ files): the summary on stdout, the profile kept.
    const quick = process.argv.includes('--quick');
    const job = quick ? QUICK_BULK_JOB : DEFAULT_JOB;
    const file = await ensureEbaFile(quick ? 'quick' : 'default', SIM_NOW_MS, [...job.regions]);
    const profDir = await mkdtemp(path.join(os.tmpdir(), 'eia-bench-bulkprof-'));
    const run = await runBulkPipeline(path.join(ROOT, file.file), job, SIM_NOW_MS, { cpuProfDir: profDir });
    const [prof] = (await readdir(profDir)).filter((f) => f.endsWith('.cpuprofile'));
    const keep = path.join(ROOT, 'bench', 'results', `bulk-${quick ? 'quick' : 'full'}.cpuprofile`);
    await copyFile(path.join(profDir, prof!), keep);
    await rm(profDir, { recursive: true, force: true });
    const { stores: _s, ...figures } = run;
    process.stdout.write(`${JSON.stringify({ run: figures, profile: path.relative(ROOT, keep), summary: summarizeCpuProfile(keep, ROOT) })}\n`);
  } else if (which === 'bulk-full') {
    process.stdout.write(`${JSON.stringify(await benchBulkFull(log))}\n`);
  } else {
    process.stdout.write(`${JSON.stringify(await benchBulk(process.argv.includes('--quick'), 1, log))}\n`);
  }
}
