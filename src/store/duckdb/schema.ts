/**
 * The warehouse schema (`<dataDir>/eia.duckdb`): tables and analyst views. Idempotent DDL, run at every open.
 *
 * `observations` is a VIEW with the Parquet columns over `observation_facts`, which stores every text column as an
 * id into `strings` (one row per distinct text). DuckDB stores and compresses strings at ~1.6 µs per row for our
 * seven text columns but integers at ~0.1 µs, so loads run several times faster and the file is smaller
 * (docs/parts/sinks.md, "DuckDB settings"). Equal ids ⇔ equal strings, so the key (dataset, respondent, series,
 * period) is compared on integers.
 *
 * No declared PRIMARY KEY on the observations: DuckDB's ART index keeps ~80 bytes per row resident and tripled
 * commit time in our measurements. The key is unique by the commit protocol instead (delete-then-insert in one
 * transaction, one writer, staged rows de-duplicated) and tested.
 *
 * Periods are hour-ending UTC instants. Views that group by day or month use the hour's start
 * (`period − 1 h`), so a UTC day has hours T01 … T00 of the next day, 24 in all; `daily_summary_local` does the
 * same in the respondent's zone (23 or 25 hours on DST days). Every grouping and every derived time column is
 * computed in a named zone, never the session's `TimeZone`, so a view gives the same answer in every client.
 */
import { Flag } from '../../core/contracts.js';
import { COPY_SOURCES } from '../../core/provenance.js';
import { commentStatements } from './comments.js';
import { RESPONDENTS_DDL, respondentsFill } from './respondents-table.js';

/** Bump when the DDL changes incompatibly. Stored in `meta`. */
export const SCHEMA_VERSION = 2;

const TABLES = `
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);

CREATE TABLE IF NOT EXISTS strings (id INTEGER PRIMARY KEY, s VARCHAR NOT NULL);

CREATE TABLE IF NOT EXISTS observation_facts (
  dataset INTEGER NOT NULL,
  respondent INTEGER NOT NULL,
  respondent_name INTEGER NOT NULL,
  series INTEGER NOT NULL,
  series_name INTEGER NOT NULL,
  period TIMESTAMPTZ NOT NULL,
  value DOUBLE,
  units INTEGER NOT NULL,
  flags INTEGER NOT NULL,
  source_page INTEGER NOT NULL,
  ingested_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS quarantine (
  unit_id VARCHAR NOT NULL,
  dataset VARCHAR NOT NULL,
  reason VARCHAR NOT NULL,
  detail VARCHAR,
  raw VARCHAR,
  source_page VARCHAR NOT NULL,
  row_index INTEGER,
  ingested_at TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS pages (
  page_id VARCHAR PRIMARY KEY,
  unit_id VARCHAR NOT NULL,
  dataset VARCHAR NOT NULL,
  page_offset INTEGER,
  url VARCHAR,
  status INTEGER,
  latency_ms INTEGER,
  attempts INTEGER,
  bytes BIGINT,
  sha256 VARCHAR,
  rows INTEGER,
  total BIGINT,
  api_version VARCHAR,
  fetched_at TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS revisions (
  dataset VARCHAR NOT NULL,
  respondent VARCHAR NOT NULL,
  series VARCHAR NOT NULL,
  period TIMESTAMPTZ NOT NULL,
  old_value DOUBLE,
  new_value DOUBLE,
  seen_at TIMESTAMPTZ NOT NULL,
  unit_id VARCHAR
);

CREATE TABLE IF NOT EXISTS bulk_variants (
  dataset VARCHAR NOT NULL,
  respondent VARCHAR NOT NULL,
  series VARCHAR NOT NULL,
  period TIMESTAMPTZ NOT NULL,
  adjusted DOUBLE,
  imputed DOUBLE,
  unit_id VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS source_copies (
  dataset VARCHAR NOT NULL,
  respondent VARCHAR NOT NULL,
  series VARCHAR NOT NULL,
  period TIMESTAMPTZ NOT NULL,
  stored_source VARCHAR NOT NULL,
  stored_value DOUBLE,
  loaded_source VARCHAR NOT NULL,
  loaded_value DOUBLE,
  seen_at TIMESTAMPTZ NOT NULL,
  unit_id VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS units (
  unit_id VARCHAR PRIMARY KEY,
  dataset VARCHAR NOT NULL,
  facets JSON,
  window_start TIMESTAMPTZ NOT NULL,
  window_end TIMESTAMPTZ NOT NULL,
  year INTEGER,
  total BIGINT,
  rows BIGINT,
  pages INTEGER,
  records BIGINT,
  quarantined BIGINT,
  committed_at TIMESTAMPTZ NOT NULL,
  open BOOLEAN DEFAULT false,
  frontier TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS runs (
  run_id VARCHAR PRIMARY KEY,
  command VARCHAR NOT NULL,
  arguments JSON,
  source VARCHAR,
  range_start TIMESTAMPTZ,
  range_end TIMESTAMPTZ,
  regions VARCHAR[],
  types VARCHAR[],
  units BIGINT,
  pages BIGINT,
  rows_received BIGINT,
  rows_loaded BIGINT,
  rows_quarantined BIGINT,
  status VARCHAR NOT NULL,
  started_at TIMESTAMPTZ NOT NULL,
  finished_at TIMESTAMPTZ,
  duration_ms BIGINT,
  summary JSON
);
`;

