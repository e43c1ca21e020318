/**
 * Builds the feature files from the warehouse inside a private in-memory DuckDB instance that ATTACHes
 * `<dataDir>/eia.duckdb` READ_ONLY: analysts keep querying, and the data dir's lock is not taken (nothing is
 * written there). Output goes to a temp directory beside `--out` and replaces `--out` when complete.
 *
 * Deterministic: one DuckDB thread, a total ORDER BY (respondent, hour_end_utc), a fixed row-group size, and no
 * clock value in the files or the card; the same warehouse gives byte-identical files (tested and measured).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { configError, EtlError } from '../../core/errors.js';
import { respondentTimeZone } from '../../core/respondents.js';
import { REGION_SHORTHANDS, expandRegions } from '../../core/region-selection.js';
import { HOUR_MS, utcYear } from '../../core/time.js';
import { sqlString } from '../../store/sql.js';
import { ALLOCATOR_FLUSH } from '../../store/duckdb/settings.js';
import { WAREHOUSE_FILE } from '../../store/duckdb/warehouse.js';
import { renderCard, type CardInput, type ColumnCounts, type ColumnStats, type RunInfo } from './card.js';
import { federalHolidayDates } from './holidays.js';
import { checkSplitsInRange, type FeatureOptions } from './options.js';
import { featureTable, fileColumns, inputTables, respondentTables, stagingTables, ts } from './sql.js';
import { ROW_GROUP_ROWS, ROWS_PER_FILE, Status, VALUE_COLUMNS, shardNames, splitNames, statusColumn } from './spec.js';
import { simulatedRunSourceSql } from '../../core/provenance.js';

/** DuckDB memory limit of the build: the pivot and the windows spill beyond it. */
export const FEATURES_MEMORY_LIMIT = '128MB';

export interface BuildRequest {
  dataDir: string;
  options: FeatureOptions;
  /** Used when `options.rangeGiven`. */
  startMs: number;
  endMs: number;
  warn: (message: string) => void;
  /** Ctrl-C: interrupts the running statement; the build stops with ETL_ABORTED and leaves --out as it was. */
  signal?: AbortSignal;
}

export interface BuildResult {
  out: string;
  startMs: number;
  endMs: number;
  respondents: string[];
  rows: number;
  splits: { name: string; rows: number; files: { name: string; bytes: number }[] }[];
  source: string;
}

