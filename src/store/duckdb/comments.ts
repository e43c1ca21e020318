/**
 * `COMMENT ON` every table, every view and the key columns of the warehouse: the conventions an analyst needs,
 * readable where they look (`duckdb_tables()`, `duckdb_views()`, `duckdb_columns()`, and `npm run query` with no
 * SQL). Re-applied at every open, after the views are replaced (a replaced view starts without comments).
 */
import { Flag } from '../../core/contracts.js';
import { sqlString } from '../sql.js';

const PERIOD = 'UTC instant ENDING the hour (EIA-930 hour-ending stamp): 2024-01-01 00:00 UTC covers 2023-12-31 23:00 to 2024-01-01 00:00 UTC. TIMESTAMPTZ: shown in the session TimeZone; use hour_start_utc / hour_end_utc (views) or timezone(\'UTC\', period) for zone-free values';
const HOUR = {
  hour_start_utc: 'start of the hour, UTC wall clock (TIMESTAMP, = period - 1 h)',
  hour_end_utc: 'end of the hour, UTC wall clock (TIMESTAMP, = period)',
  time_zone: "the respondent's IANA time zone (respondents.time_zone; NULL for a code the catalog does not know)",
  hour_start_local: "start of the hour, wall clock in the respondent's time_zone (TIMESTAMP; repeats at the DST fall-back)",
  hour_end_local: "end of the hour, wall clock in the respondent's time_zone (TIMESTAMP)",
};
const TEXT_KEYS = {
  dataset: 'EIA route: region-data, fuel-type-data, interchange-data, region-sub-ba-data',
  respondent: 'EIA respondent code (BA or region; interchange: fromba; sub-BA: parent)',
  series: 'type (D, DF, NG, TI) / fueltype / toba / subba code, verbatim',
};

const TABLES: Record<string, string> = {
  meta: 'warehouse facts (key, value): schema_version',
  strings: 'text dictionary of observation_facts: every text value once (id, s)',
  observation_facts: 'the observations with text stored as ids into strings; query the observations view instead',
  quarantine: 'rows rejected by hard checks, with reason code, detail, raw row, page and row index',
  pages: 'page manifest: one row per fetched API page (URL without the key, status, latency, sha256, rows)',
  revisions: 'changed values for an existing key: old_value, new_value, seen_at, unit_id',
  bulk_variants: "EIA's adjusted and imputed figures of a record, from the six-month Grid Monitor CSVs (historical --source grid-monitor): one row per key that has either; the record's value stays the reported one",
  source_copies:
    'one row each time a load met a key another form of the data had stored (api, bulk = EBA.zip, grid-monitor = six-month CSVs): both values, equal or not, before the newer replaced the older in observations',
  units: 'the ledger: one row per committed work unit (one API query); resume skips these',
  runs: 'one row per pipeline run: command, arguments (no key), source (eia | simulator | raw-archive | bulk | grid-monitor, -simulator when simulated), counts, status, summary',
  respondents: 'EIA-930 respondent catalog: code, name, kind (ba | region | foreign), region, IANA time_zone, flags',
};

const VIEWS: Record<string, string> = {
  observations: 'one row per (dataset, respondent, series, period): value in MWh, quality flags, source page. period = UTC instant ENDING the hour',
  observation_variants: "observations with EIA's adjusted and imputed figures beside value (NULL where the source had none); value_adjusted = adjusted, else value",
  copy_pairs: 'the latest comparison of each key held by two forms of the data: a_source/a_value vs b_source/b_value (the API first), difference = b - a, equal within 1e-6 MWh (NULL = NULL)',
  reconciliation: 'per pair of forms, dataset and series: keys held by both, equal, different, pct_equal, the largest absolute difference',
  copy_differences: 'the keys whose copies differ, largest absolute difference first (a missing value on one side first of all)',
  reconciliation_columns:
    "API vs six-month CSVs per dataset and series: how many API values equal the CSV's reported, adjusted (adjusted, else reported) and imputed figures; only hours where adjusted differs from reported tell the two apart (api_value_is)",
  hourly_demand: 'region-data demand (D) per respondent and hour, with the hour start/end in UTC and in the respondent local time',
  generation_mix: 'fuel-type-data per respondent, hour and fuel with the share of the hour total; hour start/end in UTC and local time',
  daily_summary: "per dataset, respondent, series and UTC day (day_utc = UTC date of the hour's START, period - 1 h: hours T01..T00, 24 per day)",
  daily_summary_local: "per dataset, respondent, series and LOCAL day (day_local = date of the hour's START in the respondent's time_zone; 23 or 25 hours on DST days); respondents without a catalog zone are left out",
  data_quality: "flag counts per dataset, respondent, series and UTC month of the hour's start",
  coverage_gaps: 'one row per run of missing hours of a series: gap_start, gap_end (periods, hour-ending), hours',
  coverage: 'per series: first/last period, expected vs present hours, gap runs, longest gap',
};

