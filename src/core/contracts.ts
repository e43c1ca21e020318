/**
 * The contracts of eia-stream: what flows between components and what each component kind promises.
 *
 *   Source ──SourceItem──▶ validate+normalize ──FlowItem (PageBatch/UnitEnd/UnitRestart)──▶ fan-out ──▶ Sink × N
 *
 * A source owns its input's format: every page it yields carries its parsed envelope (the EIA source and the raw
 * archive parse bodies with `sources/eia/envelope.ts`), so the transforms never read a body. Everything moves in
 * page-sized batches (≤ 5,000 rows), never single rows. Backpressure is by pulling: a stage
 * asks for the next item only after its consumer awaited the previous one, and the fan-out awaits every sink,
 * so the slowest sink paces the source.
 *
 * A **work unit** is one query (route, facets, hour window) that the source pages through completely. Units are the
 * unit of commit and of resume: sinks stage the pages of a unit and make them durable and visible only in
 * `commitUnit`. A unit is recorded as done (the ledger) only after every sink committed it.
 */
import type { Dataset, ObservationUnits, RecordDataset } from './catalog.js';

// ───────────────────────────── work units and pages ─────────────────────────────

/** One query of the plan. Deterministic: the same inputs always give the same `id`. */
export interface WorkUnit<D extends RecordDataset = RecordDataset> {
  /** Stable id, safe as a file name: `<dataset>-<YYYY>-<hash>`; used by the raw archive and the ledger. */
  readonly id: string;
  /** An API route, or a bulk-only dataset (units of `EBA.zip`'s CO2 series). */
  readonly dataset: D;
  /** Facet filters sent as `facets[<id>][]=<code>`; codes sorted ascending. */
  readonly facets: Readonly<Record<string, readonly string[]>>;
  /** First period stamp of the window (epoch ms, whole UTC hour, inclusive). */
  readonly startMs: number;
  /** End of the window (epoch ms, whole UTC hour, exclusive). Sent as `end = endMs − 1 h`. */
  readonly endMs: number;
  /** UTC year of every period in the window (windows never straddle years). */
  readonly year: number;
  /** Planner's estimate of the rows the query returns. */
  readonly expectedRows: number;
  /**
   * The route's latest published hour when the unit was planned (epoch ms, inclusive), when it was read. A unit whose
   * window reaches past it (its end was clamped to it) or into the revision horizon behind it is `open`.
   */
  readonly frontierMs?: number;
  /** True when rows of the window may still arrive or change: the ledger records it open and later runs fetch it again. */
  readonly open?: boolean;
}

/** A unit the API can serve: the planner's units, and every unit the EIA source fetches. */
export type ApiWorkUnit = WorkUnit<Dataset>;

/** A warning entry of the envelope (`warnings[]` at the root or inside `response`). */
export interface EiaWarning {
  readonly warning: string;
  readonly description: string;
}

/** One data row as the API sends it (keys per route, see catalog `rowKeys`). */
export type EiaRow = Record<string, unknown>;

/** The facts of one parsed data page (`parseEnvelope` in sources/eia/envelope.ts). */
export interface PageEnvelope {
  /** `response.total` as a number (the API sends a string since 2.1.6). */
  readonly total: number;
  /** `response.data`. */
  readonly rows: readonly EiaRow[];
  /** Warnings found at the root and inside `response` (empty when none or `null`). */
  readonly warnings: readonly EiaWarning[];
  readonly apiVersion: string | null;
  readonly frequency: string | null;
  readonly dateFormat: string | null;
}

/** One page as received, with the facts the raw archive's manifest needs. The key is already redacted. */
export interface FetchedPage {
  readonly unit: WorkUnit;
  /** `offset` sent. */
  readonly offset: number;
  /** `<unit.id>-p<offset>`: the raw archive file stem and the records' `source_page`. */
  readonly pageId: string;
  /** Response body as received (gzip-decoded) with the echoed key replaced by `REDACTED`. */
  readonly body: Buffer;
  /** Request URL with `api_key=REDACTED`. */
  readonly url: string;
  readonly status: number;
  readonly latencyMs: number;
  /** Attempts this page took (1 = no retry). */
  readonly attempts: number;
  /** ISO-8601 UTC time the response arrived. */
  readonly fetchedAt: string;
  /**
   * The parsed envelope, set by every source: the EIA source parses each response to verify paging, the raw-archive
   * source parses the archived body, the bulk source builds it around the rows it read.
   */
  readonly envelope: PageEnvelope;
  /**
   * Rows the source received and did not put in `envelope.rows` because it had already delivered the same key (the
   * six-month CSVs repeat the hours at a half-year seam): counted as duplicates of this page, so `received = records
   * + quarantined + duplicates` still covers every row read.
   */
  readonly sourceDuplicates?: number;
  /**
   * Other published figures of the page's rows, beside their `value` (the six-month CSVs' EIA-adjusted and imputed
   * values), keyed like the records; only rows with at least one figure. The variants sink keeps those whose record
   * was loaded.
   */
  readonly variants?: readonly ValueVariants[];
}

/** EIA's adjusted and imputed figures of one (respondent, series, period) of the page's dataset. */
export interface ValueVariants {
  readonly respondent: string;
  readonly series: string;
  /** UTC instant of the hour-ending stamp, epoch ms. */
  readonly period: number;
  readonly adjusted: number | null;
  readonly imputed: number | null;
}

// ───────────────────────────── records ─────────────────────────────

/**
 * Quality flags: bits of `ObservationRecord.flags`. Flags never reject a row (docs/eia-api.md §13.1); see
 * docs/architecture.md.
 */
