/**
 * `historical --source grid-monitor`: the back-fill from the Grid Monitor's six-month CSVs (2015-07 onward).
 *
 *   --grid-monitor-dir DIR ─┐
 *   download (Range) ───────┴▶ raw/gridmonitor/<name>-<sha>.csv ─▶ grid-monitor source ─▶ validate+normalize
 *      ─▶ Parquet, quarantine, bulk variants (adjusted/imputed), DuckDB (+ ledger)
 *
 * Only the half-year files that hold hours of `[--start, --end)` are read, and only the kinds the `--types` need
 * (BALANCE for demand, generation and interchange totals; INTERCHANGE for `interchange`; SUBREGION for `subba`).
 * No API request is made and no key is sent. The raw archive keeps each CSV as received with its sha256
 * (`sources/bulk/grid-monitor-archive.ts`). `runs.source` is `grid-monitor` (`grid-monitor-simulator` when the
 * built-in simulator served the files).
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { PipelineConfig } from '../../config.js';
import { configError, isEtlError } from '../../core/errors.js';
import { sixMonthFilesFor, type SixMonthFile } from '../../core/six-month-files.js';
import { stderrStatusLine } from '../../core/status-line.js';
import { HOUR_MS } from '../../core/time.js';
import { createBulkVariantsSink } from '../../sinks/bulk-variants.js';
import { createParquetSink } from '../../sinks/parquet/sink.js';
import { createQuarantineFilesSink } from '../../sinks/quarantine-files.js';
import { acquireLock } from '../../store/lock.js';
import { fileTag, hashFile } from '../../sources/bulk/bulk-archive.js';
import type { DownloadProgress } from '../../sources/bulk/download.js';
import { planHeader } from '../../sources/bulk/grid-monitor-columns.js';
import { keepLocalCsv } from '../../sources/bulk/grid-monitor-archive.js';
import { downloadGridMonitorCsv, listGridMonitorFiles } from '../../sources/bulk/grid-monitor-download.js';
import { createGridMonitorSource, kindsFor, readHeader, type GridMonitorInput } from '../../sources/bulk/grid-monitor-source.js';
import { ebaSelectionOf } from '../../sources/bulk/eba-select.js';
import { startBuiltinSimulator, type BuiltinSimulator } from '../builtin-simulator.js';
import { ensureWritableDir, execute, openLedger, recordEarlyFailure, type RunDeps, type RunResult } from '../execute.js';
import { resolveRegions } from '../regions.js';
import { selectionsFor } from '../selections.js';
import type { Warehouse } from '../warehouse.js';
import { fileRunSource } from '../../core/provenance.js';

const dirFlag = (dir: string) => `--grid-monitor-dir '${dir}'`;
const KIND_FILE = { BALANCE: 'balance', INTERCHANGE: 'interchange', SUBREGION: 'subregion' } as const;

export async function runGridMonitorHistorical(config: PipelineConfig, deps: RunDeps): Promise<RunResult> {
  const { logger } = deps;
  const now = deps.now ?? Date.now;
  const startedAt = now();
  const resolved = (await resolveRegions(config, { client: null, logger, signal: deps.signal, now })).config;
  const selection = ebaSelectionOf(selectionsFor(resolved.types, resolved.regions), resolved.startMs, resolved.endMs);
  const wanted = kindsFor(selection).flatMap((k) => sixMonthFilesFor(k, resolved.startMs, resolved.endMs));
  // A folder that lacks a file the range needs, or holds one that is not a six-month CSV, is bad usage: found
  // before anything is created or written.
  if (resolved.gridMonitorDir) await checkDir(resolved.gridMonitorDir, wanted);
  await ensureWritableDir(resolved.dataDir);

  const simRef: { sim: BuiltinSimulator | null } = { sim: null };
  let warehouse: Warehouse | null = null;
  try {
    const lock = await acquireLock(resolved.dataDir);
    const inputs = await acquire(resolved, deps, wanted, async () => {
      const sim = (simRef.sim = await startBuiltinSimulator(deps.now ? { nowMs: deps.now } : {}));
      logger.warn(
        'NO EIA_API_KEY: downloading the six-month CSVs from the BUILT-IN SIMULATOR — the data is SIMULATED (run recorded as source=grid-monitor-simulator). ' +
          'Set EIA_API_KEY, or EIA_GRID_MONITOR_URL, to read EIA\'s real files.',
      );
      return `${new URL(sim.baseUrl).origin}/gridmonitor/sixMonthFiles/`;
    })
      .finally(() => lock.release())
      .catch((e: unknown) => recordEarlyFailure(resolved, deps, e));
    await simRef.sim?.close();
    simRef.sim = null;

    warehouse = await openLedger(resolved.dataDir, logger);
    const done = resolved.fresh ? new Set<string>() : await warehouse.completedUnitIds();
    const source = createGridMonitorSource({
      files: inputs,
      selection,
      horizonHours: resolved.revisionHorizonHours,
      frontierMs: Math.floor(now() / HOUR_MS) * HOUR_MS,
      done,
    });
    const respondents = new Set([...selection.routes.values()].flatMap((r) => [...r.respondents])).size;
    const unitsEstimate = inputs.length * Math.max(1, respondents);
    logger.info(
      { files: inputs.map((i) => path.basename(i.path)) },
      `historical --source grid-monitor: reading ${inputs.length} file(s) (units are file × route × respondent × UTC year)`,
    );
    const parquet = createParquetSink({ dataDir: resolved.dataDir, duckdb: warehouse.instance });
    const variants = createBulkVariantsSink({ dataDir: resolved.dataDir, duckdb: warehouse.instance });
    const t0 = now();
    try {
      return await execute(resolved, deps, warehouse, {
        startedAt,
        sourceLabel: fileRunSource('grid-monitor', Boolean(resolved.gridMonitorDir || resolved.gridMonitorUrl)),
        range: { startMs: resolved.startMs, endMs: resolved.endMs },
        unitsTotal: unitsEstimate,
        unitsSkipped: () => source.counts().unitsAlreadyDone,
        source,
        sourceFigures: () => null,
        // The variants commit before DuckDB's, which writes the ledger row: a unit in the ledger has its figures.
        sinks: [parquet, createQuarantineFilesSink({ dataDir: resolved.dataDir }), variants, warehouse.sink],
        filesWritten: (counts) => counts.units + parquet.stats().filesWritten,
      });
    } finally {
      const c = source.counts();
      const secs = Math.max(0.001, (now() - t0) / 1000);
      logger.info(
        {
          files: c.files, lines: c.split.lines, linesParsed: c.split.kept, csvRows: c.csvRows, observations: c.observations,
          seamDuplicates: c.seamDuplicates, badCells: c.badCells, units: c.unitsYielded, unitsAlreadyDone: c.unitsAlreadyDone,
          rows: c.rows, variants: variants.stats().rowsWritten, textBytes: c.split.bytes, rowsPerSecond: Math.round(c.rows / secs),
        },
        `grid monitor: ${c.files} file(s), ${c.split.lines} lines, ${c.split.kept} parsed, ${c.rows} rows in ${c.unitsYielded} unit(s), ${c.seamDuplicates} seam duplicate(s) dropped, ${c.unitsAlreadyDone} unit(s) already done`,
      );
    }
  } finally {
    await warehouse?.close().catch((err) => logger.error({ err }, 'closing DuckDB failed'));
    await simRef.sim?.close();
  }
}

/** `--grid-monitor-dir`: a readable folder holding every file the range needs, each with a usable header. */
async function checkDir(dir: string, wanted: readonly SixMonthFile[]): Promise<void> {
  const what = dirFlag(dir);
  const st = await stat(dir).catch((e: NodeJS.ErrnoException) => {
    throw configError(`${what} cannot be read (${e.code ?? 'error'})`);
  });
  if (!st.isDirectory()) throw configError(`${what} is not a directory`);
  for (const f of wanted) {
    const file = path.join(dir, f.name);
    const fst = await stat(file).catch(() => null);
    if (!fst?.isFile()) throw configError(`${what} has no ${f.name}, which the range needs (files: EIA930_<KIND>_<YYYY>_<Jan_Jun|Jul_Dec>.csv)`);
    try {
      planHeader(KIND_FILE[f.kind], await readHeader(file, f.name));
    } catch (e) {
      throw isEtlError(e, 'ETL_BULK_INVALID') ? configError(`${what}: ${e.message}`) : e;
    }
  }
}

