/**
 * The EIA-930 `electricity/rto` catalog: routes, facets, codes and names, as documented in
 * docs/eia-api.md §2–§3. One table shared by the simulator, the planner, validation and the CLI.
 */
import { RESPONDENT_INFO, type RespondentKind } from './respondents.js';

/** The four hourly data routes of the API eia-stream ingests (the `dataset` column of their records). */
export const DATASETS = ['region-data', 'fuel-type-data', 'interchange-data', 'region-sub-ba-data'] as const;
export type Dataset = (typeof DATASETS)[number];

/**
 * Datasets EIA publishes only in its bulk file `EBA.zip`, with no API route: the hourly CO2 series
 * (`EBA.<BA>.CO2.<code>.H`, metric tons of CO2). Loaded only when asked for (`--types co2 --source bulk`).
 */
export const BULK_ONLY_DATASETS = ['co2-emissions'] as const;
export type BulkOnlyDataset = (typeof BULK_ONLY_DATASETS)[number];

/** Every `dataset` a record can have: the API routes, then the bulk-only datasets. */
export const RECORD_DATASETS = [...DATASETS, ...BULK_ONLY_DATASETS] as const;
export type RecordDataset = (typeof RECORD_DATASETS)[number];

/** True for the datasets the API serves (the others exist only in EIA's bulk file). */
export function isApiDataset(d: string): d is Dataset {
  return (DATASETS as readonly string[]).includes(d);
}

/**
 * The `--types` values: what a user asks for by name. pipelines/selections.ts maps each to its route (and, on
 * region-data, its `type` code).
 */
export const TYPE_NAMES = [
  'demand',
  'forecast',
  'net-generation',
  'total-interchange',
  'generation',
  'interchange',
  'subregion',
  'co2',
] as const;
export type TypeName = (typeof TYPE_NAMES)[number];

/** `--types` values with no API route: only `historical --source bulk` loads them (from `EBA.zip`). */
export const BULK_ONLY_TYPES: ReadonlySet<TypeName> = new Set(['co2']);

/**
 * One query family: a route and its facet filters (codes sorted). The pipeline derives them from --types ×
 * --regions (pipelines/selections.ts); the EIA planner cuts them into work units.
 */
export interface Selection {
  readonly dataset: Dataset;
  readonly facets: Readonly<Record<string, readonly string[]>>;
}

/** Static facts about one dataset: an API route, or a bulk-only dataset shaped like one. */
export interface DatasetInfo {
  readonly id: RecordDataset;
  /** API path below `/v2/`, without `/data`; `''` for a bulk-only dataset. */
  readonly route: string;
  /** `value-units` as the source spells it on every row. */
  readonly wireUnits: string;
  /** The record's `units`. */
  readonly units: ObservationUnits;
  /** Facet ids in route order (dimension columns). */
  readonly facets: readonly [string, string];
  /** Facet whose code becomes the record's `respondent` (interchange: `fromba`; sub-BA: `parent`). */
  readonly respondentFacet: string;
  /** Facet whose code becomes the record's `series` (`type`, `fueltype`, `toba`, `subba`). */
  readonly seriesFacet: string;
  /** Row key whose value becomes `series_name`. */
  readonly seriesNameKey: string;
  /** Row key whose value becomes `respondent_name`. */
  readonly respondentNameKey: string;
  /** Row keys in wire order (with `data[0]=value`). */
  readonly rowKeys: readonly string[];
  /** Verbatim `response.description`. */
  readonly description: string;
  /** Route name as in metadata. */
  readonly name: string;
}

const DESC_TAIL = '  \n    Source: Form EIA-930\n    Product: Hourly Electric Grid Monitor';

/** The record's `units`: MWh on every API route, metric tons of CO2 on the bulk file's CO2 series. */
export type ObservationUnits = 'MWh' | 'CO2 metric tons';

/** `value-units` on every row of the API routes (and the bulk files' MWh series). */
export const VALUE_UNITS = 'megawatthours';

/** `value-units` of the CO2 series, as `EBA.zip` spells it (kept as the record's `units` too). */
export const CO2_UNITS = 'CO2 metric tons';

/** The units of the four API routes. */
const MWH = { wireUnits: VALUE_UNITS, units: 'MWh' } as const;

/** region-data's keys: the BA and a `type` code. The CO2 series are shaped the same way. */
const BA_TYPE_KEYS = {
  facets: ['respondent', 'type'],
  respondentFacet: 'respondent',
  seriesFacet: 'type',
  seriesNameKey: 'type-name',
  respondentNameKey: 'respondent-name',
  rowKeys: ['period', 'respondent', 'respondent-name', 'type', 'type-name', 'value', 'value-units'],
} as const;

