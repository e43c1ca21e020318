/** SQL text helpers for the warehouse, the DuckDB-backed sinks and the commands that query the data directory. */

/** A SQL string literal (single quotes doubled). */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** An epoch-ms instant as a TIMESTAMPTZ expression, exact to the millisecond, independent of the session time zone. */
export function tsLiteral(ms: number): string {
  return `(make_timestamp(${Math.round(ms) * 1000}::BIGINT) AT TIME ZONE 'UTC')`;
}
