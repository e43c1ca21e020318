/**
 * The DuckDB warehouse `<dataDir>/eia.duckdb`: the data directory's single writer, its schema, the ledger and the
 * run records.
 *
 * `openWarehouse` takes the data directory's lock (`ETL_LOCKED` when another live run holds it), recovers what a
 * crashed run left in the data dir (`recovery.ts`: journals rolled forward, temp files removed), opens the file
 * with a bounded buffer pool, and applies the schema. The instance is exposed so the sinks can work on it: the
 * DuckDB sink loads units through it and the Parquet sink shares its buffer pool
 * (`createParquetSink({ duckdb: warehouse.instance })`); `src/pipelines/warehouse.ts` attaches the DuckDB sink.
 * `close` closes what was attached, CHECKPOINTs (so the DuckDB CLI and Python read the file with no WAL to
 * replay), closes the instance and releases the lock.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { EtlError } from '../../core/errors.js';
import { redactUrl } from '../../core/redact.js';
import { sqlString, tsLiteral } from '../sql.js';
import { recoverDataDir } from '../recovery.js';
import { WAREHOUSE_FILE } from './file.js';
import { acquireLock, type DirLock } from '../lock.js';
import { writeFacetCache, type FacetList } from './facet-cache.js';
import { queryLedger, type LedgerUnit } from './ledger.js';
import { SCHEMA_VERSION, schemaStatements } from './schema.js';

export type { LedgerUnit } from './ledger.js';
import { ALLOCATOR_FLUSH, CHECKPOINT_THRESHOLD, MEMORY_LIMIT, THREADS } from './settings.js';

export { WAREHOUSE_FILE } from './file.js';

/** Options of `openWarehouse`. */
export interface WarehouseOptions {
  /** DuckDB `memory_limit` (default `MEMORY_LIMIT`, 64 MB: see `settings.ts`). */
  memoryLimit?: string;
  /** DuckDB `threads` (default `THREADS`, 1: see `settings.ts`). */
  threads?: number;
  /** DuckDB `checkpoint_threshold` (default `CHECKPOINT_THRESHOLD`, 2 MB: see `settings.ts`). */
  checkpointThreshold?: string;
  /** Clock, epoch ms (tests pin it). */
  now?: () => number;
}

/** What `startRun` records. `args` must not hold the key (URLs in it are redacted anyway). */
export interface RunStartInfo {
  runId?: string;
  command: string;
  args: unknown;
  /** `eia` | `simulator` | `raw-archive`. */
  source: string;
  startMs?: number;
  endMs?: number;
  regions?: readonly string[];
  types?: readonly string[];
}

/** What `finishRun` records; the whole object is stored as JSON in `runs.summary`. */
export interface RunFinishInfo {
  status: string;
  durationMs?: number;
  units?: number;
  pages?: number;
  rowsReceived?: number;
  rowsLoaded?: number;
  rowsQuarantined?: number;
}

/** Content fingerprint of `observations`: row count and an order-independent checksum (ingested_at excluded). */
export interface WarehouseChecksum {
  rows: number;
  checksum: string;
}

/** An open warehouse. */
export interface Warehouse {
  readonly path: string;
  readonly instance: DuckDBInstance;
  /** Close `part` (e.g. a sink on `instance`) first when the warehouse closes, before the CHECKPOINT. */
  attach(part: { close(): Promise<void> }): void;
  /** Ids of units in the ledger and closed (done in every sink, no row of their window may still change). */
  completedUnitIds(): Promise<Set<string>>;
  /** Every unit of the ledger, open or closed, by id. */
  ledger(): Promise<Map<string, LedgerUnit>>;
  /** Record open units as closed: a later run re-fetched every hour of them that could still change. */
  closeUnits(ids: readonly string[]): Promise<void>;
  /** Cache respondent lists fetched from EIA (`facet-cache.ts`); nothing to do for none. */
  cacheFacetLists(lists: readonly FacetList[]): Promise<void>;
  /** Latest stored period (epoch ms) per `respondent|series` of `dataset`, for the given respondents. */
  latestPeriods(dataset: string, respondents: readonly string[]): Promise<Map<string, number>>;
  /**
   * Mark every run still `running` as `killed` and return their ids. Only the lock holder may call it: a run
   * left running then belongs to a process that died without recording its end.
   */
  markKilledRuns(): Promise<string[]>;
  /** Insert a `runs` row with status `running`; returns its run id. */
  startRun(info: RunStartInfo): Promise<string>;
  /** Complete the run's row with its status, counts and summary. */
  finishRun(runId: string, summary: RunFinishInfo): Promise<void>;
  checksum(): Promise<WarehouseChecksum>;
  /** A new connection for ad-hoc reads (tests, tools); the caller closes it. */
  connect(): Promise<DuckDBConnection>;
  /** Close what was attached (in order), CHECKPOINT, close the file, release the lock. Idempotent. */
  close(): Promise<void>;
}

const ts = (ms: number | undefined) => (ms === undefined || !Number.isFinite(ms) ? 'NULL' : tsLiteral(ms));
const list = (xs: readonly string[] | undefined) => (xs ? `[${xs.map(sqlString).join(', ')}]::VARCHAR[]` : 'NULL');

/** Arguments as JSON with any `api_key` value redacted and key-ish fields dropped. */
function safeArgs(args: unknown): string {
  const json = JSON.stringify(args ?? null, (k, v) => (/^api_?key$/i.test(k) ? undefined : v));
  return redactUrl(json);
}

