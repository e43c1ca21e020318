/**
 * The SQL that builds the feature table inside DuckDB (pure text builders). The warehouse is attached as `wh`
 * (read-only). Steps, each a temp table so DuckDB can spill within its memory limit:
 *
 * 1. `feat_obs`: the observations of the selected respondents and range whose series is one of the value columns,
 *    as (respondent, period, col index, value, flags).
 * 2. `feat_present`: per respondent, which columns have at least one row in the range (else NOT_REPORTED).
 * 3. `feat_wide`: the pivot, one row per (respondent, period) that has any observation.
 * 4. `feat`: the hour grid of every respondent LEFT JOIN the pivot, with local calendar columns, statuses and
 *    (with `--impute linear`) the linear fill of short gaps; one column `split` (0, 1, 2) for the COPY.
 */
import { sqlString } from '../../sinks/sql.js';
import { HOUR_MS } from '../../core/time.js';
import { MAX_IMPUTE_GAP_HOURS, Status, VALUE_COLUMNS, KEY_COLUMNS, statusColumn, type ImputeMode } from './spec.js';

/** A TIMESTAMPTZ literal of an epoch-ms whole second. */
const ts = (ms: number) => `to_timestamp(${Math.round(ms / 1000)})`;

/** Filter of `wh.observations` rows that feed a value column, for `respondents` and `[startMs, endMs)`. */
export function observationFilter(respondents: readonly string[], startMs: number, endMs: number): string {
  const bySeries = (dataset: string) =>
    `(o.dataset = ${sqlString(dataset)} AND o.series IN (${VALUE_COLUMNS.filter((c) => c.dataset === dataset).map((c) => sqlString(c.series)).join(', ')}))`;
  return `o.respondent IN (${respondents.map(sqlString).join(', ')}) AND o.period >= ${ts(startMs)} AND o.period < ${ts(endMs)}
    AND (${bySeries('region-data')} OR ${bySeries('fuel-type-data')})`;
}

/** Input tables: respondents with their zones, and the federal holiday dates. */
export function inputTables(respondents: readonly { code: string; timeZone: string }[], holidays: readonly string[]): string[] {
  const cols = VALUE_COLUMNS.map((c, i) => `(${sqlString(c.dataset)}, ${sqlString(c.series)}, ${i})`).join(', ');
  return [
    `CREATE OR REPLACE TEMP TABLE feat_resp AS SELECT * FROM (VALUES ${respondents.map((r) => `(${sqlString(r.code)}, ${sqlString(r.timeZone)})`).join(', ')}) t(respondent, tz)`,
    `CREATE OR REPLACE TEMP TABLE feat_holidays AS SELECT CAST(d AS DATE) AS d FROM (VALUES ${holidays.length ? holidays.map((d) => `(${sqlString(d)})`).join(', ') : "('1900-01-01')"}) t(d)`,
    `CREATE OR REPLACE TEMP TABLE feat_cols AS SELECT * FROM (VALUES ${cols}) t(dataset, series, col)`,
  ];
}

/** Steps 1–3. */
export function stagingTables(respondents: readonly string[], startMs: number, endMs: number): string[] {
  const n = VALUE_COLUMNS.length;
  const pivot = Array.from({ length: n }, (_, i) =>
    `max(value) FILTER (WHERE col = ${i}) AS v${i}, max(flags) FILTER (WHERE col = ${i}) AS f${i}`).join(',\n  ');
  const present = Array.from({ length: n }, (_, i) => `bool_or(col = ${i}) AS p${i}`).join(', ');
  return [
    `CREATE OR REPLACE TEMP TABLE feat_obs AS
SELECT o.respondent, o.period, c.col, o.value, o.flags
FROM wh.observations o JOIN feat_cols c ON c.dataset = o.dataset AND c.series = o.series
WHERE ${observationFilter(respondents, startMs, endMs)}`,
    `CREATE OR REPLACE TEMP TABLE feat_present AS
SELECT r.respondent, ${Array.from({ length: n }, (_, i) => `coalesce(p.p${i}, false) AS p${i}`).join(', ')}
FROM feat_resp r LEFT JOIN (SELECT respondent, ${present} FROM feat_obs GROUP BY respondent) p USING (respondent)`,
    `CREATE OR REPLACE TEMP TABLE feat_wide AS
SELECT respondent, period,
  ${pivot}
FROM feat_obs GROUP BY respondent, period`,
    'DROP TABLE feat_obs',
  ];
}

/** Status of column i from its value, flags and presence (before imputation). */
const statusExpr = (i: number) =>
  `CAST(CASE WHEN NOT p.p${i} THEN ${Status.NOT_REPORTED} WHEN w.v${i} IS NULL THEN ${Status.MISSING} ` +
  `WHEN w.f${i} <> 0 THEN ${Status.FLAGGED} ELSE ${Status.REPORTED} END AS TINYINT)`;