/** Build the files and the card. Throws `ETL_CONFIG_INVALID` for user errors (nothing written). */
export async function buildFeatures(req: BuildRequest): Promise<BuildResult> {
  const file = path.join(req.dataDir, WAREHOUSE_FILE);
  if (!existsSync(file)) throw configError(`--data-dir '${req.dataDir}' has no warehouse (${WAREHOUSE_FILE}); run 'historical' first`);
  await checkOutDir(req.options.out);
  const instance = await DuckDBInstance.create(':memory:', {
    memory_limit: FEATURES_MEMORY_LIMIT,
    threads: '1',
    allocator_bulk_deallocation_flush_threshold: ALLOCATOR_FLUSH,
  });
  const conn = await instance.connect();
  const tmp = `${path.resolve(req.options.out)}.tmp-${process.pid}`;
  const onAbort = () => conn.interrupt();
  req.signal?.addEventListener('abort', onAbort);
  const run = async (sql: string) => {
    if (req.signal?.aborted) throw new EtlError('ETL_ABORTED', 'pipeline', 'features interrupted; --out is unchanged');
    await conn.run(sql);
  };
  try {
    await conn.run(`SET temp_directory = ${sqlString(`${tmp}.spill`)}`);
    try {
      await conn.run(`ATTACH ${sqlString(file)} AS wh (READ_ONLY)`);
    } catch (e) {
      throw new EtlError('ETL_LOCKED', 'pipeline', `cannot open ${file} read-only (is a pipeline run writing it?): ${(e as Error).message}`, { cause: e });
    }
    const q = async (sql: string) => (await conn.runAndReadAll(sql)).getRows();
    const respondents = await chooseRespondents(q, req);
    const { startMs, endMs } = req.options.rangeGiven ? req : await extent(q, respondents);
    checkSplitsInRange(req.options.splits, startMs, endMs);
    const zoned = respondents.map((code) => {
      const tz = respondentTimeZone(code);
      if (!tz) req.warn(`features: no time zone known for ${code}; its local calendar columns use UTC`);
      return { code, timeZone: tz ?? 'UTC' };
    });
    const holidays = federalHolidayDates(utcYear(startMs) - 1, utcYear(endMs) + 1);
    for (const s of inputTables(zoned, holidays)) await run(s);
    for (let rid = 0; rid < zoned.length; rid++) {
      const steps = [...respondentTables(rid), ...stagingTables(startMs, endMs), ...featureTable(startMs, endMs, req.options.splits, req.options.impute, rid === 0)];
      for (const s of steps) await run(s);
    }
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp, { recursive: true });
    const names = splitNames(req.options.splits.length);
    const bounds = [startMs, ...req.options.splits, endMs];
    const splits: BuildResult['splits'] = [];
    const counts: Record<string, Record<string, ColumnCounts>> = {};
    for (let k = 0; k < names.length; k++) {
      const [[rows]] = await q(`SELECT count(*)::BIGINT FROM feat WHERE split = ${k}`);
      const files = shardNames(names[k], Number(rows));
      for (let i = 0; i < files.length; i++) {
        await run(`COPY (SELECT ${fileColumns()} FROM feat WHERE split = ${k} ORDER BY respondent, hour_end_utc
          LIMIT ${ROWS_PER_FILE} OFFSET ${i * ROWS_PER_FILE}) TO ${sqlString(path.join(tmp, files[i]))}
          (FORMAT PARQUET, COMPRESSION ZSTD, ROW_GROUP_SIZE ${ROW_GROUP_ROWS})`);
      }
      const sized = await Promise.all(files.map(async (f) => ({ name: f, bytes: (await stat(path.join(tmp, f))).size })));
      splits.push({ name: names[k], rows: Number(rows), files: sized });
      counts[names[k]] = await statusCounts(q, k);
    }
    const trainFiles = splits[0].files.map((f) => sqlString(path.join(tmp, f.name)));
    const stats = await trainStats(q, `read_parquet([${trainFiles.join(', ')}])`);
    const runs = await contributingRuns(q);
    const everSimulated = Number((await q(`SELECT count(*) FROM wh.runs WHERE ${simulatedRunSourceSql('source')}`))[0][0]) > 0;
    const [[unknownFuelRows]] = await q(`SELECT count(*)::BIGINT FROM wh.observation_facts f
      JOIN (SELECT s.id AS sid FROM wh.strings s JOIN feat_resp r ON r.respondent = s.s) r ON f.respondent = r.sid
      WHERE f.dataset = (SELECT id FROM wh.strings WHERE s = 'fuel-type-data') AND f.period >= ${ts(startMs)} AND f.period < ${ts(endMs)}
        AND f.series NOT IN (SELECT c.sid FROM feat_cid c JOIN wh.strings d ON d.id = c.did AND d.s = 'fuel-type-data')`);
    const card: CardInput = {
      startMs, endMs, respondents: zoned, impute: req.options.impute,
      splits: splits.map((s, k) => ({ ...s, startMs: bounds[k], endMs: bounds[k + 1] })),
      counts, stats, runs, everSimulated, unknownFuelRows: Number(unknownFuelRows),
    };
    const { readme, info, source } = renderCard(card);
    await writeFile(path.join(tmp, 'README.md'), readme);
    await writeFile(path.join(tmp, 'dataset_info.json'), info);
    await replaceDir(tmp, path.resolve(req.options.out));
    return {
      out: req.options.out, startMs, endMs, respondents, source,
      rows: splits.reduce((n, s) => n + s.rows, 0), splits,
    };
  } catch (e) {
    if (req.signal?.aborted) throw new EtlError('ETL_ABORTED', 'pipeline', 'features interrupted; --out is unchanged', { cause: e });
    throw e;
  } finally {
    req.signal?.removeEventListener('abort', onAbort);
    conn.closeSync();
    instance.closeSync();
    await rm(tmp, { recursive: true, force: true });
    await rm(`${tmp}.spill`, { recursive: true, force: true });
  }
}

type Query = (sql: string) => Promise<unknown[][]>;

/** Ids of the two datasets the features read, as a SQL list. */
const DATASET_IDS = `(SELECT id FROM wh.strings WHERE s IN ('region-data', 'fuel-type-data'))`;

async function chooseRespondents(q: Query, req: BuildRequest): Promise<string[]> {
  const held = (await q(`SELECT s.s FROM (SELECT DISTINCT respondent FROM wh.observation_facts WHERE dataset IN ${DATASET_IDS}) f
    JOIN wh.strings s ON s.id = f.respondent ORDER BY 1`)).map(([r]) => String(r));
  if (req.options.regions === null) {
    if (held.length === 0) throw configError(`--data-dir '${req.dataDir}': the warehouse holds no region-data or fuel-type-data rows; run 'historical' first`);
    return held;
  }
  // ALL and REGIONS mean what they mean for a fetch, over the respondents this warehouse holds: ALL = its BAs with
  // region-data or fuel-type-data in the range (a code the offline table does not know counts as a BA), REGIONS =
  // its regions.
  const [from, to] = req.options.rangeGiven ? [req.startMs, req.endMs] : [0, Number.MAX_SAFE_INTEGER];
  const wanted = expandRegions(req.options.regions, held.map((code) => ({ code, name: code })), ['demand', 'generation'], from, to);
  const shorthands = req.options.regions.filter((r) => (REGION_SHORTHANDS as readonly string[]).includes(r));
  if (shorthands.length && wanted.length === 0) throw configError(`--regions ${shorthands.join(',')}: the warehouse holds no such respondent; run 'historical' with these --regions first`);
  for (const r of wanted) if (!held.includes(r)) req.warn(`features: the warehouse holds no data for ${r}; its columns are all 'not reported'`);
  return [...wanted].sort();
}