/** Open (creating if needed) the warehouse of `dataDir`. Throws `ETL_LOCKED` or `ETL_SINK_WRITE`. */
export async function openWarehouse(dataDir: string, opts: WarehouseOptions = {}): Promise<Warehouse> {
  await mkdir(dataDir, { recursive: true });
  const lock: DirLock = await acquireLock(dataDir);
  const file = path.join(dataDir, WAREHOUSE_FILE);
  const now = opts.now ?? Date.now;
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;
  try {
    // The lock makes this process the data dir's only writer: finish or discard what a crashed writer left.
    await recoverDataDir(dataDir);
    instance = await DuckDBInstance.create(file, {
      memory_limit: opts.memoryLimit ?? MEMORY_LIMIT,
      threads: String(opts.threads ?? THREADS),
      preserve_insertion_order: 'false',
      allocator_bulk_deallocation_flush_threshold: ALLOCATOR_FLUSH,
      checkpoint_threshold: opts.checkpointThreshold ?? CHECKPOINT_THRESHOLD,
    });
    conn = await instance.connect();
    // One transaction: the ~70 statements (DDL, the respondents' rows, comments) commit once, all or nothing.
    await conn.run('BEGIN TRANSACTION');
    for (const stmt of schemaStatements()) await conn.run(stmt);
    await conn.run(`INSERT OR REPLACE INTO meta VALUES ('schema_version', '${SCHEMA_VERSION}')`);
    await conn.run('COMMIT');
  } catch (e) {
    await lock.release();
    if (e instanceof EtlError) throw e;
    throw new EtlError('ETL_SINK_WRITE', 'sink', `cannot open DuckDB warehouse ${file}: ${(e as Error).message}`, { cause: e });
  }
  const attached: { close(): Promise<void> }[] = [];
  let closed = false;
  const read = async (sql: string) => (await conn.runAndReadAll(sql)).getRows();

  return {
    path: file,
    instance,

    attach(part) {
      attached.push(part);
    },

    async completedUnitIds() {
      return new Set((await read('SELECT unit_id FROM units WHERE NOT coalesce(open, false)')).map(([id]) => String(id)));
    },

    ledger: () => queryLedger(conn),

    async closeUnits(unitIds) {
      if (unitIds.length === 0) return;
      await conn.run(`UPDATE units SET open = false WHERE unit_id IN (${unitIds.map(sqlString).join(', ')})`);
    },

    async cacheFacetLists(lists) {
      if (lists.length > 0) await writeFacetCache(conn, lists);
    },

    async latestPeriods(dataset, respondents) {
      const out = new Map<string, number>();
      if (respondents.length === 0) return out;
      const rows = await read(
        `SELECT respondent, series, epoch_ms(max(period))::DOUBLE FROM observations
         WHERE dataset = ${sqlString(dataset)} AND respondent IN (${respondents.map(sqlString).join(', ')})
         GROUP BY respondent, series`,
      );
      for (const [r, s, ms] of rows) out.set(`${r}|${s}`, Number(ms));
      return out;
    },

    async markKilledRuns() {
      const rows = (await conn.runAndReadAll("UPDATE runs SET status = 'killed' WHERE status = 'running' RETURNING run_id")).getRows();
      return rows.map((r) => String(r[0]));
    },

    async startRun(info) {
      const runId = info.runId ?? `${new Date(now()).toISOString().replace(/[-:]/g, '').slice(0, 15)}Z-${randomBytes(3).toString('hex')}`;
      await conn.run(
        `INSERT INTO runs (run_id, command, arguments, source, range_start, range_end, regions, types, status, started_at)
         VALUES (${sqlString(runId)}, ${sqlString(info.command)}, ${sqlString(safeArgs(info.args))}, ${sqlString(info.source)},
           ${ts(info.startMs)}, ${ts(info.endMs)}, ${list(info.regions)}, ${list(info.types)}, 'running', ${ts(now())})`,
      );
      return runId;
    },

    async finishRun(runId, summary) {
      const n = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? 'NULL' : String(Math.round(x)));
      const finished = now();
      await conn.run(
        `UPDATE runs SET status = ${sqlString(summary.status)}, finished_at = ${ts(finished)},
           duration_ms = coalesce(${n(summary.durationMs)}, CAST(epoch_ms(${ts(finished)}) - epoch_ms(started_at) AS BIGINT)),
           units = ${n(summary.units)}, pages = ${n(summary.pages)}, rows_received = ${n(summary.rowsReceived)},
           rows_loaded = ${n(summary.rowsLoaded)}, rows_quarantined = ${n(summary.rowsQuarantined)},
           summary = ${sqlString(safeArgs(summary))}
         WHERE run_id = ${sqlString(runId)}`,
      );
    },

    async checksum() {
      const [[rows, sum]] = await read(
        `SELECT count(*)::BIGINT, coalesce(sum(hash(dataset, respondent, respondent_name, series, series_name, period, value,
           units, flags, source_page)), 0)::VARCHAR FROM observations`,
      );
      return { rows: Number(rows), checksum: String(sum) };
    },

    connect: () => instance.connect(),

    async close() {
      if (closed) return;
      closed = true;
      try {
        for (const part of attached) await part.close();
        await conn.run('CHECKPOINT');
      } finally {
        conn.closeSync();
        instance.closeSync();
        await lock.release();
      }
    },
  };
}
