/**
 * Text renderings of a query result (pure): an aligned table for a terminal, CSV (RFC 4180) and JSON lines.
 * Cells arrive as DuckDB's own text for each value (`String(value)`), `null` for SQL NULL.
 */

/** Column types whose values align right in a table. */
const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL)/;

export interface TableColumn {
  name: string;
  /** DuckDB type text (`BIGINT`, `DECIMAL(10,2)`, …). */
  type: string;
}

/** An aligned table: header, rule, rows; NULL shown as `NULL`; a footer with the row count (and how many are shown). */
export function renderTable(columns: readonly TableColumn[], rows: readonly (readonly (string | null)[])[], totalRows: number): string {
  const cell = (v: string | null) => (v === null ? 'NULL' : v.replace(/\r?\n/g, '\\n'));
  const widths = columns.map((c, i) => Math.max(c.name.length, ...rows.map((r) => cell(r[i]).length)));
  const right = columns.map((c) => NUMERIC.test(c.type));
  const line = (vals: readonly string[]) =>
    vals.map((v, i) => (right[i] ? v.padStart(widths[i]) : i === vals.length - 1 ? v : v.padEnd(widths[i]))).join('  ');
  const out = [line(columns.map((c) => c.name)), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map((r) => line(r.map(cell)))];
  const noun = totalRows === 1 ? 'row' : 'rows';
  out.push(rows.length < totalRows ? `(${totalRows} ${noun}, first ${rows.length} shown; --max-rows N or --format csv for more)` : `(${totalRows} ${noun})`);
  return out.map((l) => l.trimEnd()).join('\n') + '\n';
}

/** One CSV field: quoted when it holds a comma, quote, CR or LF; NULL is an empty field. */
function csvField(v: string | null): string {
  if (v === null) return '';
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** CSV lines (with `\n`) for a header or rows. */
export function csvLines(rows: readonly (readonly (string | null)[])[]): string {
  return rows.map((r) => r.map(csvField).join(',') + '\n').join('');
}

/** JSON lines: one object per row, keys in column order. */
export function jsonLines(names: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return rows.map((r) => JSON.stringify(Object.fromEntries(names.map((n, i) => [n, r[i]]))) + '\n').join('');
}
