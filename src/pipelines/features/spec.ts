/**
 * The ML feature table's schema, status codes, imputation limit and file names (pure). One row per
 * (respondent, hour); the same columns for every respondent. The dataset card and the tests read the schema from
 * here, and docs/parts/features.md documents it.
 */
import { FUEL_TYPES } from '../../core/catalog.js';

/**
 * Status of a value column in one row (a `TINYINT` column `<value>_status`).
 * - `REPORTED` 0: the warehouse has a value for the hour and no quality flag.
 * - `MISSING` 1: no value for the hour (no row, or a row whose value is null), while the respondent reports the
 *   series elsewhere in the range.
 * - `FLAGGED` 2: a value with at least one quality flag (docs/architecture.md); the value is kept as stored.
 * - `IMPUTED` 3: a missing hour filled by `--impute linear`.
 * - `NOT_REPORTED` 4: the respondent has no row of this series anywhere in the range (it does not report the fuel,
 *   or the series was not fetched); the value is null in every hour.
 */
export const Status = { REPORTED: 0, MISSING: 1, FLAGGED: 2, IMPUTED: 3, NOT_REPORTED: 4 } as const;
export type StatusName = keyof typeof Status;

/** Longest run of consecutive missing hours that `--impute linear` fills; longer runs stay null (status MISSING). */
export const MAX_IMPUTE_GAP_HOURS = 6;

/** `--impute` values. */
export const IMPUTE_MODES = ['none', 'linear'] as const;
export type ImputeMode = (typeof IMPUTE_MODES)[number];

/** One value column: where its values come from in `observations`. */
export interface ValueColumn {
  /** Column name (unit-suffixed). */
  readonly name: string;
  readonly dataset: 'region-data' | 'fuel-type-data';
  /** `series` code in `observations`. */
  readonly series: string;
  readonly description: string;
}

const regionColumn = (name: string, series: string, description: string): ValueColumn =>
  ({ name, dataset: 'region-data', series, description });

/**
 * The value columns in file order: the four region-data series, then one generation column per energy source of
 * the catalog, in the catalog's order. Fuel codes outside the catalog are left out (the card counts their rows).
 */
export const VALUE_COLUMNS: readonly ValueColumn[] = [
  regionColumn('demand_mwh', 'D', 'Demand (EIA-930 type D), MWh in the hour'),
  regionColumn('demand_forecast_mwh', 'DF', 'Day-ahead demand forecast (type DF), MWh'),
  regionColumn('net_generation_mwh', 'NG', 'Net generation (type NG), MWh'),
  regionColumn('total_interchange_mwh', 'TI', 'Total interchange (type TI), MWh; positive = net export'),
  ...Object.entries(FUEL_TYPES).map(([code, name]): ValueColumn => ({
    name: `generation_${code.toLowerCase()}_mwh`,
    dataset: 'fuel-type-data',
    series: code,
    description: `Net generation from ${name} (fuel-type-data ${code}), MWh; storage may be negative`,
  })),
];

/** The key and calendar columns before the value columns. */
export const KEY_COLUMNS: readonly { name: string; type: string; description: string }[] = [
  { name: 'respondent', type: 'string', description: 'EIA respondent code (balancing authority or region)' },
  { name: 'hour_end_utc', type: 'timestamp[us, tz=UTC]', description: "End of the hour, UTC (EIA's hour-ending period stamp)" },
  { name: 'hour_start_utc', type: 'timestamp[us, tz=UTC]', description: 'Start of the hour, UTC (hour_end_utc − 1 h)' },
  { name: 'local_time', type: 'timestamp[us]', description: "Start of the hour on the respondent's local wall clock (no zone)" },
  { name: 'local_hour', type: 'int8', description: 'Hour of local_time, 0–23' },
  { name: 'local_weekday', type: 'int8', description: 'ISO weekday of local_time, 1 = Monday … 7 = Sunday' },
  { name: 'local_month', type: 'int8', description: 'Month of local_time, 1–12' },
  { name: 'is_holiday', type: 'bool', description: "local_time's date is a U.S. federal holiday as observed (Saturday → Friday, Sunday → Monday)" },
];

/** Name of a value column's status column. */
export const statusColumn = (value: string): string => `${value}_status`;

/** Every column of the files, in order, with its Arrow-style type (what pandas and `datasets` report). */
export function featureSchema(): { name: string; type: string; description: string }[] {
  return [
    ...KEY_COLUMNS,
    ...VALUE_COLUMNS.map((c) => ({ name: c.name, type: 'float64', description: c.description })),
    ...VALUE_COLUMNS.map((c) => ({ name: statusColumn(c.name), type: 'int8', description: `Status of ${c.name} (0–4, see Status)` })),
  ];
}

/** Split names in time order; `--split` with k boundaries uses the first k + 1 (1 boundary: train, test). */
export function splitNames(boundaries: number): string[] {
  return boundaries === 0 ? ['train'] : boundaries === 1 ? ['train', 'test'] : ['train', 'validation', 'test'];
}

/** Rows per Parquet file; a split with more rows is sharded (`train-00000-of-00002.parquet`, …). */
export const ROWS_PER_FILE = 1_000_000;

/** Rows per row group (a multiple of DuckDB's 2,048-row vectors, so DuckDB keeps it exactly). */
export const ROW_GROUP_ROWS = 122_880;

/** The file names of a split of `rows` rows, as Hugging Face `datasets` infers splits from them. */
export function shardNames(split: string, rows: number): string[] {
  const n = Math.max(1, Math.ceil(rows / ROWS_PER_FILE));
  const pad = (i: number) => String(i).padStart(5, '0');
  return Array.from({ length: n }, (_, i) => `${split}-${pad(i)}-of-${pad(n)}.parquet`);
}