export const Flag = {
  /** `value` is null, `""` or `"NA"`. */
  MISSING_VALUE: 1,
  /** Demand (D, DF, sub-BA demand) ≤ 0. */
  NEGATIVE_OR_ZERO_DEMAND: 2,
  /** Non-storage generation below the negative tolerance (default −50 MWh). */
  NEGATIVE_GENERATION: 4,
  /** |x − median| > 9·|median| within the series in the page. */
  GLOBAL_OUTLIER: 8,
  /** The 3rd and later identical consecutive values of a series within the page. */
  IDENTICAL_RUN: 16,
  /** A code the catalog does not know (kept, not rejected). */
  UNKNOWN_CODE: 32,
} as const;
export type FlagName = keyof typeof Flag;

/** The one typed record of all four routes (docs/architecture.md "Record schema"). */
export interface ObservationRecord {
  /** Route name, e.g. `region-data`, or a bulk-only dataset (`co2-emissions`). */
  dataset: RecordDataset;
  /** `respondent`; interchange: `fromba`; sub-BA: `parent`. */
  respondent: string;
  respondent_name: string;
  /** `type` | `fueltype` | `toba` | `subba` code (leading zeros kept). */
  series: string;
  series_name: string;
  /** UTC instant of EIA's hour-ending stamp, epoch ms. */
  period: number;
  /** In `units`; null when the source reported the hour as missing. */
  value: number | null;
  /** MWh on every API route; metric tons of CO2 on `co2-emissions`. */
  units: ObservationUnits;
  /** Bitmask of `Flag`. */
  flags: number;
  /** Page id the row came from (`FetchedPage.pageId`). */
  source_page: string;
  /** Run start, epoch ms. Not part of the content checksum. */
  ingested_at: number;
}

/** Stable quarantine reason codes. */
export type QuarantineReason =
  | 'MISSING_KEY'
  | 'BAD_PERIOD'
  | 'BAD_CODE'
  | 'BAD_VALUE'
  | 'BAD_UNITS'
  | 'UNKNOWN_TYPE'
  | 'NOT_AN_OBJECT'
  | 'OUT_OF_WINDOW';

/** A rejected row: data, not an exception. */
export interface QuarantineRecord {
  dataset: RecordDataset;
  reason: QuarantineReason;
  /** One line: which key, what was found, what was expected. */
  detail: string;
  /** The row exactly as received, JSON. */
  raw: string;
  source_page: string;
  /** Index of the row in `response.data`. */
  row_index: number;
  ingested_at: number;
}

/**
 * A page after validate → normalize. `received = records + quarantined + duplicates`, where received is
 * `envelope.rows.length`; the flow (`pipelines/flow.ts`) asserts it for every batch before any sink sees it.
 */
export interface PageBatch {
  readonly kind: 'page';
  readonly page: FetchedPage;
  readonly envelope: PageEnvelope;
  readonly records: readonly ObservationRecord[];
  readonly quarantined: readonly QuarantineRecord[];
  /** Rows dropped as duplicate keys (the latest copy is kept). */
  readonly duplicates: number;
}

/** The source has delivered every page of a unit and verified rows = total with no repeated key. */
export interface UnitEnd {
  readonly kind: 'unit-end';
  readonly unit: WorkUnit;
  /** `total` as the API reported it. */
  readonly total: number;
  readonly pages: number;
  readonly rowsReceived: number;
}

/** The source restarts a unit (verification failed once): sinks drop what they staged for it. */
export interface UnitRestart {
  readonly kind: 'unit-restart';
  readonly unit: WorkUnit;
  readonly reason: string;
}

/** What a source yields. */
export type SourceItem = { readonly kind: 'page'; readonly page: FetchedPage } | UnitEnd | UnitRestart;
/** What the transforms yield and the sinks consume. */
export type FlowItem = PageBatch | UnitEnd | UnitRestart;

// ───────────────────────────── component kinds ─────────────────────────────

/**
 * Source: yields items until its input is exhausted; a normal return means the end. It must stop promptly (and
 * reject with `ETL_ABORTED`) when `signal` aborts, and never run ahead of its consumer by more than a small,
 * bounded number of pages. For each unit, all its `page` items come before its `unit-end`; pages of different
 * units may interleave. Every page carries its parsed envelope (a body that does not parse is the source's error).
 */
export interface Source {
  read(signal: AbortSignal): AsyncIterable<SourceItem>;
}

/** Stream-level transform stage (e.g. validate+normalize): batch in, batch out, in order. */
export type StreamTransform<I, O> = (items: AsyncIterable<I>, opts: { signal: AbortSignal }) => AsyncIterable<O>;

/**
 * Sink: persists page batches, unit by unit.
 *
 * - `write(batch)` stages one page of a unit. It resolves when the sink is ready for more (backpressure); nothing
 *   staged is visible to readers until `commitUnit`.
 * - `commitUnit(end)` makes the unit durable and visible atomically, **replacing** whatever an earlier run stored
 *   for the same unit (or the same keys): re-writing a unit never duplicates.
 * - `abortUnit(unitId)` drops what was staged for the unit (it will be re-fetched or the run is stopping).
 * - `close()` flushes and releases everything; it is idempotent and always called by the runner. `write` or
 *   `commitUnit` after `close` throws `ETL_SINK_CLOSED`.
 * - A failure throws an `EtlError` (`ETL_SINK_WRITE`) and leaves earlier committed units intact.
 */
export interface Sink {
  readonly name: string;
  write(batch: PageBatch): Promise<void>;
  commitUnit(end: UnitEnd): Promise<void>;
  abortUnit(unitId: string): Promise<void>;
  close(): Promise<void>;
}
