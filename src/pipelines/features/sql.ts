/**
 * The SQL that builds the feature table inside DuckDB (pure text builders). The warehouse is attached as `wh`
 * (read-only). Steps 1–4 run once per respondent (`respondentTables`), each a temp table so DuckDB can spill
 * within its memory limit; `feat` collects the respondents' rows:
 *
 * 1. `feat_obs`: the rows of the selected respondents and range whose series is one of the value columns, as
 *    (grid key k, respondent index, col index, value, flags, source page id).
 * 2. `feat_present`: per respondent, which columns have at least one row in the range (else NOT_REPORTED).
 * 3. `feat_wide`: the pivot, one row per grid key (respondent, hour) that has any observation.
 * 4. `feat`: the respondent's hour grid LEFT JOIN the pivot, with local calendar columns, statuses and
 *    (with `--impute linear`) the linear fill of short gaps; one column `split` (0, 1, 2) for the COPY.
 */
import { sqlString } from '../../store/sql.js';
import { HOUR_MS } from '../../core/time.js';
import { MAX_IMPUTE_GAP_HOURS, Status, VALUE_COLUMNS, KEY_COLUMNS, statusColumn, type ImputeMode } from './spec.js';

/** A TIMESTAMPTZ literal of an epoch-ms whole second. */
export const ts = (ms: number) => `to_timestamp(${Math.round(ms / 1000)})`;

/** Input tables: respondents (index `rid`) with their zones, the value columns' series, the holiday dates. */
export function inputTables(respondents: readonly { code: string; timeZone: string }[], holidays: readonly string[]): string[] {
  const cols = VALUE_COLUMNS.map((c, i) => `(${sqlString(c.dataset)}, ${sqlString(c.series)}, ${i})`).join(', ');
  return [
    `CREATE OR REPLACE TEMP TABLE feat_resp AS SELECT * FROM (VALUES ${respondents.map((r, i) => `(${sqlString(r.code)}, ${sqlString(r.timeZone)}, ${i})`).join(', ')}) t(respondent, tz, rid)`,
    `CREATE OR REPLACE TEMP TABLE feat_holidays AS SELECT CAST(d AS DATE) AS d FROM (VALUES ${holidays.length ? holidays.map((d) => `(${sqlString(d)})`).join(', ') : "('1900-01-01')"}) t(d)`,
    `CREATE OR REPLACE TEMP TABLE feat_cols AS SELECT * FROM (VALUES ${cols}) t(dataset, series, col)`,
    // Text is stored once in `strings`; resolving the few codes to ids first lets the scan compare integers.
    `CREATE OR REPLACE TEMP TABLE feat_cid AS SELECT d.id AS did, s.id AS sid, c.col FROM feat_cols c
       JOIN wh.strings d ON d.s = c.dataset JOIN wh.strings s ON s.s = c.series`,
    'CREATE OR REPLACE TEMP TABLE feat_pages (source_page INTEGER)',
  ];
}

/**
 * The respondent `rid` alone (`feat_cur`, and its `strings` id in `feat_rid`): the build runs steps 1–4 once per
 * respondent, so DuckDB's working set is one respondent's rows, not the whole selection's.
 */
export function respondentTables(rid: number): string[] {
  return [
    `CREATE OR REPLACE TEMP TABLE feat_cur AS SELECT * FROM feat_resp WHERE rid = ${rid}`,
    `CREATE OR REPLACE TEMP TABLE feat_rid AS SELECT s.id AS sid, r.rid FROM wh.strings s JOIN feat_cur r ON r.respondent = s.s`,
  ];
}

/** Number of hours of the range: the stride of the grid key `k = rid * hours + h`. */
export const rangeHours = (startMs: number, endMs: number): number => (endMs - startMs) / HOUR_MS;

/**
 * Steps 1–3. The pivot collects each grid key's (col, value, flags) into three lists and unpacks them with
 * `list_position`: on the default job's 2.6M rows that took 1.9 s against 7.8 s for 40 `FILTER` aggregates
 * (docs/decisions.md, "ML features").
 */
