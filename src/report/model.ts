/**
 * What the report reads from the warehouse: small, already aggregated tables (per month, per day, per reason…),
 * never observation rows. `read.ts` fills it from DuckDB; `sections.ts` and `page.ts` turn it into the page.
 *
 * Times are UTC. Days and months group hours by their start (`period − 1 h`), as the warehouse's views do, and
 * are written `YYYY-MM-DD` / `YYYY-MM`.
 */

/** One dataset's extent in `observations`. */
export interface DatasetExtent {
  dataset: string;
  respondents: number;
  series: number;
  rows: number;
  /** First and last period stamp (epoch ms, hour-ending). */
  firstMs: number;
  lastMs: number;
}

/** Rows present for one respondent and month of a dataset. */
export interface CoverageCount {
  dataset: string;
  respondent: string;
  month: string;
  present: number;
}

/** A series' first and last stored period stamp (epoch ms). */
export interface SeriesSpan {
  dataset: string;
  respondent: string;
  series: string;
  firstMs: number;
  lastMs: number;
}

/** One run of missing hours in a series (`coverage_gaps`). */
export interface Gap {
  dataset: string;
  respondent: string;
  series: string;
  /** First and last missing period stamp (epoch ms). */
  startMs: number;
  endMs: number;
  hours: number;
}

/** Totals of `coverage_gaps`. */
export interface GapTotals {
  runs: number;
  hours: number;
}

/** Hours carrying one quality flag in one month (all respondents and series). */
export interface FlagMonth {
  month: string;
  rule: string;
  hours: number;
}

/** Flagged hours of one respondent and dataset per rule, over the whole warehouse. */
export interface FlagTotal {
  dataset: string;
  respondent: string;
  rows: number;
  flagged: number;
  byRule: Record<string, number>;
}

/** Quarantined rows per dataset and reason. */
export interface QuarantineCount {
  dataset: string;
  reason: string;
  rows: number;
}

/** Daily demand (region-data `D`) of one respondent: mean with the day's hourly min and max, MWh. */
export interface DemandDay {
  respondent: string;
  day: string;
  mean: number;
  min: number;
  max: number;
}

/** Time buckets of the mix and the forecast error: months, or days when the stored range is short. */
export type Grain = 'month' | 'day';

/** One fuel's share of a respondent's generation in a bucket (`YYYY-MM` or `YYYY-MM-DD`, see `grain`). */
export interface MixMonth {
  respondent: string;
  bucket: string;
  fuel: string;
  share: number;
}

/** Forecast error DF − D of one respondent and bucket, over the hours that have both, MWh. */
export interface ForecastMonth {
  respondent: string;
  bucket: string;
  mean: number;
  p05: number;
  p95: number;
  /** Mean |DF − D| / D. */
  mape: number;
  hours: number;
}

/** Revisions (`revisions`): a value EIA changed for a key already stored. */
export interface RevisionSummary {
  total: number;
  keys: number;
  /** Revised values per dataset and month of the revised hour. */
  byMonth: { dataset: string; month: string; count: number }[];
  /** Revisions per day they were seen (the run that noticed them). */
  bySeenDay: { day: string; count: number }[];
  /** Revisions per size of the change, |new − old| / |old| in bins (`REVISION_BINS`). */
  bySize: { bin: string; count: number }[];
  /** The series with the most revisions. */
  topSeries: { dataset: string; respondent: string; series: string; count: number; meanAbsChange: number }[];
}

/**
 * Copies of the same key from two forms of the data (`source_copies`, through the reconciliation views): empty when
 * no load met another form's copy (or the warehouse predates the table).
 */
export interface CopySummary {
  /** Keys compared (the latest comparison per key and pair of forms). */
  keys: number;
  /** Per pair of forms, dataset and series (`reconciliation`). */
  pairs: { aSource: string; bSource: string; dataset: string; series: string; keys: number; equal: number; different: number; maxAbsDifference: number | null }[];
  /** API vs six-month CSVs: which column the API's value is (`reconciliation_columns`). */
  columns: { dataset: string; series: string; keys: number; hoursAdjustedDiffers: number; apiEqualsReported: number; apiEqualsAdjusted: number; verdict: string }[];
  /** The largest differences (`copy_differences`). */
  largest: { aSource: string; bSource: string; dataset: string; respondent: string; series: string; periodMs: number; aValue: number | null; bValue: number | null }[];
}

/** One `runs` row, with what its summary JSON adds. Absent figures are null (shown as "—"). */
export interface RunRow {
  runId: string;
  command: string;
  source: string;
  status: string;
  startedMs: number;
  durationMs: number | null;
  range: string | null;
  regions: string[];
  types: string[];
  units: number | null;
  rowsReceived: number | null;
  rowsLoaded: number | null;
  rowsQuarantined: number | null;
  rowsPerSecond: number | null;
  requests: number | null;
  /** Most requests in any rolling hour, and the hourly budget the run had. */
  maxRequestsInAnyHour: number | null;
  requestsPerHour: number | null;
  /** 429 answers (throttled), when the summary records them. */
  throttled: number | null;
  error: string | null;
}

/** Everything the page shows. */
export interface ReportData {
  generatedAtMs: number;
  datasets: DatasetExtent[];
  /** Respondent codes with their names, sorted by code. */
  respondents: { code: string; name: string }[];
  coverage: CoverageCount[];
  seriesSpans: SeriesSpan[];
  longestGaps: Gap[];
  gapTotals: GapTotals;
  flagMonths: FlagMonth[];
  flagTotals: FlagTotal[];
  quarantine: QuarantineCount[];
  demand: DemandDay[];
  /** Bucket of `mix` and `forecast`. */
  grain: Grain;
  mix: MixMonth[];
  forecast: ForecastMonth[];
  revisions: RevisionSummary;
  copies: CopySummary;
  runs: RunRow[];
}

/** Size bins of a revision's relative change; `from/to null` when a value appeared or vanished. */
export const REVISION_BINS = ['< 0.1%', '0.1–1%', '1–10%', '10–100%', '≥ 100%', 'from/to null'] as const;
