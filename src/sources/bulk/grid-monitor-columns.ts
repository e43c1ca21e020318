/**
 * Column roles of EIA's six-month Grid Monitor CSVs (`EIA930_{BALANCE,INTERCHANGE,SUBREGION}_<YYYY>_<half>.csv`),
 * matched by name because EIA changes and re-issues headers (fuels split in 2024-H2, columns added and back-dated in
 * 2025; docs/eia-bulk.md §2). A header is normalised the way PUDL's extractor does it — lower case, every run of
 * non-word characters to `_` — so `Net Generation (MW) from Coal (Adjusted)` becomes
 * `net_generation_mw_from_coal_adjusted`.
 */
import type { Dataset } from '../../core/catalog.js';
import { EtlError } from '../../core/errors.js';

/** Which file a header belongs to. */
export type GridMonitorFile = 'balance' | 'interchange' | 'subregion';

/** Reported is the record's value; EIA's adjusted and imputed figures are kept beside it. */
export type ValueVariant = 'reported' | 'adjusted' | 'imputed';

export type ColumnRole =
  | { readonly role: 'respondent' }
  | { readonly role: 'period' }
  | { readonly role: 'counterpart' }
  | { readonly role: 'value'; readonly dataset: Dataset; readonly series: string | null; readonly variant: ValueVariant };

export function normaliseHeader(h: string): string {
  return h.toLowerCase().replace(/\W+/g, '_').replace(/^_+|_+$/g, '');
}

/** BALANCE "Net Generation (MW) from <fuel>" names → the API's fuel codes, across header versions. */
const FUELS: Readonly<Record<string, string>> = {
  coal: 'COL',
  natural_gas: 'NG',
  nuclear: 'NUC',
  all_petroleum_products: 'OIL',
  hydropower_and_pumped_storage: 'WAT',
  hydropower_excluding_pumped_storage: 'WAT',
  pumped_storage: 'PS',
  solar: 'SUN',
  solar_without_integrated_battery_storage: 'SUN',
  solar_with_integrated_battery_storage: 'SNB',
  // EIA's own spelling of the adjusted SNB column header since 2024-H2.
  solar_witho_integrated_battery_storage: 'SNB',
  wind: 'WND',
  wind_without_integrated_battery_storage: 'WND',
  wind_with_integrated_battery_storage: 'WNB',
  other_fuel_sources: 'OTH',
  unknown_fuel_sources: 'UNK',
  battery_storage: 'BAT',
  geothermal: 'GEO',
  other_energy_storage: 'OES',
  unknown_energy_storage: 'UES',
};

const REGION_SERIES: Readonly<Record<string, string>> = {
  demand_forecast_mw: 'DF',
  demand_mw: 'D',
  net_generation_mw: 'NG',
  total_interchange_mw: 'TI',
};

function splitVariant(n: string): [string, ValueVariant] {
  if (n.endsWith('_adjusted')) return [n.slice(0, -'_adjusted'.length), 'adjusted'];
  if (n.endsWith('_imputed')) return [n.slice(0, -'_imputed'.length), 'imputed'];
  return [n, 'reported'];
}

/** The role of one raw header in a file, or undefined for columns the pipeline does not load (dates, region, …). */
export function columnRole(file: GridMonitorFile, header: string): ColumnRole | undefined {
  const n = normaliseHeader(header);
  if (n === 'balancing_authority') return { role: 'respondent' };
  if (n === 'utc_time_at_end_of_hour') return { role: 'period' };
  if (file === 'interchange') {
    if (n === 'directly_interconnected_balancing_authority') return { role: 'counterpart' };
    if (n === 'interchange_mw') return { role: 'value', dataset: 'interchange-data', series: null, variant: 'reported' };
    return undefined;
  }
  if (file === 'subregion') {
    if (n === 'sub_region') return { role: 'counterpart' };
    if (n === 'demand_mw') return { role: 'value', dataset: 'region-sub-ba-data', series: null, variant: 'reported' };
    return undefined;
  }
  const [base, variant] = splitVariant(n);
  const type = REGION_SERIES[base];
  if (type) return { role: 'value', dataset: 'region-data', series: type, variant };
  if (base.startsWith('net_generation_mw_from_')) {
    const fuel = FUELS[base.slice('net_generation_mw_from_'.length)];
    if (fuel) return { role: 'value', dataset: 'fuel-type-data', series: fuel, variant };
  }
  return undefined;
}

/** Index of every role in a header row; throws a one-line message when a required column is missing or doubled. */
export interface HeaderPlan {
  readonly respondent: number;
  readonly period: number;
  readonly counterpart: number | undefined;
  /** One entry per (dataset, series): the column of each variant present. */
  readonly values: ReadonlyArray<{ dataset: Dataset; series: string | null; reported?: number; adjusted?: number; imputed?: number }>;
  /** Headers the plan does not load, for the run's log. */
  readonly ignored: readonly string[];
}

export function planHeader(file: GridMonitorFile, headers: readonly string[]): HeaderPlan {
  let respondent = -1, period = -1, counterpart: number | undefined;
  const byKey = new Map<string, { dataset: Dataset; series: string | null; reported?: number; adjusted?: number; imputed?: number }>();
  const ignored: string[] = [];
  headers.forEach((h, i) => {
    const r = columnRole(file, h);
    if (!r) return void ignored.push(h);
    if (r.role === 'respondent') respondent = i;
    else if (r.role === 'period') period = i;
    else if (r.role === 'counterpart') counterpart = i;
    else {
      const k = `${r.dataset}|${r.series}`;
      const e = byKey.get(k) ?? { dataset: r.dataset, series: r.series };
      if (e[r.variant] !== undefined) {
        const other = headers[e[r.variant]!];
        throw bulkError(`${file} header: "${h}" and "${other}" both map to ${r.dataset} ${r.series ?? ''} ${r.variant}`);
      }
      e[r.variant] = i;
      byKey.set(k, e);
    }
  });
  const need = file === 'balance' ? ['Balancing Authority', 'UTC Time at End of Hour'] : ['Balancing Authority', 'UTC Time at End of Hour', file === 'interchange' ? 'Directly Interconnected Balancing Authority' : 'Sub-Region'];
  if (respondent < 0 || period < 0 || (file !== 'balance' && counterpart === undefined) || byKey.size === 0) {
    throw bulkError(`${file} header lacks a required column (needs ${need.join(', ')} and at least one value column)`);
  }
  return { respondent, period, counterpart, values: [...byKey.values()], ignored };
}

function bulkError(message: string): EtlError {
  return new EtlError('ETL_BULK_INVALID', 'source', message);
}
