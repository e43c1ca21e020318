/** Small SQL text helpers shared by the DuckDB-backed sinks. */

/** A SQL string literal (single quotes doubled). */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** An epoch-ms instant as a TIMESTAMPTZ expression, exact to the millisecond, independent of the session time zone. */
export function tsLiteral(ms: number): string {
  return `(make_timestamp(${Math.round(ms) * 1000}::BIGINT) AT TIME ZONE 'UTC')`;
}
