/**
 * `historical --source bulk`: the same back-fill from EIA's bulk file `EBA.zip` instead of the API.
 *
 *   --bulk-file PATH ─┐
 *   download (Range) ─┴▶ raw/bulk/EBA-<sha>.zip ─▶ EBA source ─▶ validate+normalize ▶ Parquet, quarantine, DuckDB
 *
 * No API request is made and no key is used: the run opens no budget record and no limiter. The raw archive keeps
 * the zip itself (`sources/bulk/bulk-archive.ts`), not page bodies, so the raw-archive sink is not in the fan-out;
 * the ledger, the upsert, the revisions and the run record are the API run's (`execute`), with `runs.source =
 * 'bulk'` (`bulk-simulator` when the built-in simulator served the file; a `--bulk-file` is taken for EIA's). Units
 * are one route × respondent × UTC year over consecutive lines, tagged with the file's sha256
 * (`sources/bulk/eba-records.ts`): re-running with the same file resumes, a new file loads again.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { PipelineConfig } from '../../config.js';
import { configError, isEtlError } from '../../core/errors.js';
import { stderrStatusLine } from '../../core/status-line.js';
import { createParquetSink } from '../../sinks/parquet/sink.js';
import { createQuarantineFilesSink } from '../../sinks/quarantine-files.js';
import { BULK_CHECKPOINT_THRESHOLD } from '../../store/duckdb/settings.js';
import { acquireLock } from '../../store/lock.js';
import { fileTag, hashFile, keepLocalFile, type BulkFileManifest } from '../../sources/bulk/bulk-archive.js';
import { downloadEbaZip, type DownloadProgress } from '../../sources/bulk/download.js';
import { ebaSelectionOf } from '../../sources/bulk/eba-select.js';
import { createEbaSource } from '../../sources/bulk/eba-source.js';
import { openEbaZip } from '../../sources/bulk/eba-zip.js';
import { startBuiltinSimulator, type BuiltinSimulator } from '../builtin-simulator.js';
import { resolveRegions } from '../regions.js';
import { ensureWritableDir, execute, openLedger, recordEarlyFailure, type RunDeps, type RunResult } from '../execute.js';
import { bulkOnlySelectionsFor, selectionsFor } from '../selections.js';
import type { Warehouse } from '../warehouse.js';
import { fileRunSource } from '../../core/provenance.js';

/** How errors name a user's file. */
const bulkFileFlag = (file: string) => `--bulk-file '${file}'`;

export async function runBulkHistorical(config: PipelineConfig, deps: RunDeps): Promise<RunResult> {
  const { logger } = deps;
  const now = deps.now ?? Date.now;
  const startedAt = now();
  // No key client: codes are checked against the offline respondent table (the bulk file has no facet lists).
  const resolved = (await resolveRegions(config, { client: null, logger, signal: deps.signal, now })).config;
  if (resolved.bulkFile) {
    // A file that is not a readable EBA.zip is bad usage: found before anything is created or written.
    const what = bulkFileFlag(resolved.bulkFile);
    const st = await stat(resolved.bulkFile).catch((e: NodeJS.ErrnoException) => {
      throw configError(`${what} cannot be read (${e.code ?? 'error'})`);
    });
    if (!st.isFile()) throw configError(`${what} is not a file`);
    const zip = await openEbaZip(resolved.bulkFile, what).catch((e: unknown) => {
      throw isEtlError(e, 'ETL_BULK_INVALID') ? configError(e.message) : e;
    });
    zip.close();
  }
  await ensureWritableDir(resolved.dataDir);

  const simRef: { sim: BuiltinSimulator | null } = { sim: null };
  let warehouse: Warehouse | null = null;
  try {
    // Keeping the file (a download or a hard link) writes raw/bulk/: under the data directory's writer lock, like
    // every other write there. Released before the ledger takes it again; a failure is recorded after the release.
    const lock = await acquireLock(resolved.dataDir);
    const got = await acquire(resolved, deps, async () => {
      const sim = (simRef.sim = await startBuiltinSimulator(deps.now ? { nowMs: deps.now } : {}));
      logger.warn(
        `NO EIA_API_KEY: downloading EBA.zip from the BUILT-IN SIMULATOR — the data is SIMULATED (run recorded as source=bulk-simulator). ` +
          'Set EIA_API_KEY, or EIA_BULK_URL, to read EIA\'s real bulk file.',
      );
      return `${new URL(sim.baseUrl).origin}/bulk/EBA.zip`;
    })
      .finally(() => lock.release())
      .catch((e: unknown) => recordEarlyFailure(resolved, deps, e));
    await simRef.sim?.close();
    simRef.sim = null;

    const selections = [...selectionsFor(resolved.types, resolved.regions), ...bulkOnlySelectionsFor(resolved.types, resolved.regions)];
    const selection = ebaSelectionOf(selections, resolved.startMs, resolved.endMs, config.bulkClock);
    warehouse = await openLedger(resolved.dataDir, logger, { checkpointThreshold: BULK_CHECKPOINT_THRESHOLD });
    const done = resolved.fresh ? new Set<string>() : await warehouse.completedUnitIds();
    const source = createEbaSource({
      file: got.file,
      what: resolved.bulkFile ? bulkFileFlag(resolved.bulkFile) : `the downloaded ${path.basename(got.file)}`,
      selection,
      fileTag: fileTag(got.manifest.sha256),
      horizonHours: resolved.revisionHorizonHours,
      done,
      urlBase: `bulk:${got.manifest.file ?? got.manifest.source_path}`,
      receivedAt: got.manifest.received_at,
    });
    const years = new Date(resolved.endMs - 1).getUTCFullYear() - new Date(resolved.startMs).getUTCFullYear() + 1;
    // One unit per route × respondent × year when a respondent's lines are consecutive (as in the simulator's file).
    const unitsEstimate = selections.reduce((n, s) => n + Object.values(s.facets)[0]!.length * years, 0);
    logger.info(
      { file: got.file, sha256: got.manifest.sha256, bytes: got.manifest.bytes },
      `historical --source bulk: reading ${path.basename(got.file)} (units are route × respondent × UTC year; ~${unitsEstimate} expected)`,
    );
    const parquet = createParquetSink({ dataDir: resolved.dataDir, duckdb: warehouse.instance });
    const t0 = now();
    try {
      const result = await execute(resolved, deps, warehouse, {
        startedAt,
        // `bulk-simulator` when the built-in simulator served the file: the report and the features card flag it.
        sourceLabel: fileRunSource('bulk', Boolean(resolved.bulkFile || resolved.bulkUrl)),
        range: { startMs: resolved.startMs, endMs: resolved.endMs },
        unitsTotal: unitsEstimate,
        unitsSkipped: () => source.counts().unitsAlreadyDone,
        source,
        sourceFigures: () => null,
        sinks: [parquet, createQuarantineFilesSink({ dataDir: resolved.dataDir }), warehouse.sink],
        filesWritten: (counts) => counts.units + parquet.stats().filesWritten,
      });
      // EIA need not publish a twin of every series on the other clock: name the selected ones the run could not read.
      const missing = source.counts().withoutTwin;
      if (missing.length > 0) {
        const clock = selection.clock === 'local' ? 'local-time (HL)' : 'UTC (H)';
        logger.warn(
          { series: missing },
          `--bulk-clock ${selection.clock}: the file has no ${clock} line for ${missing.length} selected series (${missing.slice(0, 5).join(', ')}` +
            `${missing.length > 5 ? ', …' : ''}); they were not loaded` +
            (selection.clock === 'local' ? '. Run without --bulk-clock to read their UTC lines' : ''),
        );
      }
      return result;
    } finally {
      const c = source.counts();
      const secs = Math.max(0.001, (now() - t0) / 1000);
      logger.info(
        {
          lines: c.split.lines, linesRead: c.split.kept, skipped: c.skipped, seriesParsed: c.seriesParsed, units: c.unitsYielded,
          unitsAlreadyDone: c.unitsAlreadyDone, rows: c.rows, textBytes: c.split.bytes, rowsPerSecond: Math.round(c.rows / secs),
        },
        `bulk: ${c.split.lines} lines, ${c.split.kept} read, ${c.unitsYielded} unit(s) loaded, ${c.unitsAlreadyDone} already done`,
      );
    }
  } finally {
    await warehouse?.close().catch((err) => logger.error({ err }, 'closing DuckDB failed'));
    await simRef.sim?.close();
  }
}