/**
 * Step 4: the grid with calendar columns, statuses, imputation and the split index.
 * `splits` are the boundaries on hour_end_utc; split k holds [boundary k−1, boundary k).
 */
export function featureTable(startMs: number, endMs: number, splits: readonly number[], impute: ImputeMode): string[] {
  const n = VALUE_COLUMNS.length;
  const startS = startMs / 1000;
  const split = splits.length ? `CAST(${splits.map((b) => `(g.period >= ${ts(b)})::INTEGER`).join(' + ')} AS TINYINT)` : 'CAST(0 AS TINYINT)';
  const base = `CREATE OR REPLACE TEMP TABLE feat_base AS
SELECT g.respondent, g.period, g.tz, ${split} AS split,
  CAST((epoch(g.period) - ${startS}) / 3600 AS BIGINT) AS h,
  ${Array.from({ length: n }, (_, i) => `w.v${i}, ${statusExpr(i)} AS s${i}`).join(',\n  ')}
FROM (SELECT r.respondent, r.tz, to_timestamp(s) AS period
      FROM feat_resp r, generate_series(${startS}::BIGINT, ${(endMs - HOUR_MS) / 1000}::BIGINT, 3600) t(s)) g
LEFT JOIN feat_wide w ON w.respondent = g.respondent AND w.period = g.period
JOIN feat_present p ON p.respondent = g.respondent`;

  const value = (i: number) => {
    if (impute === 'none') return `v${i}`;
    // The nearest non-null hours within MAX+1 rows on each side bound the gap; a gap longer than MAX leaves
    // prev/next further apart than MAX+1 hours (or out of the frame), and stays null.
    return `CASE WHEN v${i} IS NULL AND s${i} = ${Status.MISSING} AND nh${i} - ph${i} - 1 <= ${MAX_IMPUTE_GAP_HOURS}
      THEN pv${i} + (nv${i} - pv${i}) * (h - ph${i}) / (nh${i} - ph${i}) ELSE v${i} END`;
  };
  const status = (i: number) =>
    impute === 'none'
      ? `s${i}`
      : `CAST(CASE WHEN v${i} IS NULL AND s${i} = ${Status.MISSING} AND nh${i} - ph${i} - 1 <= ${MAX_IMPUTE_GAP_HOURS} THEN ${Status.IMPUTED} ELSE s${i} END AS TINYINT)`;
  const k = MAX_IMPUTE_GAP_HOURS + 1;
  const windows =
    impute === 'none'
      ? ''
      : `, ${Array.from({ length: n }, (_, i) =>
          `last_value(v${i} IGNORE NULLS) OVER back AS pv${i}, max(CASE WHEN v${i} IS NOT NULL THEN h END) OVER back AS ph${i}, ` +
          `first_value(v${i} IGNORE NULLS) OVER fwd AS nv${i}, min(CASE WHEN v${i} IS NOT NULL THEN h END) OVER fwd AS nh${i}`).join(',\n    ')}`;
  const windowDefs =
    impute === 'none'
      ? ''
      : `WINDOW back AS (PARTITION BY respondent ORDER BY period ROWS BETWEEN ${k} PRECEDING AND 1 PRECEDING),
         fwd AS (PARTITION BY respondent ORDER BY period ROWS BETWEEN 1 FOLLOWING AND ${k} FOLLOWING)`;
  const feat = `CREATE OR REPLACE TEMP TABLE feat AS
SELECT respondent, period AS hour_end_utc, period - INTERVAL 1 HOUR AS hour_start_utc, local_time,
  CAST(hour(local_time) AS TINYINT) AS local_hour, CAST(isodow(local_time) AS TINYINT) AS local_weekday,
  CAST(month(local_time) AS TINYINT) AS local_month, (hd.d IS NOT NULL) AS is_holiday,
  ${VALUE_COLUMNS.map((c, i) => `${value(i)} AS ${c.name}`).join(',\n  ')},
  ${VALUE_COLUMNS.map((c, i) => `${status(i)} AS ${statusColumn(c.name)}`).join(',\n  ')},
  split
FROM (
  SELECT *, timezone(tz, period - INTERVAL 1 HOUR) AS local_time${windows}
  FROM feat_base
  ${windowDefs}
) b
LEFT JOIN feat_holidays hd ON hd.d = CAST(b.local_time AS DATE)`;
  return [base, 'DROP TABLE feat_wide', feat, 'DROP TABLE feat_base'];
}

/** The file columns, in order (everything but `split`). */
export function fileColumns(): string {
  return [...KEY_COLUMNS.map((c) => c.name), ...VALUE_COLUMNS.map((c) => c.name), ...VALUE_COLUMNS.map((c) => statusColumn(c.name))].join(', ');
}
