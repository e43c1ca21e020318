/**
 * Vega-Lite specs of the report's charts, built from aggregated rows. Pure: data in, JSON spec out; `render.ts`
 * turns a spec into SVG. Every chart has a fixed width (the page scales it down on narrow screens) and its data
 * inline; marks carry a `description` (shown as a tooltip by the page's script) only where a mark is one datum.
 */
import type { TopLevelSpec } from 'vega-lite';
import { FUEL_TYPES } from '../core/catalog.js';
import { REVISION_BINS } from './model.js';

/** Width of the plotting area, px. */
export const CHART_WIDTH = 860;
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif';

/** Shared look: no external fonts, quiet grid, titles left. */
const CONFIG = {
  font: FONT,
  background: 'white',
  view: { stroke: null },
  axis: { labelColor: '#444', titleColor: '#444', gridColor: '#eee', domainColor: '#999', tickColor: '#999', labelFontSize: 11, titleFontSize: 11 },
  legend: { labelFontSize: 11, titleFontSize: 11, orient: 'right', labelLimit: 260 },
  title: { anchor: 'start', fontSize: 13, fontWeight: 600, color: '#222', offset: 8 },
} as const;

const base = (title: string) => ({ $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title, config: CONFIG });

/**
 * Coverage bands, from complete down: discrete, so 99.9% and 100% read differently (a linear colour scale would
 * not show the difference) and the legend names each band.
 */
export const COVERAGE_BANDS: readonly { label: string; min: number; color: string }[] = [
  { label: '100%', min: 1, color: '#1a9850' },
  { label: '99.5 – 99.99%', min: 0.995, color: '#a6d96a' },
  { label: '98 – 99.5%', min: 0.98, color: '#fee08b' },
  { label: '90 – 98%', min: 0.9, color: '#fdae61' },
  { label: '50 – 90%', min: 0.5, color: '#f46d43' },
  { label: '< 50%', min: 0, color: '#a50026' },
];

/** The band of a share in [0, 1]. */
export function coverageBand(share: number): string {
  return (COVERAGE_BANDS.find((b) => share >= b.min) ?? COVERAGE_BANDS[COVERAGE_BANDS.length - 1]).label;
}

/** `YYYY-MM` → the first instant of that month (UTC), for temporal axes. */
const monthDate = (m: string) => `${m}-01T00:00:00Z`;
/** `YYYY-MM` or `YYYY-MM-DD` → its first instant (UTC). */
const bucketDate = (b: string) => (b.length === 7 ? monthDate(b) : `${b}T00:00:00Z`);
const per = (b: string | undefined) => (b && b.length === 7 ? 'monthly' : 'daily');
const dayDate = (d: string) => `${d}T00:00:00Z`;

/** One heatmap cell: a respondent's month in a dataset. */
export interface CoverageCell {
  respondent: string;
  month: string;
  share: number;
  present: number;
  expected: number;
}

export function coverageHeatmap(dataset: string, cells: readonly CoverageCell[], respondents: readonly string[], months: readonly string[]): TopLevelSpec {
  const step = Math.max(3, Math.min(18, Math.floor(CHART_WIDTH / Math.max(months.length, 1))));
  // Every month, upright, on short ranges; only each January (as the year) on long ones.
  const labelExpr = "substring(datum.value, 5, 7) == '01' ? substring(datum.value, 0, 4) : ''";
  return {
    ...base(`${dataset}: share of expected hours present, per respondent and month (UTC)`),
    data: {
      values: cells.map((c) => ({
        ...c,
        band: coverageBand(c.share),
        label: `${c.respondent} ${c.month}: ${(c.share * 100).toFixed(2)}% (${c.present} of ${c.expected} series-hours)`,
      })),
    },
    mark: { type: 'rect', stroke: 'white', strokeWidth: step > 6 ? 0.5 : 0 },
    width: { step },
    height: { step: 14 },
    encoding: {
      x: {
        field: 'month', type: 'ordinal', sort: [...months], title: null,
        axis: months.length <= 24 ? { labelAngle: -90, ticks: false } : { labelExpr, labelAngle: 0, ticks: false, labelOverlap: false },
      },
      y: { field: 'respondent', type: 'nominal', sort: [...respondents], title: null },
      color: {
        field: 'band',
        type: 'ordinal',
        title: 'hours present',
        scale: { domain: COVERAGE_BANDS.map((b) => b.label), range: COVERAGE_BANDS.map((b) => b.color) },
      },
      description: { field: 'label' },
    },
  } as TopLevelSpec;
}