/** [first period, last period + 1 h) of the respondents' rows: the default range. */
async function extent(q: Query, respondents: readonly string[]): Promise<{ startMs: number; endMs: number }> {
  const [[lo, hi]] = await q(`SELECT epoch_ms(min(period))::DOUBLE, epoch_ms(max(period))::DOUBLE FROM wh.observation_facts
    WHERE dataset IN ${DATASET_IDS} AND respondent IN (SELECT id FROM wh.strings WHERE s IN (${respondents.map(sqlString).join(', ')}))`);
  if (lo === null) throw configError('--regions: the warehouse holds no data for these respondents; give --start and --end or other --regions');
  return { startMs: Number(lo), endMs: Number(hi) + HOUR_MS };
}

async function statusCounts(q: Query, split: number): Promise<Record<string, ColumnCounts>> {
  const names = Object.keys(Status) as (keyof typeof Status)[];
  const cols = VALUE_COLUMNS.flatMap((c) => names.map((s) => `count(*) FILTER (WHERE ${statusColumn(c.name)} = ${Status[s]})`));
  const [row] = await q(`SELECT ${cols.join(', ')} FROM feat WHERE split = ${split}`);
  const out: Record<string, ColumnCounts> = {};
  VALUE_COLUMNS.forEach((c, i) => {
    out[c.name] = Object.fromEntries(names.map((s, j) => [s.toLowerCase(), Number(row[i * names.length + j])])) as unknown as ColumnCounts;
  });
  return out;
}

/** count, mean, sample std, min, max of every value column's non-null values, read back from the train files. */
async function trainStats(q: Query, from: string): Promise<Record<string, ColumnStats>> {
  const cols = VALUE_COLUMNS.map((c) => `count(${c.name}), avg(${c.name}), stddev_samp(${c.name}), min(${c.name}), max(${c.name})`);
  const [row] = await q(`SELECT ${cols.join(', ')} FROM ${from}`);
  const num = (v: unknown) => (v === null ? null : Number(v));
  return Object.fromEntries(VALUE_COLUMNS.map((c, i) => {
    const [n, mean, std, min, max] = row.slice(i * 5, i * 5 + 5).map(num);
    return [c.name, { count: n ?? 0, mean, std, min, max }];
  }));
}

/** The runs that committed the units whose rows the build used (each unit → the latest run started before its commit). */
async function contributingRuns(q: Query): Promise<RunInfo[]> {
  const rows = await q(`WITH u AS (
      SELECT DISTINCT regexp_extract(s.s, '^(.*)-p[0-9]+$', 1) AS unit_id
      FROM feat_pages p JOIN wh.strings s ON s.id = p.source_page),
    c AS (SELECT (SELECT max(r.started_at) FROM wh.runs r WHERE r.started_at <= un.committed_at) AS started
      FROM u JOIN wh.units un USING (unit_id))
    SELECT run_id, command, source, strftime(range_start AT TIME ZONE 'UTC', '%Y-%m-%dT%H'),
      strftime(range_end AT TIME ZONE 'UTC', '%Y-%m-%dT%H'), status, strftime(started_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ'), rows_loaded
    FROM wh.runs WHERE started_at IN (SELECT started FROM c) ORDER BY started_at, run_id`);
  return rows.map(([runId, command, source, rangeStart, rangeEnd, status, startedAt, rowsLoaded]) => ({
    runId: String(runId), command: String(command), source: String(source), rangeStart: rangeStart === null ? null : String(rangeStart),
    rangeEnd: rangeEnd === null ? null : String(rangeEnd), status: String(status), startedAt: String(startedAt),
    rowsLoaded: rowsLoaded === null ? null : Number(rowsLoaded),
  }));
}

/** `--out` may be new, empty, or an earlier features output (its dataset_info.json names eia-stream). */
async function checkOutDir(out: string): Promise<void> {
  const st = await stat(out).catch(() => null);
  if (!st) return;
  if (!st.isDirectory()) throw configError(`--out '${out}' exists and is not a directory`);
  const entries = await readdir(out);
  if (entries.length === 0) return;
  const info = await readFile(path.join(out, 'dataset_info.json'), 'utf8').catch(() => '');
  if (!info.includes('"eia_stream"')) {
    throw configError(`--out '${out}' is not empty and holds no eia-stream features output (dataset_info.json); choose a new or empty directory`);
  }
}

/** Put the finished temp dir in place of `out` (the previous output, if any, is removed after the swap). */
async function replaceDir(tmp: string, out: string): Promise<void> {
  await mkdir(path.dirname(out), { recursive: true });
  const old = `${out}.old-${process.pid}`;
  const had = existsSync(out);
  if (had) await rename(out, old);
  await rename(tmp, out);
  if (had) await rm(old, { recursive: true, force: true });
}