/** The zip to read: `--bulk-file` (kept by a hard link or a pointer) or a download (resumed when a part exists). */
async function acquire(
  config: PipelineConfig,
  deps: RunDeps,
  simulatorUrl: () => Promise<string>,
): Promise<{ file: string; manifest: BulkFileManifest }> {
  const { logger } = deps;
  const now = deps.now ?? Date.now;
  if (config.bulkFile) {
    logger.info(`hashing ${config.bulkFile} for the raw archive's manifest`);
    const facts = await hashFile(config.bulkFile, deps.signal);
    const manifest = await keepLocalFile(config.dataDir, config.bulkFile, facts, now);
    if (!manifest.file) logger.warn(`${config.bulkFile} could not be hard-linked into the raw archive; its manifest points at it (keep the file)`);
    return { file: config.bulkFile, manifest };
  }
  const url = config.bulkUrl ?? (await simulatorUrl());
  const line = config.progress && !config.json && deps.stderr.isTTY ? stderrStatusLine() : null;
  let lastDecile = -1;
  const started = Date.now();
  const onProgress = (p: DownloadProgress) => {
    const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;
    const secs = Math.max(0.001, (Date.now() - started) / 1000);
    const rate = `${mb((p.bytes - p.resumedFrom) / secs)}/s`;
    const text = `EBA.zip ${mb(p.bytes)}${p.total ? ` of ${mb(p.total)} (${Math.floor((p.bytes / p.total) * 100)}%)` : ''} | ${rate}${p.resumedFrom ? ` | resumed at ${mb(p.resumedFrom)}` : ''}`;
    if (line) return line.draw(text);
    if (!config.progress || config.json) return;
    const decile = p.total ? Math.floor((p.bytes / p.total) * 10) : Math.floor(p.bytes / (100 * 1048576));
    if (decile > lastDecile) {
      lastDecile = decile;
      logger.info({ bytes: p.bytes, total: p.total, resumedFrom: p.resumedFrom }, text);
    }
  };
  logger.info(`downloading ${url} into ${path.join(config.dataDir, 'raw', 'bulk')}`);
  try {
    const got = await downloadEbaZip({ url, dataDir: config.dataDir, signal: deps.signal, onProgress, now });
    line?.end();
    if (got.reused) logger.info(`EBA.zip unchanged on the server since the last download (ETag): reading ${path.basename(got.file)}`);
    else logger.info({ sha256: got.manifest.sha256, bytes: got.manifest.bytes, resumedFrom: got.resumedFrom }, `downloaded ${path.basename(got.file)}`);
    return { file: got.file, manifest: got.manifest };
  } catch (e) {
    line?.end();
    if (isEtlError(e, 'ETL_ABORTED')) deps.stderr.write('Interrupted. The part of EBA.zip downloaded is kept; re-run the same command to continue the download.\n');
    throw e;
  }
}