/** Flag columns of `data_quality`: one per bit, named after the flag in lower case. */
const flagColumns = Object.entries(Flag)
  .map(([name, bit]) => `  count(*) FILTER (WHERE flags & ${bit} <> 0) AS ${name.toLowerCase()}`)
  .join(',\n');

const TEXT = ['dataset', 'respondent', 'respondent_name', 'series', 'series_name', 'units', 'source_page'];
const COLUMNS = ['dataset', 'respondent', 'respondent_name', 'series', 'series_name', 'period', 'value', 'units', 'flags', 'source_page', 'ingested_at'];

/**
 * The hour of a row, for the views that join `respondents r` to `observations o`: start and end as UTC wall-clock
 * TIMESTAMPs (no zone, so they read the same in every client TimeZone), and as wall-clock time in the
 * respondent's own zone (NULL for a code the catalog does not know).
 */
const HOUR_COLUMNS = [
  `timezone('UTC', o.period - INTERVAL 1 HOUR) AS hour_start_utc`,
  `timezone('UTC', o.period) AS hour_end_utc`,
  'r.time_zone',
  `timezone(r.time_zone, o.period - INTERVAL 1 HOUR) AS hour_start_local`,
  `timezone(r.time_zone, o.period) AS hour_end_local`,
].join(', ');

const DAY_AGGREGATES = `count(*) AS hours, count(value) AS hours_with_value,
  min(value) AS min_mwh, max(value) AS max_mwh, avg(value) AS avg_mwh, sum(value) AS sum_mwh`;

/** Two copies' values are equal within this many MWh (EBA values carry up to 14 decimals; the CSVs are whole MW). */
const EQUAL_WITHIN = '1e-6';
/** The order a copy pair names its forms (the API first), as a SQL expression. */
const rank = (column: string) => `list_position([${COPY_SOURCES.map((s) => `'${s}'`).join(', ')}], ${column})`;
/** NULL-safe "equal within EQUAL_WITHIN". */
const close = (a: string, b: string) => `coalesce(abs(${a} - ${b}) <= ${EQUAL_WITHIN}, ${a} IS NULL AND ${b} IS NULL)`;