export const DATASET_INFO: Readonly<Record<RecordDataset, DatasetInfo>> = {
  'region-data': {
    id: 'region-data',
    ...MWH,
    route: 'electricity/rto/region-data',
    ...BA_TYPE_KEYS,
    description: `Hourly demand, day-ahead demand forecast, net generation, and interchange by balancing authority.${DESC_TAIL}`,
    name: 'Hourly Demand, Demand Forecast, Generation, and Interchange',
  },
  'fuel-type-data': {
    id: 'fuel-type-data',
    ...MWH,
    route: 'electricity/rto/fuel-type-data',
    facets: ['respondent', 'fueltype'],
    respondentFacet: 'respondent',
    seriesFacet: 'fueltype',
    seriesNameKey: 'type-name',
    respondentNameKey: 'respondent-name',
    rowKeys: ['period', 'respondent', 'respondent-name', 'fueltype', 'type-name', 'value', 'value-units'],
    description: `Hourly net generation by balancing authority and energy source.${DESC_TAIL}`,
    name: 'Hourly Generation by Energy Source',
  },
  'interchange-data': {
    id: 'interchange-data',
    ...MWH,
    route: 'electricity/rto/interchange-data',
    facets: ['fromba', 'toba'],
    respondentFacet: 'fromba',
    seriesFacet: 'toba',
    seriesNameKey: 'toba-name',
    respondentNameKey: 'fromba-name',
    rowKeys: ['period', 'fromba', 'fromba-name', 'toba', 'toba-name', 'value', 'value-units'],
    description: `Hourly net interchange between neighboring balancing authorities.${DESC_TAIL}`,
    name: 'Hourly Interchange by Neighboring Balancing Authority',
  },
  'region-sub-ba-data': {
    id: 'region-sub-ba-data',
    ...MWH,
    route: 'electricity/rto/region-sub-ba-data',
    facets: ['subba', 'parent'],
    respondentFacet: 'parent',
    seriesFacet: 'subba',
    seriesNameKey: 'subba-name',
    respondentNameKey: 'parent-name',
    rowKeys: ['period', 'subba', 'subba-name', 'parent', 'parent-name', 'value', 'value-units'],
    description: `Hourly demand by subregion.${DESC_TAIL}`,
    name: 'Hourly Demand by Subregion',
  },
  'co2-emissions': {
    id: 'co2-emissions',
    route: '',
    wireUnits: CO2_UNITS,
    units: CO2_UNITS,
    // The BA, and the code after `CO2.` in the series id (`CER`, `EM.OIL`) as `type`.
    ...BA_TYPE_KEYS,
    description: 'Hourly CO2 emissions series by balancing authority, from EIA\'s bulk file EBA.zip (no API route).',
    name: 'Hourly CO2 Emissions (bulk file only)',
  },
};

/** region-data `type` codes and names (docs/eia-api.md §3.1). */
export const REGION_TYPES: Readonly<Record<string, string>> = {
  D: 'Demand',
  DF: 'Day-ahead demand forecast',
  NG: 'Net generation',
  TI: 'Total interchange',
};

/** fuel-type-data `fueltype` codes and names (docs/eia-api.md §3.2). */
export const FUEL_TYPES: Readonly<Record<string, string>> = {
  COL: 'Coal',
  NG: 'Natural Gas',
  NUC: 'Nuclear',
  OIL: 'Petroleum',
  OTH: 'Other',
  SUN: 'Solar',
  WAT: 'Hydro',
  WND: 'Wind',
  BAT: 'Battery storage',
  PS: 'Pumped storage',
  SNB: 'Solar with integrated battery storage',
  WNB: 'Wind with integrated battery storage',
  GEO: 'Geothermal',
  OES: 'Other energy storage',
  UES: 'Unknown energy storage',
  UNK: 'Unknown',
};

/** Fuel codes that may legitimately be negative (storage charging; docs/eia-api.md §13.1 also allows `OTH`). */
export const STORAGE_FUELS: ReadonlySet<string> = new Set(['BAT', 'PS', 'OES', 'UES', 'SNB', 'WNB', 'OTH']);

/**
 * Known respondents (BAs, regions and the foreign interchange partners) with their EIA names, derived from the one
 * respondent table (src/core/respondents.ts, docs/respondents.md). `kind` tells regions, BAs and foreign partners
 * apart; only `ba` and `region` codes are `respondent` facet values.
 */
export const RESPONDENTS: Readonly<Record<string, { name: string; kind: RespondentKind }>> = Object.freeze(
  Object.fromEntries(Object.values(RESPONDENT_INFO).map((r) => [r.code, { name: r.name, kind: r.kind }])),
);

/** Codes the API does not know (the old extractor's mistakes, docs/eia-api.md §14.4): they match nothing. */
export const DEAD_RESPONDENTS: ReadonlySet<string> = new Set(['SPP', 'CARO']);

/** Respondent / facet code format: upper-case letters, digits, dot, dash, underscore; 1–16 chars. */
export const CODE_PATTERN = /^[A-Z0-9][A-Z0-9._-]{0,15}$/;


/** First hourly period stamp in API v2 (`2019-01-01T00`) as epoch ms. */
export const HISTORY_START_MS = Date.UTC(2019, 0, 1, 0);
/**
 * First day of EIA-930 data (2015-07-01): the six-month Grid Monitor files begin here, four years before API v2's
 * hourly history. Respondents without an `activeFrom` date reported from this day.
 */
export const EIA930_START_MS = Date.UTC(2015, 6, 1, 0);
