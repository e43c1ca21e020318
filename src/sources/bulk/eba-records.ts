/**
 * A parsed bulk series → its pieces of work units and API-shaped rows the rest of the flow reads. Pure.
 *
 * **A bulk unit is one route × one respondent × one UTC year, over a run of consecutive lines of the file** (the
 * series of a group, `eba-source.ts`): a line holds a whole series, so a line contributes one piece to each year's
 * unit of its group, and the group's units are committed when a line of another route or respondent (or the end of
 * the file) closes it. Units never straddle years (the Parquet partitions are per year). A unit's id names the
 * file, the route, the respondent, the job's series filter of the route and the group's first series, so the same
 * file and job give the same ids (resume), and a respondent whose lines are not consecutive in the file (EIA does
 * not promise an order) gets one unit per run of lines, never one id for two sets of rows. Facets are shaped like
 * an API unit's (`{respondent: [PACW], type: [D, DF]}`), so the ledger, the upsert and the revisions treat it
 * like any unit.
 *
 * The rows are the rows the API's route would send for the same hours: the route's keys in route order,
 * `period` as the API's `YYYY-MM-DDTHH`, names from the catalog (the bulk line's `name` is a sentence), the
 * value as a number (what the API's 2023 format sent; the validator reads both) and `value-units` as the API
 * spells it. Points the line parser could not read go in as received, so the validator quarantines them.
 */
import { createHash } from 'node:crypto';
import { DATASET_INFO, FUEL_TYPES, REGION_TYPES, RESPONDENTS, VALUE_UNITS } from '../../core/catalog.js';
import type { EiaRow, WorkUnit } from '../../core/contracts.js';
import { HOUR_MS, formatHourStamp, utcYear } from '../../core/time.js';
import { UNIT_ID_PREFIX } from '../../core/provenance.js';
import type { EbaSeries } from './eba-line.js';
import { ebaStampParser } from './eba-series.js';

/** One unit of a series and its rows, oldest first. */
export interface EbaUnitRows {
  readonly unit: WorkUnit;
  readonly rows: EiaRow[];
}

export interface EbaUnitContext {
  /** The job's range `[startMs, endMs)`. */
  readonly startMs: number;
  readonly endMs: number;
  /** Names the file the units come from (12 hex of its sha256): a new file gives new unit ids. */
  readonly fileTag: string;
  /** Names the group within the file and job: the route's series filter and the group's first series. */
  readonly groupTag: string;
  /** Hours behind the frontier within which a unit stays open (the pipeline's revision horizon). */
  readonly horizonHours: number;
  /**
   * The file's publication frontier as far as the line tells (its build time from `last_updated`), epoch ms; the
   * later of it and the series' newest hour is the unit's frontier, as a route's latest hour is an API unit's.
   */
  readonly buildMs?: number;
}

/** `bulk-<dataset>-<YYYY>-<12 hex>`: stable for the same file, job, group and window. */
export function bulkUnitId(fileTag: string, dataset: string, respondent: string, groupTag: string, startMs: number, endMs: number): string {
  const text = ['bulk', fileTag, dataset, respondent, groupTag, startMs, endMs].join('|');
  return `${UNIT_ID_PREFIX.bulk}${dataset}-${utcYear(startMs)}-${createHash('sha256').update(text).digest('hex').slice(0, 12)}`;
}

/** The name the API sends beside a respondent code (`respondent-name`, `fromba-name`, `parent-name`). */
function respondentName(code: string): string {
  return RESPONDENTS[code]?.name ?? code;
}

/**
 * The name the API sends beside a series code. A sub-BA's comes from the line (`Demand for X (P), <sub>, hourly…`),
 * and so does a CO2 series' (`BHBA Hourly CO2 Emissions Intensity Consumed` → `CO2 Emissions Intensity Consumed`).
 */
function seriesName(s: EbaSeries): string {
  const { dataset, series, respondent } = s.key;
  if (dataset === 'region-data') return REGION_TYPES[series] ?? series;
  if (dataset === 'fuel-type-data') return FUEL_TYPES[series] ?? series;
  if (dataset === 'interchange-data') return respondentName(series);
  if (dataset === 'co2-emissions') {
    const name = s.name.startsWith(`${respondent} `) ? s.name.slice(respondent.length + 1) : s.name;
    return name.replace(/^Hourly /, '') || series;
  }
  const m = new RegExp(`\\(${respondent}\\), (.+), hourly`).exec(s.name);
  return m?.[1] ?? series;
}

/** A row builder of one series. */
type RowMaker = (period: string, value: unknown) => EiaRow;

/**
 * One literal per route, in the route's key order (`DATASET_INFO.rowKeys`): every row of a route gets the same
 * hidden class, which the validator reads fast. Rows built with computed keys (`{[k]: v}`) took a slow path per row
 * and were the source's largest self time in the profile (docs/decisions.md, "Bulk speed").
 */
