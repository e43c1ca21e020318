/**
 * `npm run query` arguments → a frozen `QueryOptions` (pure). Every bad flag is one `ETL_CONFIG_INVALID` line that
 * names the flag and its allowed values (exit 2, nothing opened, nothing written).
 */
import { parseArgs } from 'node:util';
import { DEFAULTS } from '../../config.js';
import { configError } from '../../core/errors.js';

export const QUERY_FORMATS = ['table', 'csv', 'json', 'parquet'] as const;
export type QueryFormat = (typeof QUERY_FORMATS)[number];

export interface QueryOptions {
  /** The SQL, or null to list the tables and views. */
  readonly sql: string | null;
  readonly dataDir: string;
  readonly format: QueryFormat;
  /** Output file, or null for stdout. */
  readonly out: string | null;
  /** Rows a `table` shows (the rest is counted). */
  readonly maxRows: number;
  /** Query the Parquet files (view `observations`) in an in-memory DuckDB instead of the warehouse. */
  readonly parquet: boolean;
}

const OPTIONS = {
  'data-dir': { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
  'max-rows': { type: 'string' },
  parquet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const ALLOWED = '--data-dir, --format, --out, --max-rows, --parquet, --help';
const DEFAULT_MAX_ROWS = 200;

export const QUERY_HELP = `npm run query -- ["SQL"] [options]   read-only SQL on the warehouse with the project's own DuckDB

With no SQL: one line per table and view, with its comment. TIMESTAMPTZ values (period, ingested_at, …) print in UTC.
period is the UTC instant ENDING the hour; the views also carry hour_start_utc/hour_end_utc and the BA's local time.

Options:
  --format F        ${QUERY_FORMATS.join(', ')} (default table; parquet needs --out)
  --out FILE        write the result to FILE instead of stdout
  --max-rows N      rows a table shows (default ${DEFAULT_MAX_ROWS}; csv, json and parquet write every row)
  --data-dir DIR    data directory (default ${DEFAULTS.dataDir})
  --parquet         query the Parquet files instead of eia.duckdb (view observations; works while a run writes)
  -h, --help        this help

Exit codes: 0 ok, 1 the query failed or the warehouse is busy/missing, 2 bad usage.
Tip: npm prints its own header on stdout; use --out FILE or 'npm run -s query' for clean csv/json.
`;

export type ParsedQuery = { kind: 'help'; text: string } | { kind: 'run'; options: QueryOptions };

/**
 * Parse the arguments after `query`. Several positionals are joined with spaces (an unquoted SQL).
 * @throws EtlError ETL_CONFIG_INVALID with a one-line message.
 */
export function parseQueryArgs(argv: readonly string[]): ParsedQuery {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    const m = /'(-[^']*)'/.exec((e as Error).message);
    throw configError(`unknown or malformed option ${m ? m[1] : ''}; allowed: ${ALLOWED}`.replace('  ', ' '));
  }
  const { values: v, positionals } = parsed;
  if (v.help) return { kind: 'help', text: QUERY_HELP };
  const format = (v.format ?? 'table') as QueryFormat;
  if (!QUERY_FORMATS.includes(format)) throw configError(`--format must be one of ${QUERY_FORMATS.join(', ')} (got '${v.format}')`);
  if (v.out !== undefined && v.out.trim() === '') throw configError('--out needs a file path');
  if (format === 'parquet' && v.out === undefined) throw configError('--format parquet needs --out FILE (Parquet is binary)');
  let maxRows = DEFAULT_MAX_ROWS;
  if (v['max-rows'] !== undefined) {
    maxRows = Number(v['max-rows']);
    if (!/^\d+$/.test(v['max-rows']) || maxRows < 1) throw configError(`--max-rows must be a positive integer (got '${v['max-rows']}')`);
  }
  if (v['data-dir'] !== undefined && v['data-dir'].trim() === '') throw configError('--data-dir needs a directory');
  const sql = positionals.join(' ').trim();
  return {
    kind: 'run',
    options: Object.freeze({
      sql: sql === '' ? null : sql,
      dataDir: v['data-dir'] ?? DEFAULTS.dataDir,
      format,
      out: v.out ?? null,
      maxRows,
      parquet: v.parquet ?? false,
    }),
  };
}
