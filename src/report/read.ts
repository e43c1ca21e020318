/**
 * The report's IO on the warehouse: opens `<dataDir>/eia.duckdb` READ_ONLY in its own bounded DuckDB instance,
 * runs the aggregate queries of `queries.ts` and returns a `ReportData`. Nothing in the data directory is written:
 * DuckDB's spill files go to a private temp directory, removed afterwards.
 *
 * A missing warehouse is a user error (`ETL_CONFIG_INVALID`, exit 2); a warehouse that a running pipeline holds
 * open for writing is `ETL_LOCKED` (DuckDB lets a file be opened by one writer or by readers, not both).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { EtlError, configError } from '../core/errors.js';
import { WAREHOUSE_FILE } from '../store/duckdb/warehouse.js';
import type { DatasetExtent, Grain, ReportData } from './model.js';
import { FLAG_RULES, MONTHLY, SQL } from './queries.js';
import { toRunRow, type RunsQueryRow } from './run-rows.js';

/** DuckDB settings of the report's instance: the window and quantile queries spill beyond this. */
const MEMORY_LIMIT = '128MB';
const THREADS = 2;
/** Rows of the longest-gaps table, the revisions' top series and the runs table. */
export const LIMITS = { gaps: 25, revisedSeries: 10, copyDifferences: 10, runs: 200 } as const;

type Row = Record<string, unknown>;

/** Stored ranges up to this long get daily buckets for the mix and the forecast error (a few months would be a few points). */
const DAILY_UP_TO_MS = 120 * 86_400_000;

/** Months, or days when every dataset's stored range is short. */
export function grainOf(datasets: readonly DatasetExtent[]): Grain {
  const span = Math.max(0, ...datasets.map((d) => d.lastMs - d.firstMs));
  return span <= DAILY_UP_TO_MS ? 'day' : 'month';
}

/** Read everything the report shows. `now` stamps the page. */
export async function readReportData(dataDir: string, now: () => number = Date.now): Promise<ReportData> {
  const file = path.join(dataDir, WAREHOUSE_FILE);
  if (!existsSync(file)) {
    throw configError(`--data-dir: no warehouse at ${file}; run 'npm run pipeline historical -- --data-dir ${dataDir}' first`);
  }
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'eia-report-'));
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(file, {
      access_mode: 'READ_ONLY',
      memory_limit: MEMORY_LIMIT,
      threads: String(THREADS),
      temp_directory: tmp,
    });
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    const msg = (e as Error).message;
    if (/lock/i.test(msg)) {
      throw new EtlError('ETL_LOCKED', 'report', `the warehouse ${file} is open for writing by a running pipeline; run the report when it has finished`, { cause: e });
    }
    throw new EtlError('ETL_SINK_WRITE', 'report', `cannot open the warehouse ${file} read-only: ${msg.split('\n')[0]}`, { cause: e });
  }
  const conn = await instance.connect();
  try {
    await conn.run(`SET TimeZone = 'UTC'`);
    return await readAll(conn, now());
  } catch (e) {
    if (e instanceof EtlError) throw e;
    throw new EtlError('ETL_INTERNAL', 'report', `report query failed: ${(e as Error).message.split('\n')[0]}`, { cause: e });
  } finally {
    conn.closeSync();
    instance.closeSync();
    await rm(tmp, { recursive: true, force: true });
  }
}