function rowMaker(dataset: EbaSeries['key']['dataset'], a: string, an: string, b: string, bn: string, units: string): RowMaker {
  switch (dataset) {
    case 'region-data':
    case 'co2-emissions':
      return (period, value) => ({ period, respondent: a, 'respondent-name': an, type: b, 'type-name': bn, value, 'value-units': units });
    case 'fuel-type-data':
      return (period, value) => ({ period, respondent: a, 'respondent-name': an, fueltype: b, 'type-name': bn, value, 'value-units': units });
    case 'interchange-data':
      return (period, value) => ({ period, fromba: a, 'fromba-name': an, toba: b, 'toba-name': bn, value, 'value-units': units });
    case 'region-sub-ba-data':
      return (period, value) => ({ period, subba: a, 'subba-name': an, parent: b, 'parent-name': bn, value, 'value-units': units });
  }
}

/** First hour the stamp cache holds (EIA-930 starts 2015-07-01), and how many hours (to 2045). */
const STAMP_BASE_MS = Date.UTC(2015, 0, 1);
const STAMP_HOURS = 30 * 8784;
const stampCache: (string | undefined)[] = new Array<string | undefined>(STAMP_HOURS).fill(undefined);

/**
 * `formatHourStamp` remembered per hour: every line of a file repeats the same hours (a series since 2019 is ~60k
 * of them), and `toISOString` per point was a tenth of the main thread. The cache is at most ~10 MB of strings.
 */
export function apiStamp(ms: number): string {
  const i = (ms - STAMP_BASE_MS) / HOUR_MS;
  if (!(i >= 0 && i < STAMP_HOURS && Number.isInteger(i))) return formatHourStamp(ms);
  return (stampCache[i] ??= formatHourStamp(ms));
}

/**
 * The API's unit spelling for the bulk's MWh (`megawatthours`; some lines say `MWh`); anything else (the CO2 series'
 * `CO2 metric tons`) is kept as received for the validator, which checks it against the dataset's units.
 */
function unitsOf(units: string): string {
  return units === 'megawatthours' || units === 'MWh' || units === '' ? VALUE_UNITS : units;
}

/** A series' pieces of its group's units inside the job's range, one per UTC year that has points, oldest first. */
export function ebaUnits(s: EbaSeries, ctx: EbaUnitContext): EbaUnitRows[] {
  const info = DATASET_INFO[s.key.dataset];
  const respFirst = info.rowKeys[1] === info.respondentFacet;
  const rName = respondentName(s.key.respondent);
  const sName = seriesName(s);
  const units = unitsOf(s.units);
  const row = rowMaker(s.key.dataset, respFirst ? s.key.respondent : s.key.series, respFirst ? rName : sName, respFirst ? s.key.series : s.key.respondent, respFirst ? sName : rName, units);
  const newest = s.points.length ? s.points[s.points.length - 1]!.period : undefined;
  // A series that ended long before the build is not open: the frontier is the file's, not the series' last hour.
  const frontier = Math.max(newest ?? -Infinity, ctx.buildMs ?? -Infinity);

  const byYear = new Map<number, EiaRow[]>();
  const add = (year: number, r: EiaRow) => {
    let list = byYear.get(year);
    if (!list) byYear.set(year, (list = []));
    list.push(r);
  };
  // Points come oldest first (EIA promises no order, so a point outside the current year still finds its own): the
  // year is looked up only when a point leaves the current one, not with Date work per point.
  let list: EiaRow[] = [];
  let yearStartMs = Infinity;
  let nextYearMs = -Infinity;
  for (const p of s.points) {
    if (p.period >= nextYearMs || p.period < yearStartMs) {
      const year = utcYear(p.period);
      yearStartMs = Date.UTC(year, 0, 1);
      nextYearMs = Date.UTC(year + 1, 0, 1);
      list = byYear.get(year) ?? [];
      byYear.set(year, list);
    }
    list.push(row(apiStamp(p.period), p.value));
  }
  for (const b of s.bad) {
    const pt = JSON.parse(b.raw) as unknown;
    const stamp = Array.isArray(pt) ? pt[0] : undefined;
    const period = typeof stamp === 'string' ? ebaStampParser(s.key.local)(stamp) : undefined;
    if (period !== undefined && (period < ctx.startMs || period >= ctx.endMs)) continue;
    // A bad stamp goes with the series' first unit in the range, as received; the validator quarantines it.
    const year = period !== undefined ? utcYear(period) : byYear.size ? Math.min(...byYear.keys()) : utcYear(ctx.startMs);
    add(year, row(period !== undefined ? formatHourStamp(period) : String(stamp), Array.isArray(pt) ? pt[1] : pt));
  }

  const out: EbaUnitRows[] = [];
  for (const year of [...byYear.keys()].sort((a, b) => a - b)) {
    const startMs = Math.max(ctx.startMs, Date.UTC(year, 0, 1));
    const endMs = Math.min(ctx.endMs, Date.UTC(year + 1, 0, 1));
    const facets = { [info.respondentFacet]: [s.key.respondent], [info.seriesFacet]: [s.key.series] };
    const rows = byYear.get(year)!;
    const open = !Number.isFinite(frontier) || endMs - HOUR_MS > frontier - ctx.horizonHours * HOUR_MS;
    const unit: WorkUnit = {
      id: bulkUnitId(ctx.fileTag, s.key.dataset, s.key.respondent, ctx.groupTag, startMs, endMs),
      dataset: s.key.dataset,
      facets,
      startMs,
      endMs,
      year,
      expectedRows: rows.length,
      ...(Number.isFinite(frontier) ? { frontierMs: frontier } : {}),
      open,
    };
    out.push({ unit, rows });
  }
  return out;
}