const VIEWS = `
CREATE OR REPLACE VIEW observations AS
SELECT ${COLUMNS.map((c) => (TEXT.includes(c) ? `s_${c}.s AS ${c}` : `f.${c}`)).join(', ')}
FROM observation_facts f
${TEXT.map((c) => `JOIN strings s_${c} ON s_${c}.id = f.${c}`).join('\n')};
CREATE OR REPLACE VIEW observation_variants AS
SELECT o.dataset, o.respondent, o.series, o.period, o.value, v.adjusted, v.imputed,
  coalesce(v.adjusted, o.value) AS value_adjusted, v.imputed IS NOT NULL AS imputed_by_eia
FROM observations o LEFT JOIN bulk_variants v USING (dataset, respondent, series, period);
CREATE OR REPLACE VIEW hourly_demand AS
SELECT o.respondent, o.respondent_name, o.period, ${HOUR_COLUMNS}, o.value AS demand_mwh, o.flags
FROM observations o LEFT JOIN respondents r ON r.code = o.respondent
WHERE o.dataset = 'region-data' AND o.series = 'D';

CREATE OR REPLACE VIEW generation_mix AS
SELECT o.respondent, o.respondent_name, o.period, ${HOUR_COLUMNS},
  o.series AS fuel, o.series_name AS fuel_name, o.value AS generation_mwh,
  sum(o.value) OVER hour AS hour_total_mwh,
  o.value / NULLIF(sum(o.value) OVER hour, 0) AS share
FROM observations o LEFT JOIN respondents r ON r.code = o.respondent
WHERE o.dataset = 'fuel-type-data'
WINDOW hour AS (PARTITION BY o.respondent, o.period);

CREATE OR REPLACE VIEW daily_summary AS
SELECT dataset, respondent, series,
  CAST(timezone('UTC', period - INTERVAL 1 HOUR) AS DATE) AS day_utc,
  ${DAY_AGGREGATES}
FROM observations
GROUP BY ALL;

CREATE OR REPLACE VIEW daily_summary_local AS
SELECT o.dataset, o.respondent, o.series, r.time_zone,
  CAST(timezone(r.time_zone, o.period - INTERVAL 1 HOUR) AS DATE) AS day_local,
  ${DAY_AGGREGATES}
FROM observations o JOIN respondents r ON r.code = o.respondent
GROUP BY ALL;

CREATE OR REPLACE VIEW data_quality AS
SELECT dataset, respondent, series,
  CAST(date_trunc('month', timezone('UTC', period - INTERVAL 1 HOUR)) AS DATE) AS month,
  count(*) AS rows,
  count(*) FILTER (WHERE flags <> 0) AS flagged,
${flagColumns}
FROM observations
GROUP BY ALL;

CREATE OR REPLACE VIEW copy_pairs AS
SELECT dataset, respondent, series, period, a_source, a_value, b_source, b_value, b_value - a_value AS difference,
  coalesce(abs(b_value - a_value) <= ${EQUAL_WITHIN}, a_value IS NULL AND b_value IS NULL) AS equal, seen_at
FROM (
  SELECT dataset, respondent, series, period, seen_at,
    CASE WHEN ${rank('stored_source')} <= ${rank('loaded_source')} THEN stored_source ELSE loaded_source END AS a_source,
    CASE WHEN ${rank('stored_source')} <= ${rank('loaded_source')} THEN stored_value ELSE loaded_value END AS a_value,
    CASE WHEN ${rank('stored_source')} <= ${rank('loaded_source')} THEN loaded_source ELSE stored_source END AS b_source,
    CASE WHEN ${rank('stored_source')} <= ${rank('loaded_source')} THEN loaded_value ELSE stored_value END AS b_value
  FROM source_copies
)
QUALIFY row_number() OVER (PARTITION BY dataset, respondent, series, period, a_source, b_source ORDER BY seen_at DESC) = 1;

CREATE OR REPLACE VIEW reconciliation AS
SELECT a_source, b_source, dataset, series, count(*) AS keys,
  count(*) FILTER (WHERE equal) AS equal, count(*) FILTER (WHERE NOT equal) AS different,
  round(100.0 * count(*) FILTER (WHERE equal) / count(*), 3) AS pct_equal,
  max(abs(difference)) AS max_abs_difference, min(period) AS first_period, max(period) AS last_period
FROM copy_pairs
GROUP BY ALL
ORDER BY ALL;

CREATE OR REPLACE VIEW copy_differences AS
SELECT * EXCLUDE (equal) FROM copy_pairs WHERE NOT equal
ORDER BY abs(difference) DESC NULLS FIRST, dataset, respondent, series, period;

CREATE OR REPLACE VIEW reconciliation_columns AS
WITH p AS (
  SELECT p.dataset, p.series, p.a_value AS api, p.b_value AS reported, coalesce(v.adjusted, p.b_value) AS adjusted, v.imputed
  FROM copy_pairs p LEFT JOIN bulk_variants v USING (dataset, respondent, series, period)
  WHERE p.a_source = 'api' AND p.b_source = 'grid-monitor'
), c AS (
  SELECT dataset, series, count(*) AS keys,
    count(*) FILTER (WHERE ${close('api', 'reported')}) AS api_equals_reported,
    count(*) FILTER (WHERE ${close('api', 'adjusted')}) AS api_equals_adjusted,
    count(*) FILTER (WHERE imputed IS NOT NULL) AS hours_imputed,
    count(*) FILTER (WHERE imputed IS NOT NULL AND ${close('api', 'imputed')}) AS api_equals_imputed,
    count(*) FILTER (WHERE NOT ${close('adjusted', 'reported')}) AS hours_adjusted_differs,
    count(*) FILTER (WHERE NOT ${close('adjusted', 'reported')} AND ${close('api', 'reported')}) AS differs_api_equals_reported,
    count(*) FILTER (WHERE NOT ${close('adjusted', 'reported')} AND ${close('api', 'adjusted')}) AS differs_api_equals_adjusted
  FROM p
  GROUP BY ALL
)
SELECT *,
  CASE
    WHEN hours_adjusted_differs = 0 THEN 'undecided (adjusted = reported in every hour compared)'
    WHEN differs_api_equals_adjusted = hours_adjusted_differs THEN 'adjusted'
    WHEN differs_api_equals_reported = hours_adjusted_differs THEN 'reported'
    ELSE 'mixed'
  END AS api_value_is
FROM c
ORDER BY ALL;

CREATE OR REPLACE VIEW coverage_gaps AS
SELECT dataset, respondent, series,
  period + INTERVAL 1 HOUR AS gap_start,
  next_period - INTERVAL 1 HOUR AS gap_end,
  CAST((epoch(next_period) - epoch(period)) / 3600 AS BIGINT) - 1 AS hours
FROM (
  SELECT dataset, respondent, series, period,
    lead(period) OVER (PARTITION BY dataset, respondent, series ORDER BY period) AS next_period
  FROM observations
)
WHERE epoch(next_period) - epoch(period) > 3600;

CREATE OR REPLACE VIEW coverage AS
WITH s AS (
  SELECT dataset, respondent, series, min(period) AS first_period, max(period) AS last_period,
    CAST((epoch(max(period)) - epoch(min(period))) / 3600 AS BIGINT) + 1 AS expected_hours,
    count(*) AS present_hours, count(value) AS hours_with_value
  FROM observations
  GROUP BY ALL
), g AS (
  SELECT dataset, respondent, series, count(*) AS gap_runs, max(hours) AS longest_gap_hours
  FROM coverage_gaps
  GROUP BY ALL
)
SELECT s.dataset, s.respondent, s.series, s.first_period, s.last_period, s.expected_hours, s.present_hours,
  s.expected_hours - s.present_hours AS missing_hours, s.hours_with_value,
  coalesce(g.gap_runs, 0) AS gap_runs, coalesce(g.longest_gap_hours, 0) AS longest_gap_hours
FROM s LEFT JOIN g USING (dataset, respondent, series);
`;

