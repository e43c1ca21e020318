/**
 * ReportData → the page model: what each section says, which charts it has (as Vega-Lite specs) and its tables.
 * Pure. A chart appears only when it has data; otherwise the section says in words what is absent and why, so
 * every chart on the page has marks.
 */
import { coverageCells } from './coverage.js';
import { NONE, duration, esc, hourStamp, int, pct, table, utc, type Cell } from './html.js';
import type { ReportData, RunRow } from './model.js';
import type { Block, PageModel, Panel, Section } from './page.js';
import { FLAG_RULES } from './queries.js';
import {
  coverageHeatmap, demandChart, flagsOverTime, forecastChart, mixChart, quarantineBars, revisionsByMonth,
  revisionsBySeenDay, revisionsBySize,
} from './specs.js';
import { isSimulatedRunSource } from '../core/provenance.js';
import { DATASET_INFO } from '../core/catalog.js';

/** The units of each dataset's values (`MWh`; `CO2 metric tons` on the bulk-only CO2 series), printed beside them. */
const DATASET_UNITS: Readonly<Record<string, string>> = Object.fromEntries(Object.values(DATASET_INFO).map((d) => [d.id, d.units]));

const html = (s: string): Block => ({ kind: 'html', html: s });
const p = (s: string, cls = 'note') => html(`<p class="${cls}">${s}</p>`);

export function buildPage(data: ReportData, source: string): PageModel {
  const simRuns = data.runs.filter((r) => isSimulatedRunSource(r.source)).length;
  const rows = data.datasets.reduce((a, d) => a + d.rows, 0);
  const first = Math.min(...data.datasets.map((d) => d.firstMs));
  const last = Math.max(...data.datasets.map((d) => d.lastMs));
  const lastRun = data.runs[0];
  return {
    title: 'eia-stream report',
    simulated:
      simRuns > 0
        ? `${simRuns} of ${data.runs.length} recorded run(s) fetched from the built-in EIA API simulator (no EIA_API_KEY was set): ` +
          'the values on this page are generated, not EIA data.'
        : null,
    subtitle: `EIA-930 hourly data in ${source} (read-only), generated ${utc(data.generatedAtMs)} UTC. Hours are UTC and grouped by the hour's start.`,
    stats: [
      ['rows', int(rows)],
      ['respondents', int(data.respondents.length)],
      ['hours (UTC stamps)', rows ? `${hourStamp(first)} → ${hourStamp(last)}` : NONE],
      ['datasets', data.datasets.map((d) => d.dataset).join(', ') || NONE],
      ['runs', int(data.runs.length)],
      ['last run', lastRun ? `${lastRun.command} ${lastRun.status}` : NONE],
    ],
    sections: [coverage(data), quality(data), grid(data), revisions(data), copies(data), runs(data)],
  };
}

function coverage(data: ReportData): Section {
  const blocks: Block[] = [
    p('Each cell is the share of a respondent’s expected series-hours present in that month: every hour from a ' +
      'series’ first to its last stored hour is expected. Hover a cell for the counts; the longest gaps are listed below.'),
  ];
  if (data.datasets.length === 0) blocks.push(p('The warehouse holds no observations yet.', 'empty'));
  for (const d of data.datasets) {
    const { cells, respondents, months } = coverageCells(d, data.coverage, data.seriesSpans);
    blocks.push({ kind: 'chart', id: `coverage-${d.dataset}`, spec: coverageHeatmap(d.dataset, cells, respondents, months) });
  }
  blocks.push(html(`<h3>Longest gaps</h3>`));
  if (data.gapTotals.runs === 0) {
    blocks.push(p('No gaps: every series has every hour between its first and last stored hour.', 'empty'));
  } else {
    blocks.push(p(`${int(data.gapTotals.runs)} gap run(s), ${int(data.gapTotals.hours)} missing series-hours in all; the longest ${data.longestGaps.length}:`));
    blocks.push(html(table(
      ['dataset', 'respondent', 'series', 'first missing hour', 'last missing hour', 'hours'],
      data.longestGaps.map((g) => [g.dataset, g.respondent, g.series, hourStamp(g.startMs), hourStamp(g.endMs), g.hours]),
    )));
  }
  return { id: 'coverage', title: 'Coverage', blocks };
}

