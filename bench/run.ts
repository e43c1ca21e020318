/**
 * `npm run bench [-- --quick] [--repeats N] [--only stages,cpu,api,scale,profile,replay,features,universe,bulk,bulk-full] [--render]`: the benchmark ladder
 * → a table on stdout, `bench/results/latest.json` and `docs/benchmarks.md`. `--render` measures nothing:
 * it re-renders the table and the doc from `bench/results/latest.json`.
 *
 * | section | full | --quick (< 2 min) |
 * |---|---|---|
 * | stages: parse, validate + normalize, each sink (bench/transforms.ts, bench/sinks.ts) | 1M rows | 200k rows |
 * | CPU-bound end to end + ceiling + old approach, seed and complete (bench/e2e.ts, bench/baseline-old.ts) | default job, 7 years, 3 repeats | 1 year, 1 repeat |
 * | API-bound end to end (default budget, EIA-like latency), then the old approach's two variants | the default job (~540 requests, ≥ 110 s; the old approach ~6 min) | 1 year |
 * | scale, CPU-bound | 1, 3, 7 years | 1, 3, 7 months |
 * | main-thread CPU profile of a CPU-bound run | 1 year | 3 months |
 * | `replay` over a CPU-bound run's data directory + the JSON.parse ceiling of the same pages (bench/replay.ts) | 1, 3, 7 years, repeats as cpu | 1 year, 1 repeat |
 * | `features` on a CPU-bound warehouse: first build, byte-identical re-run, re-run after incremental (bench/features.ts) | default job | 1 year |
 * | universe: the default job CPU-bound against the table universe and a perturbed one (bench/universe.ts) | default job | 1 year |
 * | bulk: `historical --source bulk --bulk-file` into all sinks + the `JSON.parse` ceiling of the same lines (bench/bulk.ts) | default job, 2 repeats | PACW × demand, generation 2019–2025, 1 repeat |
 * | bulk-full, only with `--only bulk-full`: the whole simulated universe's EBA.zip (2019 → today), every respondent and type | once (minutes) | the same |
 *
 * `--only` runs a subset and writes `bench/results/partial.json` only (the doc and latest.json need every section).
 * Every figure is taken on a shared machine: the doc reports ratios measured in the same run and the load average.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { benchBulk, benchBulkFull } from './bulk.js';
import { benchFeatures } from './features.js';
import { benchUniverse } from './universe.js';
import { benchReplay, replaySizes } from './replay.js';
import { benchSinks, type SinkCase } from './sinks.js';
import type { TransformsBenchResult } from './transforms.js';
import { DEFAULT_JOB, benchApiBound, benchCpuBound, benchProfile, benchScale, lastYears } from './e2e.js';
import { ROOT, runNodeChild } from './lib/proc.js';
import { evaluateTargets, renderMarkdown, renderText, stageRows, type BenchResults, type MachineInfo } from './lib/report.js';

const SECTIONS = ['stages', 'cpu', 'api', 'scale', 'profile', 'replay', 'features', 'universe', 'bulk'] as const;
/** Sections run only when `--only` names them: they take many minutes (the full-size bulk file). */
const EXTRA_SECTIONS = ['bulk-full'] as const;
type Section = (typeof SECTIONS)[number] | (typeof EXTRA_SECTIONS)[number];
const KNOWN: readonly Section[] = [...SECTIONS, ...EXTRA_SECTIONS];