/** All DDL statements: tables, the respondent catalog's rows, views, then the comments (a replaced view loses its own). */
export function schemaStatements(): string[] {
  return [
    ...[...TABLES.split(';'), ...LEDGER_COLUMNS, RESPONDENTS_DDL].map((s) => s.trim()).filter((s) => s.length > 0),
    ...respondentsFill(),
    ...VIEWS.split(';\n').map((s) => s.trim()).filter((s) => s.length > 0),
    ...commentStatements(),
  ];
}

/**
 * Ledger columns added after the first warehouses were written: a warehouse created before them gains them at its
 * next open (its units read as closed, which they were taken to be).
 */
const LEDGER_COLUMNS = [
  'ALTER TABLE units ADD COLUMN IF NOT EXISTS open BOOLEAN DEFAULT false',
  'ALTER TABLE units ADD COLUMN IF NOT EXISTS frontier TIMESTAMPTZ',
];

/** Names of the views (for tests and docs). */
export const VIEW_NAMES = ['observations', 'observation_variants', 'copy_pairs', 'reconciliation', 'copy_differences', 'reconciliation_columns', 'hourly_demand', 'generation_mix', 'daily_summary', 'daily_summary_local', 'data_quality', 'coverage_gaps', 'coverage'] as const;

/** Names of the tables. */
export const TABLE_NAMES = ['meta', 'strings', 'observation_facts', 'quarantine', 'pages', 'revisions', 'bulk_variants', 'source_copies', 'units', 'runs', 'respondents'] as const;