async function readAll(conn: DuckDBConnection, generatedAtMs: number): Promise<ReportData> {
  const q = async <T = Row>(sql: string): Promise<T[]> => (await conn.runAndReadAll(sql)).getRowObjectsJS() as T[];
  const str = (v: unknown) => String(v);
  const n = (v: unknown) => Number(v);
  for (const stmt of MONTHLY) await conn.run(stmt);

  const datasets = (await q(SQL.datasets)).map((r) => ({
    dataset: str(r.dataset), respondents: n(r.respondents), series: n(r.series), rows: n(r.rows),
    firstMs: n(r.first_ms), lastMs: n(r.last_ms),
  }));
  const respondents = (await q(SQL.respondents)).map((r) => ({ code: str(r.code), name: str(r.name) }));
  const coverage = (await q(SQL.coverage)).map((r) => ({
    dataset: str(r.dataset), respondent: str(r.respondent), month: str(r.month), present: n(r.present),
  }));
  const seriesSpans = (await q(SQL.seriesSpans)).map((r) => ({
    dataset: str(r.dataset), respondent: str(r.respondent), series: str(r.series), firstMs: n(r.first_ms), lastMs: n(r.last_ms),
  }));
  const longestGaps = (await q(SQL.longestGaps(LIMITS.gaps))).map((r) => ({
    dataset: str(r.dataset), respondent: str(r.respondent), series: str(r.series),
    startMs: n(r.start_ms), endMs: n(r.end_ms), hours: n(r.hours), allRuns: n(r.all_runs), allHours: n(r.all_hours),
  }));
  const flagMonths = (await q(SQL.flagMonths)).map((r) => ({ month: str(r.month), rule: str(r.rule), hours: n(r.hours) }));
  const flagTotals = (await q(SQL.flagTotals)).map((r) => ({
    dataset: str(r.dataset), respondent: str(r.respondent), rows: n(r.rows), flagged: n(r.flagged),
    byRule: Object.fromEntries(FLAG_RULES.map((rule) => [rule, n(r[rule])])),
  }));
  const quarantine = (await q(SQL.quarantine)).map((r) => ({ dataset: str(r.dataset), reason: str(r.reason), rows: n(r.rows) }));
  const demand = (await q(SQL.demand)).map((r) => ({
    respondent: str(r.respondent), day: str(r.day), mean: n(r.mean), min: n(r.min), max: n(r.max),
  }));
  const grain = grainOf(datasets);
  const mix = (await q(SQL.mix(grain))).map((r) => ({ respondent: str(r.respondent), bucket: str(r.bucket), fuel: str(r.fuel), share: n(r.share) }));
  const forecast = (await q(SQL.forecast(grain))).map((r) => ({
    respondent: str(r.respondent), bucket: str(r.bucket), mean: n(r.mean), p05: n(r.p05), p95: n(r.p95),
    mape: n(r.mape), hours: n(r.hours),
  }));
  const [rt] = await q(SQL.revisionTotals);
  const revisions = {
    total: n(rt.total),
    keys: n(rt.keys),
    byMonth: (await q(SQL.revisionsByMonth)).map((r) => ({ dataset: str(r.dataset), month: str(r.month), count: n(r.count) })),
    bySeenDay: (await q(SQL.revisionsBySeenDay)).map((r) => ({ day: str(r.day), count: n(r.count) })),
    bySize: (await q(SQL.revisionsBySize)).map((r) => ({ bin: str(r.bin), count: n(r.count) })),
    topSeries: (await q(SQL.revisionsTopSeries(LIMITS.revisedSeries))).map((r) => ({
      dataset: str(r.dataset), respondent: str(r.respondent), series: str(r.series), count: n(r.count),
      meanAbsChange: n(r.mean_abs_change),
    })),
  };
  const nul = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  const hasCopies = n((await q(SQL.hasCopies))[0].n) > 0;
  const pairs = hasCopies
    ? (await q(SQL.copyPairs)).map((r) => ({
        aSource: str(r.a_source), bSource: str(r.b_source), dataset: str(r.dataset), series: str(r.series),
        keys: n(r.keys), equal: n(r.equal), different: n(r.different), maxAbsDifference: nul(r.max_abs_difference),
      }))
    : [];
  const copies = {
    keys: pairs.reduce((a, r) => a + r.keys, 0),
    pairs,
    columns: pairs.length
      ? (await q(SQL.copyColumns)).map((r) => ({
          dataset: str(r.dataset), series: str(r.series), keys: n(r.keys), hoursAdjustedDiffers: n(r.hours_adjusted_differs),
          apiEqualsReported: n(r.api_equals_reported), apiEqualsAdjusted: n(r.api_equals_adjusted), verdict: str(r.api_value_is),
        }))
      : [],
    largest: pairs.length
      ? (await q(SQL.copyLargest(LIMITS.copyDifferences))).map((r) => ({
          aSource: str(r.a_source), bSource: str(r.b_source), dataset: str(r.dataset), respondent: str(r.respondent), series: str(r.series),
          periodMs: n(r.period_ms), aValue: nul(r.a_value), bValue: nul(r.b_value),
        }))
      : [],
  };
  const runs = (await q<RunsQueryRow>(SQL.runs(LIMITS.runs))).map(toRunRow);
  return {
    generatedAtMs,
    datasets,
    respondents,
    coverage,
    seriesSpans,
    longestGaps: longestGaps.map(({ allRuns: _r, allHours: _h, ...g }) => g),
    gapTotals: { runs: longestGaps[0]?.allRuns ?? 0, hours: longestGaps[0]?.allHours ?? 0 },
    flagMonths,
    flagTotals,
    quarantine,
    demand,
    grain,
    mix,
    forecast,
    revisions,
    copies,
    runs,
  };
}