const COLUMNS: Record<string, Record<string, string>> = {
  observation_facts: { period: PERIOD },
  observations: { ...TEXT_KEYS, period: PERIOD, value: 'MWh over the hour (= average MW); NULL when EIA sent no value', flags: `quality bitmask, 0 = clean: ${Object.entries(Flag).map(([name, bit]) => `${bit} ${name}`).join(', ')}`, ingested_at: 'start of the run that loaded the row (UTC instant)' },
  hourly_demand: { period: PERIOD, ...HOUR, demand_mwh: 'demand in MWh over the hour' },
  generation_mix: { period: PERIOD, ...HOUR, fuel: 'EIA fuel type code', share: 'generation_mwh / hour_total_mwh of the respondent and hour' },
  daily_summary: { day_utc: "UTC date of the hour's start (period - 1 h)" },
  daily_summary_local: { time_zone: HOUR.time_zone, day_local: "date of the hour's start (period - 1 h) in time_zone" },
  data_quality: { month: "first day of the UTC month of the hour's start (period - 1 h)" },
  coverage_gaps: { gap_start: 'first missing period (hour-ending UTC instant)', gap_end: 'last missing period (hour-ending UTC instant)' },
  coverage: { first_period: 'earliest period (hour-ending UTC instant)', last_period: 'latest period (hour-ending UTC instant)' },
  revisions: { period: PERIOD },
  source_copies: {
    ...TEXT_KEYS,
    period: PERIOD,
    stored_source: 'the form that had stored the key: api, bulk or grid-monitor',
    stored_value: 'its value (MWh), replaced in observations by loaded_value',
    loaded_source: 'the form of the load that met it',
    loaded_value: 'the value that load stored (MWh)',
    unit_id: 'the ledger unit of that load',
  },
  copy_pairs: { period: PERIOD },
  bulk_variants: { ...TEXT_KEYS, period: PERIOD, adjusted: "EIA's adjusted figure (MWh; equals value in almost every hour)", imputed: 'the figure EIA imputed for the hour (MWh); NULL unless EIA imputed it', unit_id: 'the ledger unit that loaded it' },
  observation_variants: { period: PERIOD, imputed_by_eia: 'true where EIA imputed the hour (imputed is not NULL)' },
  units: { window_start: 'first period of the query window (inclusive; hour-ending UTC instant, like period)', window_end: 'end of the query window (exclusive; in period terms)' },
  respondents: { time_zone: 'IANA zone of the clock EIA uses for the respondent local-time fields' },
};

/** The COMMENT statements. */
export function commentStatements(): string[] {
  return [
    ...Object.entries(TABLES).map(([t, c]) => `COMMENT ON TABLE ${t} IS ${sqlString(c)}`),
    ...Object.entries(VIEWS).map(([v, c]) => `COMMENT ON VIEW ${v} IS ${sqlString(c)}`),
    ...Object.entries(COLUMNS).flatMap(([t, cols]) => Object.entries(cols).map(([col, c]) => `COMMENT ON COLUMN ${t}.${col} IS ${sqlString(c)}`)),
  ];
}
