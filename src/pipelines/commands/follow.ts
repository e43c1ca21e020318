/**
 * `follow`: stay current as EIA publishes. Runs until the signal aborts (SIGTERM, Ctrl-C), then exits 0.
 *
 * Each cycle is an ordinary fetch run (`runCommand`): it opens the data directory's lock and DuckDB, fetches, commits
 * and closes them again, so between cycles analysts can open `data/eia.duckdb` read-only. The first cycle on an
 * empty data directory (or with an explicit `--start`) is a `historical` back-fill from `--start` (default 7 days
 * before the publication frontier) to the frontier; it resumes from the ledger like any historical run. Every later
 * cycle is an `incremental`. A failed cycle backs off and retries; a cycle that finds the warehouse held by another
 * process waits and retries with a one-line message. The built-in simulator (no key) is started once for the
 * whole process, so its clock and its data versions persist across cycles.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { PipelineConfig } from '../../config.js';
import { DEFAULTS } from '../../config.js';
import { isEtlError, userMessage } from '../../core/errors.js';
import { formatHourStamp, HOUR_MS } from '../../core/time.js';
import { createEiaClient, openBudgetRecord } from '../../sources/eia/index.js';
import { startBuiltinSimulator, type BuiltinSimulator } from '../builtin-simulator.js';
import { startHealthServer } from '../follow/health-server.js';
import { FollowMetrics, type CycleFigures } from '../follow/metrics.js';
import { cycleIntervalMs, DEFAULT_FOLLOW_SCHEDULE, healthOf, nextCycleAt, retryCycleDelayMs, type FollowSchedule, type Health } from '../follow/schedule.js';
import type { RunDeps, RunResult } from '../execute.js';
import { runCommand } from '../run.js';
import { BUDGET_HORIZON_MS } from './fetch.js';
import { selectionsFor } from '../selections.js';
import { cycleFigures, isWarehouseBusy } from './follow-cycle.js';

/** Waits between attempts while another process holds the warehouse, ms. */
const BUSY_RETRY_MS = 2_000;

export async function runFollow(config: PipelineConfig, deps: RunDeps): Promise<RunResult> {
  const { logger, signal } = deps;
  const now = deps.now ?? Date.now;
  const schedule: FollowSchedule = config.intervalSeconds === null
    ? DEFAULT_FOLLOW_SCHEDULE
    : { ...DEFAULT_FOLLOW_SCHEDULE, intervalMs: config.intervalSeconds * 1000, jitterMs: 0 };
  const intervalMs = cycleIntervalMs(schedule);
  const metrics = new FollowMetrics();
  const startedMs = now();
  let lastSuccessMs: number | null = null;
  // A cycle longer than the interval stretches the period the health check measures against.
  let lastCycleMs = 0;
  // The first back-fill may take longer than two intervals; until it fails it is progress, not staleness.
  let backfilling = false;
  let failures = 0;
  const health = (): Health =>
    backfilling && failures === 0 && lastSuccessMs === null
      ? { healthy: true, ageMs: null, reason: 'back-filling: no cycle has finished yet' }
      : healthOf(now(), startedMs, lastSuccessMs, Math.max(intervalMs, lastCycleMs));
  const server = await startHealthServer({ port: config.metricsPort, host: config.metricsHost, metrics, health });
  logger.info(`follow: /metrics and /healthz on http://${config.metricsHost}:${server.port}`);
  let sim: BuiltinSimulator | null = null;
  try {
    if (config.source === 'simulator') {
      sim = await startBuiltinSimulator({ clockSpeed: config.simClockSpeed });
    }
    const cycleDeps: RunDeps = { ...deps, stdout: nullStream(), simulator: sim ?? undefined };
    let backfill = config.rangeGiven || !existsSync(path.join(config.dataDir, 'eia.duckdb'));
    let lastStart: number | undefined;
    while (!signal.aborted) {
      const t0 = now();
      lastStart = t0;
      const command = backfill ? 'historical' : 'incremental';
      backfilling = backfill;
      try {
        const cycleConfig = backfill ? await backfillConfig(config, sim, signal) : { ...config, command: 'incremental' as const, progress: false, rangeGiven: false };
        const result = await runWhenFree(cycleConfig, cycleDeps);
        const figures = cycleFigures(result, now() - t0);
        metrics.recordCycle(figures, now());
        // The key's sends in the last hour as the durable record has them: every process sharing it, not only ours.
        metrics.setBudgetUsed(await sendsInLastHour(config.budgetFile));
        metrics.setFreshness(result.routes ?? []);
        lastSuccessMs = now();
        lastCycleMs = figures.durationMs;
        failures = 0;
        backfill = false;
        logger.info(cycleLine(command, figures, result));
      } catch (e) {
        if (signal.aborted || isEtlError(e, 'ETL_ABORTED')) break;
        if (isEtlError(e, 'ETL_CONFIG_INVALID') && backfill) throw e;
        failures++;
        metrics.recordCycle({ ...cycleFigures(null, now() - t0), ok: false }, now());
        const delay = retryCycleDelayMs(failures, Math.min(intervalMs, 5_000), intervalMs, Math.random);
        logger.error(`follow: ${command} cycle FAILED (${failures} in a row): ${userMessage(e)}; retrying in ${Math.round(delay / 1000)} s`);
        await sleep(delay, signal);
        continue;
      }
      await sleep(nextCycleAt(now(), schedule, Math.random, lastStart) - now(), signal);
    }
    logger.info('follow: stopped; every committed unit is kept');
    return { exitCode: 0, summary: null };
  } finally {
    await server.close();
    await sim?.close();
  }
}