function quality(data: ReportData): Section {
  const blocks: Block[] = [
    p('Quality flags never reject a row; they mark hours to look at. Quarantined rows failed a hard check and are not in the observations.'),
  ];
  if (data.flagMonths.length > 0) blocks.push({ kind: 'chart', id: 'quality-flags', spec: flagsOverTime(data.flagMonths) });
  else blocks.push(p('No hour carries a quality flag.', 'empty'));
  const rules = FLAG_RULES.filter((r) => data.flagTotals.some((t) => t.byRule[r] > 0));
  if (data.flagTotals.length > 0) {
    blocks.push(html(table(
      ['dataset', 'respondent', 'rows', 'flagged', 'share', ...rules.map((r) => r.replace(/_/g, ' '))],
      data.flagTotals.map((t) => [t.dataset, t.respondent, t.rows, t.flagged, { html: pct(t.flagged / t.rows, 2), num: true }, ...rules.map((r) => t.byRule[r])]),
      'Flagged hours per respondent and dataset (an hour may carry several flags)',
    )));
  }
  blocks.push(html('<h3>Quarantine</h3>'));
  if (data.quarantine.length > 0) blocks.push({ kind: 'chart', id: 'quality-quarantine', spec: quarantineBars(data.quarantine) });
  else blocks.push(p('No row was quarantined.', 'empty'));
  return { id: 'quality', title: 'Quality', blocks };
}

function grid(data: ReportData): Section {
  const names = new Map(data.respondents.map((r) => [r.code, r.name]));
  const by = <T extends { respondent: string }>(rows: readonly T[]) => {
    const m = new Map<string, T[]>();
    for (const r of rows) (m.get(r.respondent) ?? m.set(r.respondent, []).get(r.respondent)!).push(r);
    return m;
  };
  const demand = by(data.demand);
  const mix = by(data.mix);
  const forecast = by(data.forecast);
  const codes = [...new Set([...demand.keys(), ...mix.keys(), ...forecast.keys()])].sort();
  const panels: Panel[] = codes.map((code) => {
    const blocks: Block[] = [];
    const d = demand.get(code);
    if (d) blocks.push({ kind: 'chart', id: `demand-${code}`, spec: demandChart(code, d) });
    else blocks.push(p(`No demand (region-data D) for ${esc(code)}.`, 'empty'));
    const m = mix.get(code);
    if (m) blocks.push({ kind: 'chart', id: `mix-${code}`, spec: mixChart(code, m) });
    else blocks.push(p(`No generation by energy source (fuel-type-data) for ${esc(code)}.`, 'empty'));
    const f = forecast.get(code);
    if (f) {
      const hours = f.reduce((a, r) => a + r.hours, 0);
      const mape = f.reduce((a, r) => a + r.mape * r.hours, 0) / hours;
      blocks.push({ kind: 'chart', id: `forecast-${code}`, spec: forecastChart(code, f) });
      blocks.push(p(`${int(hours)} hours with both DF and D; mean absolute percentage error ${pct(mape, 2)}.`));
    } else {
      blocks.push(p(`No hours with both a day-ahead forecast (DF) and demand (D) for ${esc(code)}: fetch both with --types demand,forecast.`, 'empty'));
    }
    return { code, label: `${code} — ${names.get(code) ?? code}`, blocks };
  });
  const blocks: Block[] = [
    p('Per respondent: demand, the mix of generation and the day-ahead forecast’s error. Pick a respondent; regions overlap their BAs (CAL ⊃ CISO), so do not add them up.'),
  ];
  if (codes.length === 0) blocks.push(p('No demand, generation or forecast rows in the warehouse.', 'empty'));
  return { id: 'grid', title: 'The grid', blocks, panels };
}

function revisions(data: ReportData): Section {
  const r = data.revisions;
  const blocks: Block[] = [];
  if (r.total === 0) {
    blocks.push(p('No revisions recorded: a revision is written when a later run receives a different value for an hour already stored (incremental runs re-read the last hours).', 'empty'));
    return { id: 'revisions', title: 'Revisions', blocks };
  }
  blocks.push(p(`EIA changed ${int(r.total)} stored value(s) of ${int(r.keys)} distinct hour(s) and series.`));
  blocks.push({ kind: 'chart', id: 'revisions-month', spec: revisionsByMonth(r.byMonth) });
  blocks.push(html('<div class="row">'));
  blocks.push({ kind: 'chart', id: 'revisions-seen', spec: revisionsBySeenDay(r.bySeenDay) });
  blocks.push({ kind: 'chart', id: 'revisions-size', spec: revisionsBySize(r.bySize) });
  blocks.push(html('</div>'));
  blocks.push(html(table(
    ['dataset', 'respondent', 'series', 'revisions', 'mean |new − old|'],
    r.topSeries.map((s) => [s.dataset, s.respondent, s.series, s.count, { html: `${s.meanAbsChange.toFixed(1)} ${DATASET_UNITS[s.dataset] ?? ''}`.trim(), num: true }]),
    'Most revised series',
  )));
  return { id: 'revisions', title: 'Revisions', blocks };
}

