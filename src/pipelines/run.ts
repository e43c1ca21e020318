/**
 * The commands: historical, quick, incremental, replay, plan. Each builds the flow from the frozen config, runs it,
 * records the run in DuckDB (`runs`) and prints the summary (human text, or one JSON object with `--json`).
 */
import { access, constants, mkdir, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { PipelineConfig } from '../config.js';
import { formatRange } from '../config.js';
import type { Dataset } from '../core/catalog.js';
import type { Sink, Source, WorkUnit } from '../core/contracts.js';
import { configError, isEtlError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { HOUR_MS, formatHourStamp } from '../core/time.js';
import { createFanOut } from '../sinks/fan-out.js';
import { createParquetSink } from '../sinks/parquet.js';
import { createQuarantineFilesSink } from '../sinks/quarantine-files.js';
import { createRawArchiveSink } from '../sinks/raw-archive.js';
import { openWarehouse, type Warehouse } from '../sinks/duckdb/warehouse.js';
import { writeFacetCache, type FacetList } from '../sinks/duckdb/facet-cache.js';
import { createEiaClient, createEiaSource, openBudgetRecord, type BudgetRecord, type EiaClient, type EiaSourceConfigInput } from '../sources/eia/index.js';
import { MAX_LIMITER_MARGIN_MS } from '../sources/eia/rate-limiter.js';
import { expectedRequests, planUnits } from '../sources/eia/planner.js';
import { createRawArchiveSource } from '../sources/raw-archive.js';
import { parsePages } from '../transforms/parse-json.js';
import { validateNormalize } from '../transforms/validate-normalize.js';
import { runPlan } from './commands/plan.js';
import { runBulkHistorical } from './commands/bulk-historical.js';
import { startBuiltinSimulator, type BuiltinSimulator } from './builtin-simulator.js';
import { runFeatures } from './commands/features.js';
import { emptyCounts, runFlow, type FlowCounts } from './flow.js';
import { applyFrontier, clampRange } from './frontier.js';
import { planIncrementalGroups, supersededOpenUnits } from './incremental-plan.js';
import { createProgress } from './progress.js';
import { resolveRegions } from './regions.js';
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
  /** An already-running simulator to fetch from instead of starting one per run (follow keeps one for all cycles). */
  simulator?: { readonly baseUrl: string; readonly apiKey: string };
}

export interface RunResult {
  exitCode: number;
  summary: RunSummary | null;
  /** A fetch's routes: latest published hour at the run's start and newest stored hour after it (epoch ms). */
  routes?: { dataset: Dataset; frontierMs: number; newestStoredMs: number | null }[];
}

/** Run one CLI command to completion. Throws `EtlError` for user errors (exit 2) and failures (exit 1). */
export async function runCommand(config: PipelineConfig, deps: RunDeps): Promise<RunResult> {
  for (const w of config.warnings) deps.logger.warn(w);
  if (config.command === 'features') return runFeatures(config, deps);
  if (config.command === 'replay') {
    await ensureWritableDir(config.dataDir);
    return runReplay(config, deps);
  }
  // The bulk file is keyless: no key client, no budget record, no request limiter (bulk-historical.ts).
  if (config.input === 'bulk') return runBulkHistorical(config, deps);
  // With a key, one client serves the respondent lookup, the frontier and the data pages alike, and its limiter is
  // seeded from the key's budget record (this data directory's earlier runs, or every process sharing
  // --budget-file), so the lookup's request counts like any other. The record is the only file a refused code
  // leaves: it holds that one send.
  const keyRecord = config.source === 'eia' ? openBudgetRecord(config.budgetFile, { horizonMs: BUDGET_HORIZON_MS }) : null;
  const keyClient = keyRecord ? createEiaClient(sourceConfigOf(config, config.baseUrl!, config.apiKey!, deps), { logger: deps.logger, record: keyRecord }) : null;
  try {
    const resolved = await resolveRegions(config, { client: keyClient, logger: deps.logger, signal: deps.signal, now: deps.now ?? Date.now });
    if (config.command === 'plan') return await runPlan(resolved.config, deps);
    return await runFetch(resolved.config, deps, keyClient, resolved.fetched); // checks the directory itself, before the range
  } finally {
    await keyClient?.close();
    await keyRecord?.close().catch((err) => deps.logger.error({ err }, 'closing the budget record failed'));
  }
}

/** How far back the budget record's sends matter: the hourly window plus the limiter's largest margin. */
export const BUDGET_HORIZON_MS = 3_600_000 + MAX_LIMITER_MARGIN_MS;

/** The EIA source settings of a run. */
function sourceConfigOf(config: PipelineConfig, baseUrl: string, apiKey: string, deps: RunDeps): EiaSourceConfigInput {
  return {
    baseUrl,
    apiKey,
    concurrency: config.concurrency,
    requestsPerHour: config.requestsPerHour,
    requestsPerSecond: config.requestsPerSecond,
    headersTimeoutMs: config.timeoutMs,
    bodyTimeoutMs: config.timeoutMs,
    ...deps.sourceOptions,
  };
}

/**
 * historical / quick / incremental: fetch from the API (or the built-in simulator) into all three sinks. `keyClient`
 * is the run's client when a key was given (it already served the respondent lookup); `facets` are the respondent
 * lists that lookup fetched, cached in the warehouse.
 */
async function runFetch(config: PipelineConfig, deps: RunDeps, keyClient: EiaClient | null, facets: readonly FacetList[]): Promise<RunResult> {
  const { logger } = deps;
  const startedAt = (deps.now ?? Date.now)();
  let sim: BuiltinSimulator | null = null;
  let client: EiaClient | null = keyClient;
  let warehouse: Warehouse | null = null;
  let record: BudgetRecord | null = null;
  try {
    // The directory is checked first, as for every command; what the check created is removed on a usage error.
    const created = await ensureWritableDir(config.dataDir);
    const selections = selectionsFor(config.types, config.regions);
    let baseUrl = config.baseUrl;
    let apiKey = config.apiKey;
    if (config.source === 'simulator' && deps.simulator) {
      ({ baseUrl, apiKey } = deps.simulator);
    } else if (config.source === 'simulator') {
      sim = await startBuiltinSimulator(deps.now ? { nowMs: deps.now } : {});
      ({ baseUrl, apiKey } = sim);
      logger.warn(
        `NO EIA_API_KEY: using the BUILT-IN SIMULATOR at ${sim.baseUrl} — the data is SIMULATED (run recorded as source=simulator). ` +
          'Set EIA_API_KEY (environment or .env) to fetch real EIA data.',
      );
    } else {
      logger.info(`source: EIA API at ${baseUrl}`);
    }
    if (!client) {
      // The simulator's runs keep a budget record too (its limiter is the one a key would get).
      record = openBudgetRecord(config.budgetFile, { horizonMs: BUDGET_HORIZON_MS });
      client = createEiaClient(sourceConfigOf(config, baseUrl!, apiKey!, deps), { logger, record });
    }
    // The publication frontier first: a range with no published hour is a usage error, before anything is written.
    const frontiers = await readFrontiers(client, selections, deps.signal).catch((e: unknown) => recordEarlyFailure(config, deps, e));
    const latest = Math.max(...frontiers.values());
    let clamp: ReturnType<typeof clampRange> | null = null;
    try {
      clamp = config.command !== 'incremental' || config.rangeGiven ? clampRange(config.startMs, config.endMs, latest) : null;
    } catch (e) {
      for (const d of created.reverse()) await rmdir(d).catch(() => undefined);
      throw e;
    }
    if (clamp?.notice) logger.warn(clamp.notice);
    warehouse = await openLedger(config.dataDir, logger);
    await storeFacetLists(warehouse, facets).catch((err) => logger.warn({ err }, 'could not cache the respondent lists'));
    let planned: WorkUnit[];
    let unitsSkipped = 0;
    let superseded: string[] = [];
    let range = { startMs: config.startMs, endMs: clamp?.endMs ?? latest + HOUR_MS };
    if (config.command === 'incremental') {
      ({ units: planned, range } = await planIncremental(config, selections, warehouse, frontiers, range.endMs, logger));
      const open = [...(await warehouse.ledger()).values()].filter((u) => u.open);
      superseded = supersededOpenUnits(open, selections);
    } else {
      // Planned over the user's own range, so a unit keeps its id while the frontier moves through it.
      planned = planUnits(selections, config.startMs, config.endMs);
      if (!config.fresh) {
        const done = await warehouse.completedUnitIds();
        const todo = planned.filter((u) => !done.has(u.id));
        unitsSkipped = planned.length - todo.length;
        planned = todo;
        if (unitsSkipped) logger.info({ skipped: unitsSkipped, remaining: planned.length }, `resuming: ${unitsSkipped} unit(s) already done`);
      }
    }
    const { units, later } = applyFrontier(planned, frontiers, config.revisionHorizonHours);
    // A unit of this run may carry the id of an earlier open one (same series, start and frontier): it stays as committed.
    const ownIds = new Set(units.map((u) => u.id));
    superseded = superseded.filter((id) => !ownIds.has(id));
    const unitsOpen = units.filter((u) => u.open).length;
    if (unitsOpen) {
      logger.info(
        `${unitsOpen} unit(s) reach within ${config.revisionHorizonHours} h of EIA's latest published hour ${formatHourStamp(latest)}: ` +
          'stored now and kept open; the next historical or incremental run fetches them again',
      );
    }
    logger.info(
      { units: units.length, requests: expectedRequests(units), range: formatRange(range.startMs, range.endMs) },
      `${config.command}: ${units.length} unit(s) to fetch`,
    );
    const eia = createEiaSource(client.config, { units, logger, client });
    const raw = createRawArchiveSink({ dataDir: config.dataDir });
    const parquet = createParquetSink({ dataDir: config.dataDir, duckdb: warehouse.instance });
    const result = await execute(config, deps, warehouse, {
      startedAt,
      sourceLabel: config.source,
      range,
      unitsTotal: units.length,
      unitsSkipped,
      frontier: { latestMs: latest, unitsOpen, unitsLater: later },
      source: eia,
      sourceFigures: () => eia.counters.snapshot(),
      sinks: [raw, parquet, createQuarantineFilesSink({ dataDir: config.dataDir }), warehouse.sink],
      filesWritten: (counts) => raw.stats().pagesWritten + counts.units + parquet.stats().filesWritten,
    });
    // Only after every unit committed: the run's own open units now cover what the superseded ones still could.
    await warehouse.closeUnits(superseded);
    const routes: NonNullable<RunResult['routes']> = [];
    for (const [dataset, frontierMs] of frontiers) {
      const respondents = selections.filter((s) => s.dataset === dataset).flatMap((s) => Object.values(s.facets)[0] as readonly string[]);
      const stored = [...(await warehouse.latestPeriods(dataset, respondents)).values()];
      routes.push({ dataset, frontierMs, newestStoredMs: stored.length ? Math.max(...stored) : null });
    }
    return { ...result, routes };
  } finally {
    await warehouse?.close().catch((err) => logger.error({ err }, 'closing DuckDB failed'));
    if (client !== keyClient) await client?.close();
    await record?.close().catch((err) => logger.error({ err }, 'closing the budget record failed'));
    await sim?.close();
  }
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

/** The latest published hour of every route of the selections: one metadata request per route. */
async function readFrontiers(client: EiaClient, selections: readonly Selection[], signal: AbortSignal): Promise<Map<Dataset, number>> {
  const out = new Map<Dataset, number>();
  for (const d of new Set(selections.map((s) => s.dataset))) out.set(d, await client.latestPeriod(d, signal));
  return out;
}

/** What `execute` runs: one source into a fan-out of sinks, recorded as one row of `runs`. */
export interface Execution {
  startedAt: number;
  /** `runs.source`: `eia`, `simulator`, `raw-archive`, `bulk` or `bulk-simulator` (the built-in simulator's file). */
  sourceLabel: string;
  range: { startMs: number; endMs: number };
  unitsTotal: number;
  unitsSkipped: number;
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
      unitsSkipped: x.unitsSkipped,
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

/** incremental: each series from its own latest stored hour minus the lookback, up to the frontier. */
async function planIncremental(
  config: PipelineConfig,
  selections: Selection[],
  warehouse: Warehouse,
  frontiers: ReadonlyMap<Dataset, number>,
  endMs: number,
  logger: Logger,
): Promise<{ units: WorkUnit[]; range: { startMs: number; endMs: number } }> {
  const latest = new Map<Dataset, Map<string, number>>();
  for (const sel of selections) {
    const respondents = Object.values(sel.facets)[0] as readonly string[];
    latest.set(sel.dataset, await warehouse.latestPeriods(sel.dataset, respondents));
  }
  const groups = planIncrementalGroups({
    selections,
    latest,
    endMs,
    frontiers,
    lookbackHours: config.lookbackHours,
    horizonHours: config.revisionHorizonHours,
    floorMs: config.startMs,
  });
  const unseen = [...new Set(groups.flatMap((g) => g.unseen.map((s) => `${g.selection.dataset} ${s}`)))];
  if (unseen.length) {
    logger.warn(`incremental: no stored data for ${unseen.join(', ')}; fetching only the last ${config.lookbackHours} h (run 'historical' to back-fill)`);
  }
  const units = groups.flatMap((g) => planUnits([g.selection], g.startMs, endMs));
  const startMs = groups.length ? Math.min(...groups.map((g) => g.startMs)) : endMs;
  for (const g of groups) {
    logger.info(`incremental: ${g.selection.dataset} ${JSON.stringify(g.selection.facets)} from ${formatHourStamp(g.startMs)}`);
  }
  logger.info(`incremental: ${groups.length} quer${groups.length === 1 ? 'y' : 'ies'} up to ${formatHourStamp(endMs - HOUR_MS)} (inclusive), ${units.length} unit(s)`);
  return { units, range: { startMs, endMs } };
}

/**
 * Open the warehouse (taking the data directory's lock). Any run still marked `running` belongs to a process that
 * died without recording its end (kill -9, power loss): we hold the lock, so no other writer exists. Mark it.
 */
export async function openLedger(dataDir: string, logger: Logger): Promise<Warehouse> {
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

/** Cache the respondent lists fetched for `--regions` (a run that cannot store them still runs). */
async function storeFacetLists(warehouse: Warehouse, lists: readonly FacetList[]): Promise<void> {
  if (lists.length === 0) return;
  const conn = await warehouse.connect();
  try {
    await writeFacetCache(conn, lists);
  } finally {
    conn.closeSync();
  }
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
    ...(config.input === 'bulk' ? { source: 'bulk', bulkFile: config.bulkFile && path.resolve(config.bulkFile) } : {}),
  };
}