function parseArgs(argv: readonly string[]): { quick: boolean; render: boolean; repeats: number | null; only: Set<Section> } {
  const quick = argv.includes('--quick');
  const render = argv.includes('--render');
  const ri = argv.indexOf('--repeats');
  const repeats = ri >= 0 ? Number(argv[ri + 1]) : null;
  if (repeats !== null && !(Number.isInteger(repeats) && repeats >= 1 && repeats <= 9)) throw new Error('--repeats must be an integer 1–9');
  const oi = argv.indexOf('--only');
  const only = new Set<Section>(oi >= 0 ? (argv[oi + 1] ?? '').split(',').map((s) => s.trim() as Section) : SECTIONS);
  for (const s of only) if (!KNOWN.includes(s)) throw new Error(`--only takes ${KNOWN.join(',')} (got '${s}')`);
  for (const a of argv) {
    if (a.startsWith('--') && !['--quick', '--render', '--repeats', '--only'].includes(a)) {
      throw new Error(`unknown flag ${a}; flags: --quick, --repeats N, --only ${KNOWN.join(',')}, --render`);
    }
  }
  return { quick, render, repeats, only };
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

/** The commit and the uncommitted src/ files, taken when the bench starts (others may commit while it runs). */
function gitState(): { commit: string; dirtySrcFiles: number } {
  return {
    commit: git(['rev-parse', '--short', 'HEAD']) || 'unknown',
    dirtySrcFiles: git(['status', '--porcelain', '--', 'src']).split('\n').filter(Boolean).length,
  };
}

function machineInfo(loadStart: number, state: { commit: string; dirtySrcFiles: number }): MachineInfo {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    totalMemGb: Math.round(os.totalmem() / 2 ** 30),
    loadStart: Math.round(loadStart * 10) / 10,
    loadEnd: Math.round(os.loadavg()[0] * 10) / 10,
    ...state,
  };
}

const log = (s: string) => process.stderr.write(`${s}\n`);

