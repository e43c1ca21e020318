/**
 * The commands: historical, quick, incremental, replay, plan. Each builds the flow from the frozen config, runs it,
 * records the run in DuckDB (`runs`) and prints the summary (human text, or one JSON object with `--json`).
 */
import { access, constants, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { PipelineConfig } from '../config.js';
import { formatRange, nowRangeEnd } from '../config.js';
import type { Sink, Source, WorkUnit } from '../core/contracts.js';
import { configError, isEtlError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { HOUR_MS, formatHourStamp } from '../core/time.js';
import { createFanOut } from '../sinks/fan-out.js';
import { createParquetSink } from '../sinks/parquet.js';
import { createQuarantineFilesSink } from '../sinks/quarantine-files.js';
import { createRawArchiveSink } from '../sinks/raw-archive.js';
import { openWarehouse, type Warehouse } from '../sinks/duckdb/warehouse.js';
import { createEiaSource, EiaSourceConfigSchema, openBudgetRecord, type BudgetRecord, type EiaSource, type EiaSourceConfigInput } from '../sources/eia/index.js';
import { MAX_LIMITER_MARGIN_MS } from '../sources/eia/rate-limiter.js';
import { expectedRequests, planUnits } from '../sources/eia/planner.js';
import { createRawArchiveSource } from '../sources/raw-archive.js';
import { parsePages } from '../transforms/parse-json.js';
import { validateNormalize } from '../transforms/validate-normalize.js';
import { startBuiltinSimulator, type BuiltinSimulator } from './builtin-simulator.js';
import { runFeatures } from './commands/features.js';
import { emptyCounts, runFlow, type FlowCounts } from './flow.js';
import { createProgress } from './progress.js';
import { selectionsFor, type Selection } from './selections.js';
import { buildSummary, printSummary, type RunSummary, type SourceFigures } from './summary.js';

export interface RunDeps {
  logger: Logger;
  signal: AbortSignal;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Epoch ms clock (tests pin it). */
  now?: () => number;
  /** Extra EIA source settings (timeouts, retry policy…) for tests and benchmarks; the CLI passes none. */
  sourceOptions?: Partial<EiaSourceConfigInput>;
}

export interface RunResult {
  exitCode: number;
  summary: RunSummary | null;
}

/** Run one CLI command to completion. Throws `EtlError` for user errors (exit 2) and failures (exit 1). */
export async function runCommand(config: PipelineConfig, deps: RunDeps): Promise<RunResult> {
  for (const w of config.warnings) deps.logger.warn(w);
  if (config.command === 'plan') return runPlan(config, deps);
  if (config.command === 'features') return runFeatures(config, deps);
  await ensureWritableDir(config.dataDir);
  if (config.command === 'replay') return runReplay(config, deps);
  return runFetch(config, deps);
}

/** historical / quick / incremental: fetch from the API (or the built-in simulator) into all three sinks. */
async function runFetch(config: PipelineConfig, deps: RunDeps): Promise<RunResult> {
  const { logger } = deps;
  const startedAt = (deps.now ?? Date.now)();
  const warehouse = await openLedger(config.dataDir, logger);
  let sim: BuiltinSimulator | null = null;
  let source: EiaSource | null = null;
  let record: BudgetRecord | null = null;
  try {
    const selections = selectionsFor(config.types, config.regions);
    let units: WorkUnit[];
    let unitsSkipped = 0;
    let range = { startMs: config.startMs, endMs: config.endMs };
    if (config.command === 'incremental') {
      ({ units, range } = await planIncremental(config, selections, warehouse, startedAt, logger));
    } else {
      units = planUnits(selections, config.startMs, config.endMs);
      if (!config.fresh) {
        const done = await warehouse.completedUnitIds();
        const todo = units.filter((u) => !done.has(u.id));
        unitsSkipped = units.length - todo.length;
        units = todo;
        if (unitsSkipped) logger.info({ skipped: unitsSkipped, remaining: units.length }, `resuming: ${unitsSkipped} unit(s) already done`);
      }
    }
    let baseUrl = config.baseUrl;
    let apiKey = config.apiKey;
    if (config.source === 'simulator') {
      sim = await startBuiltinSimulator({});
      ({ baseUrl, apiKey } = sim);
      logger.warn(
        `NO EIA_API_KEY: using the BUILT-IN SIMULATOR at ${sim.baseUrl} — the data is SIMULATED (run recorded as source=simulator). ` +
          'Set EIA_API_KEY (environment or .env) to fetch real EIA data.',
      );
    } else {
      logger.info(`source: EIA API at ${baseUrl}`);
    }
    logger.info(
      { units: units.length, requests: expectedRequests(units), range: formatRange(range.startMs, range.endMs) },
      `${config.command}: ${units.length} unit(s) to fetch`,
    );
    // Opened under the data directory's lock: the limiter starts from the key's last hour of sends (this data
    // directory's earlier runs, or every process sharing --budget-file).
    record = openBudgetRecord(config.budgetFile, { horizonMs: 3_600_000 + MAX_LIMITER_MARGIN_MS });
    const eia = createEiaSource(
      {
        baseUrl: baseUrl!,
        apiKey: apiKey!,
        concurrency: config.concurrency,
        requestsPerHour: config.requestsPerHour,
        requestsPerSecond: config.requestsPerSecond,
        headersTimeoutMs: config.timeoutMs,
        bodyTimeoutMs: config.timeoutMs,
        ...deps.sourceOptions,
      },
      { units, logger, record },
    );
    source = eia;
    const raw = createRawArchiveSink({ dataDir: config.dataDir });
    const parquet = createParquetSink({ dataDir: config.dataDir, duckdb: warehouse.instance });
    return await execute(config, deps, warehouse, {
      startedAt,
      sourceLabel: config.source,
      range,
      unitsTotal: units.length,
      unitsSkipped,
      source: eia,
      sourceFigures: () => eia.counters.snapshot(),
      sinks: [raw, parquet, createQuarantineFilesSink({ dataDir: config.dataDir }), warehouse.sink],
      filesWritten: (counts) => raw.stats().pagesWritten + counts.units + parquet.stats().filesWritten,
    });
  } finally {
    await warehouse.close().catch((err) => logger.error({ err }, 'closing DuckDB failed'));
    await source?.close();
    await record?.close().catch((err) => logger.error({ err }, 'closing the budget record failed'));
    await sim?.close();
  }
}

/** What `execute` runs: one source into a fan-out of sinks, recorded as one row of `runs`. */
interface Execution {
  startedAt: number;
  /** `runs.source`: `eia`, `simulator` or `raw-archive`. */
  sourceLabel: string;
  range: { startMs: number; endMs: number };
  unitsTotal: number;
  unitsSkipped: number;
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
async function execute(config: PipelineConfig, deps: RunDeps, warehouse: Warehouse, x: Execution): Promise<RunResult> {
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
      unitsSkipped: x.unitsSkipped,
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
        transforms: [parsePages, validateNormalize({ ingestedAt: Date.now() })],
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

/** incremental: from the latest stored period per series minus the lookback, up to now. */
async function planIncremental(
  config: PipelineConfig,
  selections: Selection[],
  warehouse: Warehouse,
  nowMs: number,
  logger: Logger,
): Promise<{ units: WorkUnit[]; range: { startMs: number; endMs: number } }> {
  const endMs = config.rangeGiven ? config.endMs : nowRangeEnd(nowMs);
  const lookback = config.lookbackHours * HOUR_MS;
  const units: WorkUnit[] = [];
  let minStart = endMs;
  for (const sel of selections) {
    const respondents = Object.values(sel.facets)[0] as readonly string[];
    const latest = await warehouse.latestPeriods(sel.dataset, respondents);
    let oldest = Infinity;
    for (const r of respondents) {
      const periods = [...latest.entries()].filter(([k]) => k.startsWith(`${r}|`)).map(([, v]) => v);
      if (periods.length === 0) {
        logger.warn(`incremental: no stored ${sel.dataset} data for ${r}; fetching only the last ${config.lookbackHours} h (run 'historical' to back-fill)`);
        oldest = Math.min(oldest, endMs);
      } else {
        oldest = Math.min(oldest, Math.min(...periods));
      }
    }
    const startMs = Math.max(config.startMs, Math.floor((oldest - lookback) / HOUR_MS) * HOUR_MS);
    if (startMs >= endMs) continue;
    minStart = Math.min(minStart, startMs);
    units.push(...planUnits([sel], startMs, endMs));
  }
  logger.info(`incremental: ${formatHourStamp(minStart)} → ${formatHourStamp(endMs - HOUR_MS)} (inclusive), ${units.length} unit(s)`);
  return { units, range: { startMs: minStart, endMs } };
}

/**
 * Open the warehouse (taking the data directory's lock). Any run still marked `running` belongs to a process that
 * died without recording its end (kill -9, power loss): we hold the lock, so no other writer exists. Mark it.
 */
async function openLedger(dataDir: string, logger: Logger): Promise<Warehouse> {
  const warehouse = await openWarehouse(dataDir);
  const conn = await warehouse.connect();
  try {
    const rows = (await conn.runAndReadAll("UPDATE runs SET status = 'killed' WHERE status = 'running' RETURNING run_id")).getRows();
    if (rows.length) logger.warn({ runs: rows.map((r) => String(r[0])) }, `${rows.length} earlier run(s) ended without recording it (killed); resuming from the ledger`);
  } finally {
    conn.closeSync();
  }
  return warehouse;
}

/** replay: rebuild Parquet and DuckDB from the raw archive, no API call. */
async function runReplay(config: PipelineConfig, deps: RunDeps): Promise<RunResult> {
  const startedAt = (deps.now ?? Date.now)();
  const warehouse = await openLedger(config.dataDir, deps.logger);
  try {
    const source = createRawArchiveSource({ dataDir: config.dataDir });
    const parquet = createParquetSink({ dataDir: config.dataDir, duckdb: warehouse.instance });
    return await execute(config, deps, warehouse, {
      startedAt,
      sourceLabel: 'raw-archive',
      range: { startMs: config.startMs, endMs: config.endMs },
      unitsTotal: await source.countUnits(),
      unitsSkipped: 0,
      source,
      sourceFigures: () => null,
      sinks: [parquet, createQuarantineFilesSink({ dataDir: config.dataDir }), warehouse.sink],
      filesWritten: () => parquet.stats().filesWritten,
    });
  } finally {
    await warehouse.close().catch((err) => deps.logger.error({ err }, 'closing DuckDB failed'));
  }
}

/** plan: units, requests, expected rows, budget use and ETA; writes nothing. */
async function runPlan(config: PipelineConfig, deps: RunDeps): Promise<RunResult> {
  const selections = selectionsFor(config.types, config.regions);
  const units = planUnits(selections, config.startMs, config.endMs);
  const requests = expectedRequests(units);
  const rows = units.reduce((n, u) => n + u.expectedRows, 0);
  const latencyS = 1.2; // EIA's typical response time
  // The limiter spaces every `requestsPerSecond` starts by 1 s plus its jitter margin.
  const marginS = (EiaSourceConfigSchema.shape.limiterMarginMs.parse(undefined) as number) / 1000;
  const rateBound = (requests / config.requestsPerSecond) * (1 + marginS);
  const concurrencyBound = (requests * latencyS) / config.concurrency;
  const hourBound = requests > config.requestsPerHour ? Math.floor(requests / config.requestsPerHour) * 3600 : 0;
  const etaS = Math.max(rateBound, concurrencyBound, hourBound);
  const plan = {
    command: 'plan',
    source: config.source,
    start: formatHourStamp(config.startMs),
    end: formatHourStamp(config.endMs),
    regions: config.regions,
    types: config.types,
    units: units.length,
    requests,
    expectedRows: rows,
    rowsPerRequest: requests ? Math.round(rows / requests) : 0,
    budgetHours: +(requests / config.requestsPerHour).toFixed(3),
    budgetShareOfOneHour: +Math.min(1, requests / config.requestsPerHour).toFixed(3),
    etaSeconds: Math.round(etaS),
    perDataset: Object.fromEntries(
      selections.map((s) => {
        const us = units.filter((u) => u.dataset === s.dataset);
        return [s.dataset, { units: us.length, requests: expectedRequests(us), expectedRows: us.reduce((n, u) => n + u.expectedRows, 0) }];
      }),
    ),
  };
  if (config.json) {
    deps.stdout.write(`${JSON.stringify(plan)}\n`);
  } else {
    const lines = [
      `plan ${formatRange(config.startMs, config.endMs)} regions=${config.regions.join(',')} types=${config.types.join(',')} source=${config.source}`,
      ...Object.entries(plan.perDataset).map(([d, p]) => `  ${d.padEnd(20)} units ${String(p.units).padStart(5)}  requests ${String(p.requests).padStart(6)}  expected rows ${p.expectedRows}`),
      `  total                units ${String(plan.units).padStart(5)}  requests ${String(plan.requests).padStart(6)}  expected rows ${plan.expectedRows} (${plan.rowsPerRequest} rows/request)`,
      `  budget: ${plan.requests} of ${config.requestsPerHour} requests/hour (${(plan.budgetHours * 100).toFixed(1)}% of one hour); ` +
        `ETA ≈ ${plan.etaSeconds} s at ≤ ${config.requestsPerSecond}/s, ${config.concurrency} in flight, ~${latencyS} s per response`,
      `  writes nothing. Run: npm run pipeline ${config.command === 'plan' ? 'historical' : config.command}`,
    ];
    deps.stdout.write(`${lines.join('\n')}\n`);
  }
  return { exitCode: 0, summary: null };
}

/**
 * The data directory must exist (or be creatable) and be writable, before anything is written. Created one level
 * at a time from its nearest existing ancestor: Node's recursive mkdir never returns under /proc.
 */
async function ensureWritableDir(dir: string): Promise<void> {
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
    timeoutMs: config.timeoutMs,
  };
}

