/**
 * `npm run query -- "SQL"`: read-only SQL on `<dataDir>/eia.duckdb` with the project's own DuckDB (no CLI to
 * install). Prints an aligned table, CSV or JSON lines, or writes any of them (and Parquet) to `--out`. With no
 * SQL it lists the tables and views with their comments. The session's TimeZone is UTC, so TIMESTAMPTZ values
 * print as UTC instants whatever the machine's zone.
 *
 * The warehouse is opened `READ_ONLY`. While a pipeline run has it open for writing, DuckDB refuses the open
 * (its file lock); the command says so in one line and points to `--parquet`, which queries the Parquet files
 * (committed units only) in an in-memory DuckDB through the view `observations`.
 */
import { createWriteStream, existsSync } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { DuckDBInstance, JsonDuckDBValueConverter, type DuckDBConnection, type DuckDBResult } from '@duckdb/node-api';
import { DEFAULTS } from '../../config.js';
import { EtlError, isEtlError } from '../../core/errors.js';
import { LOCK_FILE } from '../../store/lock.js';
import { WAREHOUSE_FILE } from '../../store/duckdb/warehouse.js';
import { parquetRoot } from '../../store/parquet-layout.js';
import { sqlString } from '../../store/sql.js';
import { parseQueryArgs, type QueryOptions } from './query-args.js';
import { csvLines, jsonLines, renderTable, type TableColumn } from './query-format.js';

export interface QueryIo {
  stdout: Writable;
  stderr: Writable;
}

const LIST_SQL = `
SELECT name, kind, comment FROM (
  SELECT table_name AS name, 'table' AS kind, comment, 0 AS k FROM duckdb_tables()
  WHERE database_name = current_database() AND schema_name = 'main'
  UNION ALL
  SELECT view_name, 'view', comment, 1 FROM duckdb_views()
  WHERE NOT internal AND database_name = current_database() AND schema_name = 'main'
) ORDER BY k, name`;

const failed = (message: string) => new EtlError('ETL_QUERY_FAILED', 'query', message);

/** DuckDB's message on one line: no "Failed to extract statements" prefix, no `LINE n:`/caret context. */
export function duckdbMessage(e: unknown): string {
  const lines = String((e as Error)?.message ?? e)
    .replace(/^Failed to (extract|prepare) statements?: /, '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^LINE \d+:/.test(l) && !/^\^$/.test(l));
  return lines.join(' ');
}

async function openWarehouseReadOnly(dataDir: string): Promise<DuckDBInstance> {
  const file = path.join(dataDir, WAREHOUSE_FILE);
  if (!existsSync(file)) throw failed(`no warehouse at ${file}: run 'npm run pipeline historical' first, or pass --data-dir`);
  try {
    return await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  } catch (e) {
    const msg = duckdbMessage(e);
    if (/Could not set lock|Conflicting lock/i.test(msg)) {
      const pid = /PID (\d+)/.exec(msg)?.[1];
      const lock = path.join(dataDir, LOCK_FILE);
      throw new EtlError(
        'ETL_LOCKED',
        'query',
        `${file} is open for writing by a pipeline run${pid ? ` (pid ${pid})` : ''}${existsSync(lock) ? `, see ${lock}` : ''}; ` +
          `query the committed Parquet files meanwhile: npm run query -- --parquet${dataDir === DEFAULTS.dataDir ? '' : ` --data-dir ${dataDir}`} "SELECT … FROM observations" ` +
          `(view over ${parquetRoot(dataDir)}/**/*.parquet)`,
      );
    }
    throw failed(`cannot open ${file} read-only: ${msg}`);
  }
}

/** An in-memory instance with the view `observations` over every Parquet file of the data dir. */
async function openParquet(dataDir: string): Promise<DuckDBInstance> {
  const glob = `${parquetRoot(dataDir)}/**/*.parquet`;
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    await c.run(`CREATE VIEW observations AS SELECT * FROM read_parquet(${sqlString(glob)}, hive_partitioning = true)`);
    await c.run(
      `COMMENT ON VIEW observations IS ${sqlString(`the Parquet files ${glob} (dataset and year from the path); period = UTC instant ENDING the hour`)}`,
    );
    await c.runAndReadAll('SELECT 1 FROM observations LIMIT 1');
  } catch (e) {
    c.closeSync();
    db.closeSync();
    throw failed(`cannot read ${glob}: ${duckdbMessage(e)}`);
  }
  c.closeSync();
  return db;
}

