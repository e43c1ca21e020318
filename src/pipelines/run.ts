/**
 * `runCommand`: the CLI's commands by name. The fetches (historical, quick, incremental) and replay are here; plan,
 * features, follow and `historical --source bulk` have their files in commands/. Every command that writes hands
 * its source and sinks to `execute` (execute.ts), which records the run and prints the summary.
 */
import { rmdir } from 'node:fs/promises';
import type { PipelineConfig } from '../config.js';
import { formatRange } from '../config.js';
import type { Dataset } from '../core/catalog.js';
import type { WorkUnit } from '../core/contracts.js';
import type { Logger } from '../core/logger.js';
import { HOUR_MS, formatHourStamp } from '../core/time.js';
import { createParquetSink } from '../sinks/parquet.js';
import { createQuarantineFilesSink } from '../sinks/quarantine-files.js';
import { createRawArchiveSink } from '../sinks/raw-archive.js';
import type { Warehouse } from './warehouse.js';
import { writeFacetCache, type FacetList } from '../store/duckdb/facet-cache.js';
import { createEiaClient, createEiaSource, openBudgetRecord, type BudgetRecord, type EiaClient, type EiaSourceConfigInput } from '../sources/eia/index.js';
import { MAX_LIMITER_MARGIN_MS } from '../sources/eia/rate-limiter.js';
import { expectedRequests, planUnits } from '../sources/eia/planner.js';
import { createRawArchiveSource } from '../sources/raw-archive.js';
import { runPlan } from './commands/plan.js';
import { runBulkHistorical } from './commands/bulk-historical.js';
import { runGridMonitorHistorical } from './commands/grid-monitor-historical.js';
import { startBuiltinSimulator, type BuiltinSimulator } from './builtin-simulator.js';
import { runFeatures } from './commands/features.js';
import { applyFrontier, clampRange } from './frontier.js';
import { planIncrementalGroups, supersededOpenUnits } from './incremental-plan.js';
import { resolveRegions } from './regions.js';
import { selectionsFor, type Selection } from './selections.js';
import { ensureWritableDir, execute, openLedger, recordEarlyFailure, type RunDeps, type RunResult } from './execute.js';

export type { RunDeps, RunResult } from './execute.js';

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
  if (config.input === 'grid-monitor') return runGridMonitorHistorical(config, deps);
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

/** The latest published hour of every route of the selections: one metadata request per route. */
async function readFrontiers(client: EiaClient, selections: readonly Selection[], signal: AbortSignal): Promise<Map<Dataset, number>> {
  const out = new Map<Dataset, number>();
  for (const d of new Set(selections.map((s) => s.dataset))) out.set(d, await client.latestPeriod(d, signal));
  return out;
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