/** Flagged hours per month, one row of bars per rule, each with its own scale (one rule can dwarf the others). */
export function flagsOverTime(rows: readonly { month: string; rule: string; hours: number }[]): TopLevelSpec {
  const rule = (r: string) => r.replace(/_/g, ' ');
  return {
    ...base('Flagged hours per month, by quality rule (all respondents and series; each rule on its own scale)'),
    data: { values: rows.map((r) => ({ ...r, rule: rule(r.rule), date: monthDate(r.month), label: `${r.month} ${rule(r.rule)}: ${r.hours} hours` })) },
    facet: { row: { field: 'rule', type: 'nominal', title: null, header: { labelAngle: 0, labelAlign: 'left', labelAnchor: 'start', labelFontWeight: 600 } } },
    spec: {
      width: CHART_WIDTH - 120,
      height: 60,
      mark: { type: 'bar', color: '#e15759' },
      encoding: {
        x: { field: 'date', type: 'temporal', timeUnit: 'utcyearmonth', title: null, scale: { type: 'utc' } },
        y: { field: 'hours', type: 'quantitative', title: null, axis: { tickCount: 3 } },
        description: { field: 'label' },
      },
    },
    resolve: { scale: { y: 'independent' } },
  } as TopLevelSpec;
}

/** Quarantined rows per reason, split by dataset. */
export function quarantineBars(rows: readonly { dataset: string; reason: string; rows: number }[]): TopLevelSpec {
  return {
    ...base('Quarantined rows per reason'),
    data: { values: rows.map((r) => ({ ...r, label: `${r.dataset} ${r.reason}: ${r.rows} rows` })) },
    mark: { type: 'bar' },
    width: CHART_WIDTH - 200,
    height: { step: 18 },
    encoding: {
      y: { field: 'reason', type: 'nominal', title: null, sort: '-x' },
      x: { field: 'rows', type: 'quantitative', title: 'rows', stack: 'zero' },
      color: { field: 'dataset', type: 'nominal', title: 'dataset', scale: { scheme: 'tableau10' } },
      description: { field: 'label' },
    },
  } as TopLevelSpec;
}

/**
 * The y range of the demand chart: the data's, unless a few days reach far above the rest (spikes that no flag
 * caught): then the top is 1.25 × the 99th percentile of the daily maxima and the chart says where it clipped.
 */
export function demandDomain(days: readonly { min: number; max: number }[]): { lo: number; hi: number; clipped: boolean } {
  const lo = Math.min(...days.map((d) => d.min));
  const maxima = days.map((d) => d.max).sort((a, b) => a - b);
  const top = maxima[maxima.length - 1];
  const robust = 1.25 * maxima[Math.floor(0.99 * (maxima.length - 1))];
  return robust < top && robust > lo ? { lo, hi: robust, clipped: true } : { lo, hi: top, clipped: false };
}

/** Daily mean demand with the day's hourly min–max band. */
export function demandChart(respondent: string, days: readonly { day: string; mean: number; min: number; max: number }[]): TopLevelSpec {
  const dom = demandDomain(days);
  const peak = days.reduce((a, d) => (d.max > a.max ? d : a), days[0]);
  const title = dom.clipped
    ? { text: `${respondent}: demand (D), daily mean with the day's hourly minimum and maximum, MWh`, subtitle: `axis cut at ${Math.round(dom.hi).toLocaleString('en-US')} MWh; highest hour ${Math.round(peak.max).toLocaleString('en-US')} MWh on ${peak.day}` }
    : `${respondent}: demand (D), daily mean with the day's hourly minimum and maximum, MWh`;
  const y = { type: 'quantitative' as const, scale: { domain: [dom.lo, dom.hi], zero: false, nice: true } };
  return {
    ...base(''),
    title,
    data: { values: days.map((d) => ({ date: dayDate(d.day), mean: d.mean, min: d.min, max: d.max })) },
    width: CHART_WIDTH,
    height: 200,
    encoding: { x: { field: 'date', type: 'temporal', title: null, scale: { type: 'utc' }} },
    layer: [
      { mark: { type: 'area', color: '#9ecae1', opacity: 0.6, clip: true, aria: false }, encoding: { y: { ...y, field: 'min', title: 'MWh' }, y2: { field: 'max' } } },
      { mark: { type: 'line', color: '#08519c', strokeWidth: 1, clip: true, aria: false }, encoding: { y: { ...y, field: 'mean' } } },
    ],
  } as TopLevelSpec;
}

/** Fuel colours, fixed across respondents (a fuel keeps its colour in every chart). */
export const FUEL_COLORS: Readonly<Record<string, string>> = {
  COL: '#4d4d4d', NG: '#f28e2b', NUC: '#b07aa1', OIL: '#9c755f', OTH: '#bab0ac', SUN: '#edc948', WAT: '#4e79a7',
  WND: '#59a14f', BAT: '#ff9da7', PS: '#76b7b2', SNB: '#e8a33d', WNB: '#8cd17d', GEO: '#d37295', OES: '#fabfd2',
  UES: '#d4a6c8', UNK: '#79706e',
};

