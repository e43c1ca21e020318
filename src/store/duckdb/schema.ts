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
export const VIEW_NAMES = ['observations', 'observation_variants', 'hourly_demand', 'generation_mix', 'daily_summary', 'daily_summary_local', 'data_quality', 'coverage_gaps', 'coverage'] as const;

/** Names of the tables. */
export const TABLE_NAMES = ['meta', 'strings', 'observation_facts', 'quarantine', 'pages', 'revisions', 'bulk_variants', 'units', 'runs', 'respondents'] as const;