/** One fetch run, waiting while another process holds the data directory or the warehouse file. */
async function runWhenFree(config: PipelineConfig, deps: RunDeps): Promise<RunResult> {
  for (;;) {
    try {
      return await runCommand(config, deps);
    } catch (e) {
      if (!isWarehouseBusy(e) || deps.signal.aborted) throw e;
      deps.logger.warn(`follow: the warehouse is held by another process (${userMessage(e)}); waiting ${BUSY_RETRY_MS / 1000} s and retrying`);
      await sleep(BUSY_RETRY_MS, deps.signal);
    }
  }
}

/**
 * The back-fill run: `--start` (default 7 days before the earliest route's frontier) up to the frontier, read here
 * (one metadata request per route) so the run plans no unit past it.
 */
async function backfillConfig(config: PipelineConfig, sim: BuiltinSimulator | null, signal: AbortSignal): Promise<PipelineConfig> {
  // These reads spend the key's budget like any other request: the limiter is seeded from, and writes to, the record.
  const record = openBudgetRecord(config.budgetFile, { horizonMs: BUDGET_HORIZON_MS });
  const client = createEiaClient(
    { baseUrl: sim?.baseUrl ?? config.baseUrl!, apiKey: sim?.apiKey ?? config.apiKey!, requestsPerHour: config.requestsPerHour, requestsPerSecond: config.requestsPerSecond },
    { record },
  );
  try {
    let frontier = Infinity;
    for (const d of new Set(selectionsFor(config.types, config.regions).map((s) => s.dataset))) frontier = Math.min(frontier, await client.latestPeriod(d, signal));
    const startMs = config.rangeGiven ? config.startMs : frontier - DEFAULTS.followBackfillDays * 24 * HOUR_MS;
    return { ...config, command: 'historical', progress: false, rangeGiven: true, startMs, endMs: Math.min(config.endMs, frontier + HOUR_MS) };
  } finally {
    await client.close();
    await record.close();
  }
}

/** Sends (and pending reservations) the budget record holds for the last hour. Reserves nothing. */
async function sendsInLastHour(file: string): Promise<number> {
  const record = openBudgetRecord(file, { horizonMs: HOUR_MS });
  try {
    let n = 0;
    await record.reserve((sends) => {
      const since = Date.now() - HOUR_MS;
      n = sends.filter((x) => x.t > since).length;
      return null;
    });
    return n;
  } finally {
    await record.close();
  }
}

function cycleLine(command: string, f: CycleFigures, r: RunResult): string {
  const routes = (r.routes ?? []).map((x) => {
    const lag = x.newestStoredMs === null ? '-' : `${Math.round((x.frontierMs - x.newestStoredMs) / HOUR_MS)} h`;
    return `${x.dataset} ${x.newestStoredMs === null ? '-' : formatHourStamp(x.newestStoredMs)} (frontier ${formatHourStamp(x.frontierMs)}, lag ${lag})`;
  });
  const s = r.summary;
  return `follow: ${command} cycle ok in ${(f.durationMs / 1000).toFixed(1)} s: frontier ${s?.frontier ?? '-'}, ${s?.requests ?? 0} requests, ` +
    `rows loaded ${f.rowsLoaded} (new ${f.rowsNew}, revised ${f.rowsRevised}), quarantined ${f.rowsQuarantined}, throttled ${f.throttled}; newest stored: ${routes.join(', ')}`;
}

/** Resolves after `ms`, or at once when the signal aborts (never rejects). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Each cycle's summary is a log line of follow's own, not the multi-line run summary. */
function nullStream(): NodeJS.WriteStream {
  return new Writable({ write: (_c, _e, cb) => cb() }) as unknown as NodeJS.WriteStream;
}
