/**
 * What every writing command shares: the run's dependencies and result, the run lifecycle (`execute`: record the
 * run, flow into the fan-out, record its outcome, print the summary), the ledger's opening and the data directory
 * check. The commands (`run.ts`, `commands/*.ts`) build a source and sinks and hand them here.
 */
import { access, constants, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { PipelineConfig } from '../config.js';
import type { Dataset } from '../core/catalog.js';
import type { Sink, Source } from '../core/contracts.js';
import { configError, isEtlError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { formatHourStamp } from '../core/time.js';
import { createFanOut } from '../sinks/fan-out.js';
import type { EiaSourceConfigInput } from '../sources/eia/index.js';
import { validateNormalize } from '../transforms/validate-normalize.js';
import { emptyCounts, runFlow, type FlowCounts } from './flow.js';
import { createProgress } from './progress.js';
import { buildSummary, printSummary, type RunSummary, type SourceFigures } from './summary.js';
import { openWarehouse, type Warehouse, type WarehouseOptions } from './warehouse.js';

export interface RunDeps {
  logger: Logger;
  signal: AbortSignal;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Epoch ms clock (tests pin it). */
  now?: () => number;
  /** Extra EIA source settings (timeouts, retry policy…) for tests and benchmarks; the CLI passes none. */
  sourceOptions?: Partial<EiaSourceConfigInput>;
  /** An already-running simulator to fetch from instead of starting one per run (follow keeps one for all cycles). */
  simulator?: { readonly baseUrl: string; readonly apiKey: string };
}

export interface RunResult {
  exitCode: number;
  summary: RunSummary | null;
  /** A fetch's routes: latest published hour at the run's start and newest stored hour after it (epoch ms). */
  routes?: { dataset: Dataset; frontierMs: number; newestStoredMs: number | null }[];
}

/**
 * A fetch that failed before its run could start (the frontier read: a bad key, an unreachable API) is still
 * recorded in `runs`, as failed or interrupted. Rethrows `e`.
 */
export async function recordEarlyFailure(config: PipelineConfig, deps: RunDeps, e: unknown): Promise<never> {
  if (isEtlError(e, 'ETL_CONFIG_INVALID')) throw e;
  try {
    const warehouse = await openLedger(config.dataDir, deps.logger);
    try {
      const runId = await warehouse.startRun({ command: config.command, args: argsOf(config), source: config.source, regions: config.regions, types: config.types });
      const status = isEtlError(e, 'ETL_ABORTED') ? 'interrupted' : 'failed';
      const info = { status, error: isEtlError(e) ? `${e.code}: ${e.message}` : String(e) };
      await warehouse.finishRun(runId, info);
    } finally {
      await warehouse.close();
    }
  } catch (err) {
    deps.logger.error({ err }, 'could not record the run');
  }
  throw e;
}

/** What `execute` runs: one source into a fan-out of sinks, recorded as one row of `runs`. */
export interface Execution {
  startedAt: number;
  /** `runs.source`: `eia`, `simulator`, `raw-archive`, `bulk`, `grid-monitor`, or `bulk-simulator` / `grid-monitor-simulator` (the built-in simulator's files). */
  sourceLabel: string;
  range: { startMs: number; endMs: number };
  unitsTotal: number;
  /** Units already in the ledger; a function when the source finds them while it reads (the bulk sources). */
  unitsSkipped: number | (() => number);
  /** The publication frontier of a fetch: latest published hour, units committed open, units left for later. */
  frontier?: { latestMs: number; unitsOpen: number; unitsLater: number };
  source: Source;
  /** The source's request counters (null for replay: no request is made). */
  sourceFigures: () => (SourceFigures & { budgetUsed: number }) | null;
  /** Sinks in commit order (DuckDB, which writes the ledger row, last). */
  sinks: Sink[];
  filesWritten: (counts: FlowCounts) => number;
}

/**
 * The run lifecycle shared by every command that writes: record the run, run the flow into the fan-out, wait for
 * the last background commit, record the outcome (ok, failed or interrupted) and print the summary.
 */
export async function execute(config: PipelineConfig, deps: RunDeps, warehouse: Warehouse, x: Execution): Promise<RunResult> {
  const counts = emptyCounts();
  const runId = await warehouse.startRun({
    command: config.command,
    args: argsOf(config),
    source: x.sourceLabel,
    startMs: x.range.startMs,
    endMs: x.range.endMs,
    regions: config.regions,
    types: config.types,
  });
  const record = (status: RunSummary['status'], error: unknown) => {
    const summary = buildSummary({
      runId,
      config,
      range: x.range,
      unitsSkipped: typeof x.unitsSkipped === 'function' ? x.unitsSkipped() : x.unitsSkipped,
      frontier: x.frontier,
      loads: warehouse.sink.stats(),
      counts,
      source: x.sourceFigures(),
      filesWritten: x.filesWritten(counts),
      durationMs: (deps.now ?? Date.now)() - x.startedAt,
      status,
      error: error ? (isEtlError(error) ? `${error.code}: ${error.message}` : String(error)) : null,
    });
    return warehouse.finishRun(runId, summary).then(() => summary);
  };
  const sink = createFanOut(x.sinks, { background: true });
  try {
    await flowWithProgress(config, deps, x.source, sink, x.unitsTotal, counts, () => x.sourceFigures() ?? { requests: 0, budgetUsed: 0 });
    await sink.close(); // waits for the last unit's background commit (its failure fails the run)
    const summary = await record('ok', null);
    printSummary(summary, config.json, deps.stdout);
    return { exitCode: 0, summary };
  } catch (e) {
    const status = isEtlError(e, 'ETL_ABORTED') ? 'interrupted' : 'failed';
    await record(status, e).catch((err) => deps.logger.error({ err }, 'could not record the run'));
    if (status === 'interrupted') deps.stderr.write(`Interrupted. Committed units are kept; re-run the same command to resume.\n`);
    throw e;
  } finally {
    await sink.close().catch((err) => deps.logger.error({ err }, 'closing sinks failed'));
  }
}

async function flowWithProgress(
  config: PipelineConfig,
  deps: RunDeps,
  source: Source,
  sink: Sink,
  unitsTotal: number,
  counts: FlowCounts,
  sourceStats: () => { requests: number; budgetUsed: number; pausedUntil?: number },
): Promise<FlowCounts> {
  const progress = createProgress({ enabled: config.progress && !config.json, tty: deps.stderr.isTTY === true, logger: deps.logger });
  const tick = () => {
    const s = sourceStats();
    progress.update({
      unitsDone: counts.units,
      unitsTotal,
      rows: counts.rowsLoaded,
      requests: s.requests,
      budgetUsed: s.budgetUsed,
      budgetPerHour: config.requestsPerHour,
      pausedUntil: s.pausedUntil ?? 0,
    });
  };
  tick();
  try {
    return await runFlow(
      {
        source,
        transforms: [validateNormalize({ ingestedAt: Date.now() })],
        sink,
        signal: deps.signal,
        hooks: {
          onPage: (b) => {
            deps.logger.debug(
              { page: b.page.pageId, rows: b.envelope.rows.length, latencyMs: b.page.latencyMs, attempts: b.page.attempts },
              'page',
            );
            tick();
          },
          onUnitCommitted: (unitId) => {
            deps.logger.debug({ unit: unitId }, 'unit committed');
            tick();
          },
          onUnitRestart: (unitId, reason) => deps.logger.warn({ unit: unitId, reason }, 'unit restarted'),
        },
      },
      counts,
    );
  } finally {
    progress.stop();
  }
}

/**
 * Open the warehouse (taking the data directory's lock). Any run still marked `running` belongs to a process that
 * died without recording its end (kill -9, power loss): we hold the lock, so no other writer exists. Mark it.
 */
export async function openLedger(dataDir: string, logger: Logger, opts: WarehouseOptions = {}): Promise<Warehouse> {
  const warehouse = await openWarehouse(dataDir, opts);
  const killed = await warehouse.markKilledRuns();
  if (killed.length) logger.warn({ runs: killed }, `${killed.length} earlier run(s) ended without recording it (killed); resuming from the ledger`);
  return warehouse;
}

/**
 * The data directory must exist (or be creatable) and be writable, before anything is written. Created one level
 * at a time from its nearest existing ancestor: Node's recursive mkdir never returns under /proc. Returns the
 * directories it created, deepest last.
 */
export async function ensureWritableDir(dir: string): Promise<string[]> {
  const fail = (code: string | undefined) => configError(`--data-dir '${dir}' is not a writable directory (${code ?? 'error'})`);
  const missing: string[] = [];
  let at = path.resolve(dir);
  for (;;) {
    const st = await stat(at).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? null : Promise.reject(fail(e.code))));
    if (st) {
      if (!st.isDirectory()) throw fail('ENOTDIR');
      break;
    }
    missing.unshift(at);
    const parent = path.dirname(at);
    if (parent === at) throw fail('ENOENT');
    at = parent;
  }
  try {
    for (const d of missing) await mkdir(d).catch((e: NodeJS.ErrnoException) => (e.code === 'EEXIST' ? undefined : Promise.reject(e)));
    await access(dir, constants.W_OK | constants.R_OK);
  } catch (e) {
    throw fail((e as NodeJS.ErrnoException).code);
  }
  return missing;
}

/** The command's arguments for the `runs` table: never the key. */
function argsOf(config: PipelineConfig): Record<string, unknown> {
  return {
    start: formatHourStamp(config.startMs),
    end: formatHourStamp(config.endMs),
    regions: config.regions,
    types: config.types,
    dataDir: path.resolve(config.dataDir),
    concurrency: config.concurrency,
    requestsPerHour: config.requestsPerHour,
    requestsPerSecond: config.requestsPerSecond,
    fresh: config.fresh,
    phase: config.phase,
    lookbackHours: config.lookbackHours,
    revisionHorizonHours: config.revisionHorizonHours,
    timeoutMs: config.timeoutMs,
    ...(config.input === 'bulk' ? { source: 'bulk', bulkFile: config.bulkFile && path.resolve(config.bulkFile), bulkClock: config.bulkClock } : {}),
    ...(config.input === 'grid-monitor' ? { source: 'grid-monitor', gridMonitorDir: config.gridMonitorDir && path.resolve(config.gridMonitorDir) } : {}),
  };
}