/** Shares of each fuel per month (or day), stacked to 100%. */
export function mixChart(respondent: string, rows: readonly { bucket: string; fuel: string; share: number }[]): TopLevelSpec {
  const fuels = Object.keys(FUEL_COLORS).filter((f) => rows.some((r) => r.fuel === f));
  for (const r of rows) if (!fuels.includes(r.fuel)) fuels.push(r.fuel);
  const name = (f: string) => `${FUEL_TYPES[f] ?? f} (${f})`;
  return {
    ...base(`${respondent}: generation mix, ${per(rows[0]?.bucket)} share of each energy source`),
    data: { values: rows.map((r) => ({ date: bucketDate(r.bucket), fuel: name(r.fuel), share: r.share })) },
    mark: { type: 'area', aria: false },
    width: CHART_WIDTH - 200,
    height: 200,
    encoding: {
      x: { field: 'date', type: 'temporal', title: null, scale: { type: 'utc' }},
      y: { field: 'share', type: 'quantitative', stack: 'zero', title: 'share', axis: { format: '%' }, scale: { domain: [0, 1] } },
      color: {
        field: 'fuel',
        type: 'nominal',
        title: 'energy source',
        sort: fuels.map(name),
        scale: { domain: fuels.map(name), range: fuels.map((f) => FUEL_COLORS[f] ?? '#999') },
        legend: { labelLimit: 280 },
      },
      order: { field: 'fuel', sort: 'ascending' },
    },
  } as TopLevelSpec;
}

/** Mean of DF − D per month (or day) with the 5th–95th percentile band of the hours. */
export function forecastChart(respondent: string, rows: readonly { bucket: string; mean: number; p05: number; p95: number }[]): TopLevelSpec {
  return {
    ...base(`${respondent}: forecast error DF − D, ${per(rows[0]?.bucket)} mean and 5th–95th percentile of hours, MWh`),
    data: { values: rows.map((r) => ({ date: bucketDate(r.bucket), mean: r.mean, p05: r.p05, p95: r.p95 })) },
    width: CHART_WIDTH,
    height: 180,
    encoding: { x: { field: 'date', type: 'temporal', title: null, scale: { type: 'utc' }} },
    layer: [
      { mark: { type: 'area', color: '#fdd0a2', opacity: 0.8, aria: false }, encoding: { y: { field: 'p05', type: 'quantitative', title: 'DF − D, MWh' }, y2: { field: 'p95' } } },
      { mark: { type: 'rule', color: '#999', aria: false }, encoding: { y: { datum: 0 } } },
      { mark: { type: 'line', color: '#d94801', strokeWidth: 1.5, point: rows.length < 40, aria: false }, encoding: { y: { field: 'mean', type: 'quantitative' } } },
    ],
  } as TopLevelSpec;
}

/** Revised values per month of the revised hour, by dataset. */
export function revisionsByMonth(rows: readonly { dataset: string; month: string; count: number }[]): TopLevelSpec {
  return {
    ...base('Values EIA revised, per month of the revised hour'),
    data: { values: rows.map((r) => ({ ...r, date: monthDate(r.month), label: `${r.dataset} ${r.month}: ${r.count} values` })) },
    mark: { type: 'bar' },
    width: CHART_WIDTH - 200,
    height: 180,
    encoding: {
      x: { field: 'date', type: 'temporal', timeUnit: 'utcyearmonth', title: null, scale: { type: 'utc' } },
      y: { field: 'count', type: 'quantitative', title: 'values revised', stack: 'zero' },
      color: { field: 'dataset', type: 'nominal', title: 'dataset', scale: { scheme: 'tableau10' } },
      description: { field: 'label' },
    },
  } as TopLevelSpec;
}

/** Revisions per size of the relative change. */
export function revisionsBySize(rows: readonly { bin: string; count: number }[]): TopLevelSpec {
  return {
    ...base('By how much: |new − old| / |old|'),
    data: { values: rows.map((r) => ({ ...r, label: `${r.bin}: ${r.count} values` })) },
    mark: { type: 'bar', color: '#6a51a3' },
    width: 360,
    height: 180,
    encoding: {
      x: { field: 'bin', type: 'ordinal', sort: [...REVISION_BINS], title: null, axis: { labelAngle: 0 } },
      y: { field: 'count', type: 'quantitative', title: 'values' },
      description: { field: 'label' },
    },
  } as TopLevelSpec;
}

/** Revisions per day they were seen. */
export function revisionsBySeenDay(rows: readonly { day: string; count: number }[]): TopLevelSpec {
  return {
    ...base('When: revisions per day they were seen (UTC)'),
    data: { values: rows.map((r) => ({ ...r, date: dayDate(r.day), label: `${r.day}: ${r.count} values` })) },
    mark: { type: 'bar', color: '#807dba' },
    width: 360,
    height: 180,
    encoding: {
      x: { field: 'date', type: 'temporal', timeUnit: 'utcyearmonthdate', title: null, scale: { type: 'utc' } },
      y: { field: 'count', type: 'quantitative', title: 'values' },
      description: { field: 'label' },
    },
  } as TopLevelSpec;
}