export function stagingTables(startMs: number, endMs: number): string[] {
  const n = VALUE_COLUMNS.length;
  const hours = rangeHours(startMs, endMs);
  return [
    // observation_facts rather than the observations view: the view's seven string joins doubled this scan.
    `CREATE OR REPLACE TEMP TABLE feat_obs AS
SELECT r.rid * ${hours}::BIGINT + CAST((epoch(f.period) - ${startMs / 1000}) / 3600 AS BIGINT) AS k,
  r.rid, CAST(c.col AS TINYINT) AS col, f.value, f.flags, f.source_page
FROM wh.observation_facts f JOIN feat_rid r ON f.respondent = r.sid JOIN feat_cid c ON c.did = f.dataset AND c.sid = f.series
WHERE f.period >= ${ts(startMs)} AND f.period < ${ts(endMs)}`,
    `CREATE OR REPLACE TEMP TABLE feat_present AS
SELECT r.rid, ${Array.from({ length: n }, (_, i) => `coalesce(bool_or(o.col = ${i}), false) AS p${i}`).join(', ')}
FROM feat_cur r LEFT JOIN feat_obs o ON o.rid = r.rid GROUP BY r.rid`,
    `INSERT INTO feat_pages SELECT DISTINCT source_page FROM feat_obs`,
    `CREATE OR REPLACE TEMP TABLE feat_lists AS
SELECT k, list(col) AS lc, list(value) AS lv, list(flags) AS lf FROM feat_obs GROUP BY k`,
    'DROP TABLE feat_obs',
    `CREATE OR REPLACE TEMP TABLE feat_wide AS
SELECT k, ${Array.from({ length: n }, (_, i) => `lv[list_position(lc, ${i})] AS v${i}, lf[list_position(lc, ${i})] AS f${i}`).join(', ')}
FROM feat_lists`,
    'DROP TABLE feat_lists',
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
export function featureTable(startMs: number, endMs: number, splits: readonly number[], impute: ImputeMode, first: boolean): string[] {
  const n = VALUE_COLUMNS.length;
  const startS = startMs / 1000;
  const split = splits.length ? `CAST(${splits.map((b) => `(g.period >= ${ts(b)})::INTEGER`).join(' + ')} AS TINYINT)` : 'CAST(0 AS TINYINT)';
  const hours = rangeHours(startMs, endMs);
  const base = `SELECT g.respondent, g.period, g.tz, ${split} AS split, g.h,
  ${Array.from({ length: n }, (_, i) => `w.v${i}, ${statusExpr(i)} AS s${i}`).join(',\n  ')}
FROM (SELECT r.respondent, r.tz, r.rid, b.h, r.rid * ${hours}::BIGINT + b.h AS k, to_timestamp(${startS} + b.h * 3600) AS period
      FROM feat_cur r, range(${hours}::BIGINT) b(h)) g
LEFT JOIN feat_wide w ON w.k = g.k
JOIN feat_present p ON p.rid = g.rid`;

  const value = (i: number) => {
    if (impute === 'none') return `v${i}`;
    // The nearest non-null hours within MAX+1 rows on each side bound the gap; a gap longer than MAX leaves
    // prev/next further apart than MAX+1 hours (or out of the frame), and stays null. The windows stop at split
    // boundaries, so no split's values are filled from another's (no leakage from validation/test into train).
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
      : `WINDOW back AS (PARTITION BY respondent, split ORDER BY period ROWS BETWEEN ${k} PRECEDING AND 1 PRECEDING),
         fwd AS (PARTITION BY respondent, split ORDER BY period ROWS BETWEEN 1 FOLLOWING AND ${k} FOLLOWING)`;
  const feat = `${first ? 'CREATE OR REPLACE TEMP TABLE feat AS' : 'INSERT INTO feat'}
SELECT respondent, period AS hour_end_utc, period - INTERVAL 1 HOUR AS hour_start_utc, local_time,
  CAST(hour(local_time) AS TINYINT) AS local_hour, CAST(isodow(local_time) AS TINYINT) AS local_weekday,
  CAST(month(local_time) AS TINYINT) AS local_month, (hd.d IS NOT NULL) AS is_holiday,
  ${VALUE_COLUMNS.map((c, i) => `${value(i)} AS ${c.name}`).join(',\n  ')},
  ${VALUE_COLUMNS.map((c, i) => `${status(i)} AS ${statusColumn(c.name)}`).join(',\n  ')},
  split
FROM (
  SELECT *, timezone(tz, period - INTERVAL 1 HOUR) AS local_time${windows}
  FROM (${base}) g
  ${windowDefs}
) b
LEFT JOIN feat_holidays hd ON hd.d = CAST(b.local_time AS DATE)`;
  return [feat, 'DROP TABLE feat_wide'];
}

/** The file columns, in order (everything but `split`). */
export function fileColumns(): string {
  return [...KEY_COLUMNS.map((c) => c.name), ...VALUE_COLUMNS.map((c) => c.name), ...VALUE_COLUMNS.map((c) => statusColumn(c.name))].join(', ');
}