function copies(data: ReportData): Section {
  const c = data.copies;
  const title = 'API and bulk copies';
  if (c.keys === 0) {
    return {
      id: 'copies',
      title,
      blocks: [p('No key was loaded from two forms of the data. Load a range from the API, then the same range with <code>historical --source bulk</code> or <code>--source grid-monitor</code>: each key the second load meets is compared here (README, “Comparing the API with the bulk files”).', 'empty')],
    };
  }
  const equal = c.pairs.reduce((a, r) => a + r.equal, 0);
  const mwh = (v: number | null) => ({ html: v === null ? NONE : esc(v.toFixed(v % 1 === 0 ? 0 : 3)), num: true });
  const blocks: Block[] = [
    p(`${int(c.keys)} key(s) were held by two forms of the data; ${int(equal)} (${pct(equal / c.keys, 2)}) had equal values (within 1e-6 MWh). Both values of every comparison are kept in <code>source_copies</code>.`),
    html(table(
      ['forms', 'dataset', 'series', 'keys', 'equal', 'different', 'largest |difference|, MWh'],
      c.pairs.map((r) => [`${r.aSource} · ${r.bSource}`, r.dataset, r.series, { html: int(r.keys), num: true }, { html: pct(r.equal / r.keys, 2), num: true }, { html: int(r.different), num: true, cls: r.different ? 'bad' : '' }, mwh(r.maxAbsDifference)]),
      'Equal and different values per pair of forms',
    )),
  ];
  if (c.columns.length) {
    blocks.push(p('Which six-month CSV column the API serves: reported and adjusted are equal in almost every hour, so only the hours EIA adjusted decide.'));
    blocks.push(html(table(
      ['dataset', 'series', 'keys', 'hours adjusted ≠ reported', 'API = reported', 'API = adjusted', 'the API’s value is'],
      c.columns.map((r) => [r.dataset, r.series, { html: int(r.keys), num: true }, { html: int(r.hoursAdjustedDiffers), num: true }, { html: int(r.apiEqualsReported), num: true }, { html: int(r.apiEqualsAdjusted), num: true }, r.verdict]),
      'API vs six-month CSVs',
    )));
  }
  if (c.largest.length) {
    blocks.push(html(table(
      ['forms', 'dataset', 'respondent', 'series', 'hour ending (UTC)', 'first form, MWh', 'second form, MWh'],
      c.largest.map((r) => [`${r.aSource} · ${r.bSource}`, r.dataset, r.respondent, r.series, hourStamp(r.periodMs), mwh(r.aValue), mwh(r.bValue)]),
      'Largest differences',
    )));
  }
  return { id: 'copies', title, blocks };
}

function runCells(r: RunRow): Cell[] {
  const num = (s: string) => ({ html: esc(s), num: true });
  const budget = r.maxRequestsInAnyHour !== null && r.requestsPerHour
    ? `${int(r.maxRequestsInAnyHour)} / ${int(r.requestsPerHour)} (${pct(r.maxRequestsInAnyHour / r.requestsPerHour, 0)})`
    : NONE;
  return [
    utc(r.startedMs),
    r.command,
    { html: esc(r.source || NONE), cls: isSimulatedRunSource(r.source) ? 'sim' : '' },
    { html: esc(r.status), cls: r.status === 'ok' ? '' : 'bad' },
    { html: esc(r.range ?? NONE), cls: 'wrap narrow' },
    { html: esc(`${r.regions.join(', ') || NONE} × ${r.types.join(', ') || NONE}`), cls: 'wrap' },
    num(int(r.rowsReceived)),
    num(int(r.rowsQuarantined)),
    num(int(r.rowsPerSecond)),
    num(int(r.requests)),
    num(budget),
    num(int(r.throttled)),
    num(duration(r.durationMs)),
  ];
}

function runs(data: ReportData): Section {
  const blocks: Block[] = [];
  if (data.runs.length === 0) {
    blocks.push(p('No runs recorded.', 'empty'));
  } else {
    blocks.push(p('Newest first. Budget: the most requests in any rolling hour against the hourly budget. Throttled: HTTP 429 answers. “—”: not recorded for that run.'));
    blocks.push(html(table(
      ['started (UTC)', 'command', 'source', 'status', 'range (UTC)', 'regions × types', 'rows received', 'quarantined', 'rows/s', 'requests', 'budget: most in an hour', 'throttled (429)', 'duration'],
      data.runs.map(runCells),
    )));
    const failed = data.runs.filter((r) => r.error);
    for (const r of failed.slice(0, 10)) blocks.push(p(`<b>${esc(r.runId)}</b> ${esc(r.status)}: ${esc(r.error)}`));
  }
  return { id: 'runs', title: 'Runs', blocks };
}
