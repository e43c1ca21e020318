/**
 * historical, quick and incremental: plan units over the selections (or, for incremental, from each series' latest
 * stored hour), hold them against EIA's publication frontier, and fetch them from the API (or the built-in
 * simulator) into every sink through `execute`.
 */
import { rmdir } from 'node:fs/promises';
import type { PipelineConfig } from '../../config.js';
import type { Dataset, Selection } from '../../core/catalog.js';
import type { ApiWorkUnit } from '../../core/contracts.js';
import type { Logger } from '../../core/logger.js';
import { HOUR_MS, formatHourStamp, formatRange } from '../../core/time.js';
import { createParquetSink } from '../../sinks/parquet/sink.js';
import { createQuarantineFilesSink } from '../../sinks/quarantine-files.js';
import { createRawArchiveSink } from '../../sinks/raw-archive.js';
import type { FacetList } from '../../store/duckdb/facet-cache.js';
import { createEiaClient, createEiaSource, openBudgetRecord, type BudgetRecord, type EiaClient, type EiaSourceConfigInput } from '../../sources/eia/index.js';
import { MAX_LIMITER_MARGIN_MS } from '../../sources/eia/rate-limiter.js';
import { expectedRequests, planUnits } from '../../sources/eia/planner.js';
import { startBuiltinSimulator, type BuiltinSimulator } from '../builtin-simulator.js';
import { ensureWritableDir, execute, openLedger, recordEarlyFailure, type RunDeps, type RunResult } from '../execute.js';
import { planHistorical } from '../file-coverage.js';
import { applyFrontier, clampRange } from '../frontier.js';
import { planIncrementalGroups, supersededOpenUnits } from '../incremental-plan.js';
import { selectionsFor } from '../selections.js';
import type { Warehouse } from '../warehouse.js';

/** How far back the budget record's sends matter: the hourly window plus the limiter's largest margin. */
export const BUDGET_HORIZON_MS = 3_600_000 + MAX_LIMITER_MARGIN_MS;

/** The EIA source settings of a run. */
export function sourceConfigOf(config: PipelineConfig, baseUrl: string, apiKey: string, deps: RunDeps): EiaSourceConfigInput {
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
export async function runFetch(config: PipelineConfig, deps: RunDeps, keyClient: EiaClient | null, facets: readonly FacetList[]): Promise<RunResult> {
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
    await warehouse.cacheFacetLists(facets).catch((err) => logger.warn({ err }, 'could not cache the respondent lists'));
    let planned: ApiWorkUnit[];
    let unitsSkipped = 0;
    let superseded: string[] = [];
    let range = { startMs: config.startMs, endMs: clamp?.endMs ?? latest + HOUR_MS };
    if (config.command === 'incremental') {
      ({ units: planned, range } = await planIncremental(config, selections, warehouse, frontiers, range.endMs, logger));
      const open = [...(await warehouse.ledger()).values()].filter((u) => u.open);
      superseded = supersededOpenUnits(open, selections);
    } else {
      // Planned over the user's own range, so a unit keeps its id while the frontier moves through it; hours a
      // bulk back-fill stored are left out (file-coverage.ts) unless --fresh asks for everything again.
      const plan = planHistorical(selections, config.startMs, config.endMs, config.fresh ? [] : (await warehouse.ledger()).values(), config.revisionHorizonHours);
      planned = plan.units;
      if (plan.requestsWithoutBulk !== null) {
        logger.info(
          `${config.command}: the ledger holds hours stored from EIA's bulk file: fetching only what it lacks ` +
            `(${expectedRequests(planned)} request(s) instead of ${plan.requestsWithoutBulk})`,
        );
      }
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
): Promise<{ units: ApiWorkUnit[]; range: { startMs: number; endMs: number } }> {
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