/** The files to read: the folder's (kept by hard links or pointers) or downloads (resumed when a part exists). */
async function acquire(
  config: PipelineConfig,
  deps: RunDeps,
  wanted: readonly SixMonthFile[],
  simulatorUrl: () => Promise<string>,
): Promise<GridMonitorInput[]> {
  const { logger } = deps;
  const now = deps.now ?? Date.now;
  const out: GridMonitorInput[] = [];
  if (config.gridMonitorDir) {
    for (const f of wanted) {
      const file = path.join(config.gridMonitorDir, f.name);
      const facts = await hashFile(file, deps.signal);
      const m = await keepLocalCsv(config.dataDir, f.name, file, facts, now);
      if (!m.file) logger.warn(`${file} could not be hard-linked into the raw archive; its manifest points at it (keep the file)`);
      out.push({ file: f, path: file, tag: fileTag(facts.sha256), what: f.name, receivedAt: m.received_at });
    }
    return out;
  }
  const base = config.gridMonitorUrl ?? (await simulatorUrl());
  const listed = await listGridMonitorFiles(base, deps.signal);
  const line = config.progress && !config.json && deps.stderr.isTTY ? stderrStatusLine() : null;
  logger.info(`downloading ${wanted.length} six-month file(s) from ${base} into ${path.join(config.dataDir, 'raw', 'gridmonitor')}`);
  try {
    for (const [i, f] of wanted.entries()) {
      if (listed && !listed.has(f.name)) {
        logger.warn(`${f.name} is not published yet (not in the folder's file list): its hours are left out`);
        continue;
      }
      const started = Date.now();
      const onProgress = (p: DownloadProgress) => {
        const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;
        const secs = Math.max(0.001, (Date.now() - started) / 1000);
        line?.draw(`${f.name} (${i + 1}/${wanted.length}) ${mb(p.bytes)}${p.total ? ` of ${mb(p.total)}` : ''} | ${mb((p.bytes - p.resumedFrom) / secs)}/s${p.resumedFrom ? ` | resumed at ${mb(p.resumedFrom)}` : ''}`);
      };
      const got = await downloadGridMonitorCsv({ baseUrl: base, name: f.name, dataDir: config.dataDir, signal: deps.signal, onProgress, now }).catch((e: unknown) => {
        if (isEtlError(e, 'ETL_HTTP_STATUS') && (e.details as { status?: number } | undefined)?.status === 404) return null;
        throw e;
      });
      if (!got) {
        logger.warn(`${f.name}: HTTP 404 from ${base}; its hours are left out`);
        continue;
      }
      if (config.progress && !config.json && !line) {
        logger.info({ sha256: got.manifest.sha256, bytes: got.manifest.bytes, reused: got.reused, resumedFrom: got.resumedFrom }, `${f.name} ${got.reused ? 'unchanged (ETag)' : 'downloaded'}`);
      }
      out.push({ file: f, path: got.file, tag: fileTag(got.manifest.sha256), what: f.name, receivedAt: got.manifest.received_at });
    }
    line?.end();
    return out;
  } catch (e) {
    line?.end();
    if (isEtlError(e, 'ETL_ABORTED')) deps.stderr.write('Interrupted. The part of the file downloaded is kept; re-run the same command to continue the download.\n');
    throw e;
  }
}