async function main(): Promise<void> {
  const { quick, render, repeats, only } = parseArgs(process.argv.slice(2));
  if (render) {
    // Re-render the table and the doc from the last complete run (after a change to the report's wording).
    const saved = JSON.parse(await readFile(path.join(ROOT, 'bench', 'results', 'latest.json'), 'utf8')) as BenchResults;
    const { targets: _old, ...base } = saved;
    const results: BenchResults = { ...base, targets: evaluateTargets(base) };
    process.stdout.write(renderText(results));
    await writeFile(path.join(ROOT, 'docs', 'benchmarks.md'), renderMarkdown(results));
    log('re-rendered docs/benchmarks.md from bench/results/latest.json (no measurement)');
    return;
  }
  const partial = !SECTIONS.every((s) => only.has(s));
  const t0 = performance.now();
  const loadStart = os.loadavg()[0];
  const state = gitState();
  const rows = quick ? 200_000 : 1_000_000;
  const resultsDir = path.join(ROOT, 'bench', 'results');
  await mkdir(resultsDir, { recursive: true });
  log(`eia-stream bench (${quick ? 'quick' : 'full'}): sections ${[...only].join(', ')}; load average ${loadStart.toFixed(1)} on ${os.cpus().length} cores`);

  const sectionSec: Record<string, number> = {};
  const sectionLoad: Record<string, number> = {};
  let mark = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    sectionSec[name] = Math.round((now - mark) / 100) / 10;
    sectionLoad[name] = Math.round(os.loadavg()[0] * 10) / 10;
    mark = now;
  };

  let stages: BenchResults['stages'] = null;
  if (only.has('stages')) {
    log(`stages: transforms on ${rows} rows…`);
    const t = await runNodeChild<TransformsBenchResult>('bench/lib/stage-transforms.ts', ['--pages', String(rows / 5000)], { nodeFlags: ['--expose-gc'] });
    log(`stages: sinks on ${rows} rows (each case in its own process)…`);
    const cases: SinkCase[] = ['raw', 'parquet', 'duckdb', 'all'];
    const sinks = await benchSinks({ rows, cases });
    stages = {
      rows,
      note:
        'The two stage benches cannot share the same rows: bench/transforms.ts synthesizes fuel-type-data page bodies (10 BAs × 8 fuels, ' +
        '`value` as strings) and bench/sinks.ts synthesizes normalized region-data records (30 BAs × 4 types) with their page bodies; ' +
        'both are 1M-row-scale EIA-shaped data in 5,000-row pages.',
      transforms: t.result,
      transformsProcPeakRssMb: t.peakRssMb,
      sinks,
      table: stageRows(t.result, sinks),
    };
    lap('stages');
  }

  let cpuBound: BenchResults['cpuBound'] = null;
  if (only.has('cpu')) {
    const job = quick ? lastYears(1) : DEFAULT_JOB;
    const n = repeats ?? (quick ? 1 : 3);
    log(`cpu-bound: ${n} repeat(s) of ours → ceiling → the seed → its complete variant…`);
    cpuBound = await benchCpuBound(job, n, log);
    lap('cpu');
  }

  let apiBound: BenchResults['apiBound'] = null;
  if (only.has('api')) {
    log(`api-bound: ${quick ? 'one year' : 'the default job'} at the default budget, then the old approach (takes ≥ ${quick ? '~70' : '~470'} s)…`);
    apiBound = await benchApiBound(quick ? lastYears(1) : DEFAULT_JOB, { cliDefaults: !quick }, log);
    lap('api');
  }

  let scale: BenchResults['scale'] = null;
  if (only.has('scale')) {
    const sizes = [1, 3, 7].map((k) => (quick ? { label: `${k} mo`, job: lastYears(k, 'months') } : { label: `${k} y`, job: lastYears(k) }));
    log(`scale: ${sizes.map((s) => s.label).join(', ')}…`);
    scale = await benchScale(sizes, log);
    lap('scale');
  }

  let profile: BenchResults['profile'] = null;
  if (only.has('profile')) {
    log('profile: one CPU-bound run under node --cpu-prof…');
    profile = await benchProfile(quick ? lastYears(3, 'months') : lastYears(1), path.join(resultsDir, `cpu-bound-${quick ? 'quick' : 'full'}.cpuprofile`));
    lap('profile');
  }

  let replay: BenchResults['replay'] = null;
  if (only.has('replay')) {
    const sizes = replaySizes(quick);
    log(`replay: ${sizes.map((s) => s.label).join(', ')}, each a historical run then ${repeats ?? (quick ? 1 : 3)} × (replay → ceiling)…`);
    replay = await benchReplay(sizes, repeats ?? (quick ? 1 : 3), log, path.join(resultsDir, `replay-${quick ? 'quick' : 'full'}.cpuprofile`));
    lap('replay');
  }

  let features: BenchResults['features'] = null;
  if (only.has('features')) {
    log(`features: warehouse of ${quick ? 'one year' : 'the default job'}, then three builds…`);
    features = await benchFeatures(quick ? lastYears(1) : DEFAULT_JOB, log);
    lap('features');
  }

  let universe: BenchResults['universe'] = null;
  if (only.has('universe')) {
    log(`universe: ${quick ? 'one year' : 'the default job'} against the table universe, then a perturbed one (CPU-bound)…`);
    universe = await benchUniverse(quick ? lastYears(1) : DEFAULT_JOB, log);
    lap('universe');
  }

  let bulk: BenchResults['bulk'] = null;
  if (only.has('bulk')) {
    const n = repeats ?? (quick ? 1 : 2);
    log(`bulk: ${quick ? "PACW's EBA.zip" : "the default job's EBA.zip"}, ${n} repeat(s) of ours → the JSON.parse ceiling…`);
    bulk = await benchBulk(quick, n, log);
    lap('bulk');
  }

  let bulkFull: BenchResults['bulkFull'] = null;
  if (only.has('bulk-full')) {
    log('bulk-full: the whole simulated EBA.zip (2019 → today), every respondent and type (generating it takes minutes when not cached; the run takes many)…');
    bulkFull = await benchBulkFull(log);
    lap('bulk-full');
  }

  const base = {
    generatedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    mode: quick ? ('quick' as const) : ('full' as const),
    durationSec: Math.round((performance.now() - t0) / 1000),
    sectionSec,
    sectionLoad,
    machine: machineInfo(loadStart, state),
    stages,
    cpuBound,
    apiBound,
    scale,
    profile,
    replay,
    features,
    universe,
    bulk,
    bulkFull,
  };
  const results: BenchResults = { ...base, targets: evaluateTargets(base) };
  process.stdout.write(renderText(results));
  if (partial) {
    await writeFile(path.join(resultsDir, 'partial.json'), `${JSON.stringify(results, null, 2)}\n`);
    log('partial run (--only): wrote bench/results/partial.json; docs/benchmarks.md and latest.json are left as they were');
    return;
  }
  await writeFile(path.join(resultsDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(path.join(ROOT, 'docs', 'benchmarks.md'), renderMarkdown(results));
  log('wrote bench/results/latest.json and docs/benchmarks.md');
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