/** Write `text` and wait for the stream to take it (backpressure). */
async function put(out: Writable, text: string): Promise<void> {
  if (text !== '' && !out.write(text)) await once(out, 'drain');
}

const textOf = (v: unknown) => (v === null ? null : String(v));
const SAFE_INT = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/;

/** Stream the result to `out` in `format`; returns the number of rows. */
async function emit(result: DuckDBResult, opts: QueryOptions, out: Writable): Promise<number> {
  const names = result.columnNames();
  const columns: TableColumn[] = result.columnTypes().map((t, i) => ({ name: names[i], type: String(t) }));
  // JSON keeps integers as numbers when they are exact in a double (the converter gives BIGINT as text).
  const intCols = columns.map((c) => SAFE_INT.test(c.type));
  let total = 0;
  const shown: (string | null)[][] = [];
  if (opts.format === 'csv') await put(out, csvLines([names]));
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    total += chunk.rowCount;
    if (opts.format === 'table') {
      if (shown.length < opts.maxRows) shown.push(...chunk.getRows().slice(0, opts.maxRows - shown.length).map((r) => r.map(textOf)));
    } else if (opts.format === 'csv') {
      await put(out, csvLines(chunk.getRows().map((r) => r.map(textOf))));
    } else {
      const rows = chunk.convertRows(JsonDuckDBValueConverter).map((r) =>
        r.map((v, i) => (intCols[i] && typeof v === 'string' && Number.isSafeInteger(Number(v)) ? Number(v) : v)),
      );
      await put(out, jsonLines(names, rows));
    }
  }
  if (opts.format === 'table') await put(out, renderTable(columns, shown, total));
  return total;
}

async function execute(conn: DuckDBConnection, opts: QueryOptions, io: QueryIo): Promise<void> {
  const sql = opts.sql ?? LIST_SQL;
  if (opts.format === 'parquet') {
    const n = await conn
      .runAndReadAll(`COPY (${sql.replace(/;\s*$/, '')}) TO ${sqlString(opts.out!)} (FORMAT PARQUET, COMPRESSION ZSTD)`)
      .catch((e) => {
        throw failed(duckdbMessage(e));
      });
    await put(io.stderr, `${n.rowsChanged} rows → ${opts.out}\n`);
    return;
  }
  const result = await conn.stream(sql).catch((e) => {
    throw failed(duckdbMessage(e));
  });
  if (opts.out === null) {
    await emit(result, opts, io.stdout).catch((e) => {
      throw isEtlError(e) ? e : failed(duckdbMessage(e));
    });
    return;
  }
  const file = createWriteStream(opts.out);
  try {
    const n = await emit(result, opts, file);
    file.end();
    await once(file, 'finish');
    await put(io.stderr, `${n} rows → ${opts.out}\n`);
  } catch (e) {
    file.destroy();
    throw isEtlError(e) ? e : failed(duckdbMessage(e));
  }
}

/** Run the query command (see the module comment). Throws `EtlError`. */
export async function runQuery(opts: QueryOptions, io: QueryIo): Promise<void> {
  const db = opts.parquet ? await openParquet(opts.dataDir) : await openWarehouseReadOnly(opts.dataDir);
  const conn = await db.connect();
  try {
    await conn.run(`SET TimeZone = 'UTC'`);
    await execute(conn, opts, io);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/**
 * `query` from the CLI: parse, run, and map failures to one line and an exit code (0 ok, 1 failed or busy, 2 bad
 * usage). Never a stack trace.
 */
export async function queryMain(argv: readonly string[], io: QueryIo): Promise<number> {
  try {
    const parsed = parseQueryArgs(argv);
    if (parsed.kind === 'help') {
      await put(io.stdout, parsed.text);
      return 0;
    }
    await runQuery(parsed.options, io);
    return 0;
  } catch (e) {
    const code = isEtlError(e) ? e.code : 'ETL_QUERY_FAILED';
    const msg = (isEtlError(e) ? e.message : duckdbMessage(e)).replace(/\s*\n\s*/g, ' ');
    await put(io.stderr, `eia-stream query: error: ${msg} [${code}]\n`);
    if (code === 'ETL_CONFIG_INVALID') await put(io.stderr, `Run 'npm run query -- --help' for usage.\n`);
    return code === 'ETL_CONFIG_INVALID' ? 2 : 1;
  }
}
