/**
 * The simulator's `EBA.txt`: EIA's bulk copy of EIA-930 (docs/eia-bulk.md §1), generated from the same series
 * universe, presence and value model as the API routes, so the bulk file built at an hour holds exactly the rows
 * and values the API serves during that hour (the API's data depends on the simulated now only through its hour
 * and its day, see presence.ts and values.ts).
 *
 * Pure and lazy: `ebaLines` yields one line at a time (a series line holds its whole series, newest point first),
 * so a multi-GB file never exists in memory. The shape follows the real 2026 lines (test/fixtures/eia-bulk):
 * `series_id` first, `name`, `units`, `f`, `description`, `geography`, `start`, `end`, `last_updated`, `data`;
 * UTC stamps `YYYYMMDDTHH`; values as strings (demand with 14 decimal zeros, as EIA writes it), null when missing.
 * Besides the API's series it carries what a reader must skip: the local-time (`HL`) twin of every demand series,
 * a CO2 series per balancing authority with demand, and the category lines at the end. `respondents` limits the
 * file to the series those respondents report (null = the whole universe, ~1.6 GB of text from 2019 to 2026).
 */
import { DATASETS, HISTORY_START_MS, type Dataset } from '../core/catalog.js';
import { HOUR_MS } from '../core/time.js';
import { resolveOptions, type ResolvedOptions, type SimulatorOptions } from './options.js';
import { missingHours, presenceContext, seriesEnd, contains, type PresenceContext } from './presence.js';
import { respondentName } from './profiles.js';
import { Kind, allSeries, type Series } from './series.js';
import { seriesValue, valueContext, type ValueContext } from './values.js';

const DESCRIPTION_UTC =
  'Timestamps follow the ISO8601 standard (https://en.wikipedia.org/wiki/ISO_8601). Hourly representations are provided in Universal Time.';
const DESCRIPTION_LOCAL =
  'Timestamps follow the ISO8601 standard (https://en.wikipedia.org/wiki/ISO_8601). Hourly representations are provided in local time for the balancing authority or region.';
/** The simulated local clock of HL lines: a fixed offset is enough for a line every reader skips. */
const LOCAL_OFFSET_HOURS = -5;

/** The build of one bulk file: the hour it was built at (the simulated now, floored to the hour). */
export interface EbaBuild {
  readonly buildMs: number;
  readonly opts: ResolvedOptions;
}

/** The build a request at the simulated now `nowMs` gets: the file is rebuilt every simulated hour. */
export function ebaBuildAt(opts: Partial<SimulatorOptions> | ResolvedOptions, nowMs: number): EbaBuild {
  return { buildMs: Math.floor(nowMs / HOUR_MS) * HOUR_MS, opts: resolveOptions(opts as Partial<SimulatorOptions>) };
}

/** A stable tag of a build (the zip's ETag): the same options and build hour give the same bytes. */
export function ebaBuildTag(b: EbaBuild): string {
  const q = b.opts.quirks;
  return `eba-s${b.opts.seed | 0}-${new Date(b.buildMs).toISOString().slice(0, 13).replace(/[-:]/g, '')}-l${b.opts.lagHours}-${q.taxonomyChange ? 't' : 'n'}`;
}

const stamps: string[] = [];

/** `YYYYMMDDTHH` of an hour index (UTC, hour-ending like the API's period); UTC stamps are cached. */
export function ebaStamp(h: number, offsetHours = 0): string {
  if (offsetHours === 0) {
    let s = stamps[h];
    if (s === undefined) {
      s = formatStamp(h);
      if (h >= 0 && h < 200_000) stamps[h] = s;
    }
    return s;
  }
  return formatStamp(h + offsetHours);
}

function formatStamp(h: number): string {
  const d = new Date(HISTORY_START_MS + h * HOUR_MS);
  const p = (n: number) => (n < 10 ? `0${n}` : String(n));
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}T${p(d.getUTCHours())}`;
}

/** EIA's Oracle-style `last_updated` of a line: `22-SEP-26 03.15.33 PM` (UTC here). */
export function oracleStamp(ms: number): string {
  const d = new Date(ms);
  const mon = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'][d.getUTCMonth()];
  const h = d.getUTCHours();
  const p = (n: number) => (n < 10 ? `0${n}` : String(n));
  return `${p(d.getUTCDate())}-${mon}-${p(d.getUTCFullYear() % 100)} ${p(h % 12 || 12)}.${p(d.getUTCMinutes())}.${p(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`;
}

/** The bulk id of an API series (docs/eia-bulk.md §1.3). */
export function ebaSeriesId(s: Series, freq: 'H' | 'HL' = 'H'): string {
  switch (s.dataset) {
    case 'region-data':
      return `EBA.${s.respondent}-ALL.${s.code}.${freq}`;
    case 'fuel-type-data':
      return `EBA.${s.respondent}-ALL.NG.${s.code}.${freq}`;
    case 'interchange-data':
      return `EBA.${s.respondent}-${s.code}.ID.${freq}`;
    default:
      return `EBA.${s.respondent}-${s.code}.D.${freq}`;
  }
}

/** The line's `name`, worded as EIA words it. */
function ebaName(s: Series, local: boolean): string {
  const who = `${respondentName(s.respondent)} (${s.respondent})`;
  const clock = local ? 'hourly - local time' : 'hourly - UTC time';
  switch (s.dataset) {
    case 'region-data': {
      const what = { D: 'Demand', DF: 'Day-ahead demand forecast', NG: 'Net generation', TI: 'Total net actual interchange' }[s.code] ?? s.code;
      return `${what} for ${who}, ${clock}`;
    }
    case 'fuel-type-data':
      return `Net generation from ${s.name2.toLowerCase()} for ${who}, ${clock}`;
    case 'interchange-data':
      return `Actual Net Interchange for ${who} to ${respondentName(s.code)} (${s.code}), ${clock}`;
    default:
      return `Demand for ${who}, ${s.name1}, ${clock}`;
  }
}

/** The hours a series has in the build, oldest first: its span and its missing hours, as the API's plan has them. */
function seriesHours(s: Series, ctx: PresenceContext): { start: number; end: number; missing: Int32Array } {
  const start = Math.max(0, s.startHour);
  const end = Math.max(start, seriesEnd(s, ctx));
  return { start, end, missing: start < end ? missingHours(s, start, end, ctx) : new Int32Array(0) };
}

/** One series line (newest point first), or null when the series has no hour in the build. */
function seriesLine(s: Series, pctx: PresenceContext, vctx: ValueContext, lastUpdated: string, local: boolean): string | null {
  const { start, end, missing } = seriesHours(s, pctx);
  if (start >= end) return null;
  const off = local ? LOCAL_OFFSET_HOURS : 0;
  const suffix = local ? `${LOCAL_OFFSET_HOURS < 0 ? '-' : '+'}${String(Math.abs(LOCAL_OFFSET_HOURS)).padStart(2, '0')}` : '';
  const decimals = s.kind === Kind.D ? '.00000000000000' : '';
  const parts: string[] = [];
  for (let h = end - 1; h >= start; h--) {
    if (missing.length && contains(missing, h)) continue;
    const v = seriesValue(s, h, vctx);
    parts.push(`["${ebaStamp(h, off)}${suffix}",${v === null ? 'null' : `"${v}${decimals}"`}]`);
  }
  if (parts.length === 0) return null;
  const head = {
    series_id: ebaSeriesId(s, local ? 'HL' : 'H'),
    name: ebaName(s, local),
    units: 'megawatthours',
    f: local ? 'HL' : 'H',
    description: local ? DESCRIPTION_LOCAL : DESCRIPTION_UTC,
    geography: null,
    start: `${ebaStamp(start, off)}${suffix}`,
    end: `${ebaStamp(end - 1, off)}${suffix}`,
    last_updated: lastUpdated,
  };
  const json = JSON.stringify(head);
  return `${json.slice(0, -1)},"data":[${parts.join(',')}]}\n`;
}

/** A CO2 line (no API twin): emissions intensity following the BA's demand. */
function co2Line(s: Series, pctx: PresenceContext, vctx: ValueContext, lastUpdated: string): string | null {
  const { start, end } = seriesHours(s, pctx);
  if (start >= end) return null;
  const from = Math.max(start, end - 24 * 90); // EIA's CO2 series are recent
  const parts: string[] = [];
  for (let h = end - 1; h >= from; h--) {
    const v = seriesValue(s, h, vctx);
    parts.push(`["${ebaStamp(h)}",${v === null ? 'null' : `"${Math.round(v * 0.4)}"`}]`);
  }
  const head = {
    series_id: `EBA.${s.respondent}.CO2.CER.H`,
    name: `${s.respondent} Hourly CO2 Emissions Intensity Consumed`,
    units: 'CO2 metric tons',
    f: 'H',
    description: `${s.respondent} Hourly CO2 Emissions Intensity Consumed`,
    geography: null,
    start: ebaStamp(from),
    end: ebaStamp(end - 1),
    last_updated: lastUpdated,
  };
  return `${JSON.stringify(head).slice(0, -1)},"data":[${parts.join(',')}]}\n`;
}

const CATEGORY_NAMES: Readonly<Record<Dataset, string>> = {
  'region-data': 'Demand, net generation and interchange',
  'fuel-type-data': 'Net generation by energy source',
  'interchange-data': 'Interchange with directly interconnected balancing authorities',
  'region-sub-ba-data': 'Demand by subregion',
};

/**
 * The lines of `EBA.txt` for a build, in file order: every series of the four routes (each followed by its HL twin
 * when it is a demand series, and each BA's CO2 line after its demand), then the category lines.
 */
export function* ebaLines(build: EbaBuild, respondents: ReadonlySet<string> | null = null): Generator<string> {
  const { opts, buildMs } = build;
  const pctx = presenceContext(opts, buildMs);
  // The bulk file keeps the table's universe even when the API's is perturbed (`perturb`; docs/parts/simulator.md).
  const vctx = { ...valueContext(opts, buildMs), perturb: null };
  const lastUpdated = oracleStamp(buildMs);
  const taxonomy = opts.quirks.taxonomyChange;
  const children: Record<string, string[]> = {};
  for (const dataset of DATASETS) {
    const ids: string[] = (children[dataset] = []);
    for (const s of allSeries(dataset, taxonomy)) {
      if (respondents && !respondents.has(s.respondent)) continue;
      const line = seriesLine(s, pctx, vctx, lastUpdated, false);
      if (line === null) continue;
      ids.push(ebaSeriesId(s));
      yield line;
      if (dataset === 'region-data' && s.code === 'D') {
        const local = seriesLine(s, pctx, vctx, lastUpdated, true);
        if (local) yield local;
        const co2 = co2Line(s, pctx, vctx, lastUpdated);
        if (co2) yield co2;
      }
    }
  }
  yield `${JSON.stringify({ category_id: '2122628', parent_category_id: '0', name: 'U.S. Electric System Operating Data', notes: '', childseries: [] })}\n`;
  for (const [i, d] of DATASETS.entries()) {
    // A category line lists its series' ids; cut to the first 50 (only their shape matters to a reader).
    const line = { category_id: String(2122629 + i), parent_category_id: '2122628', name: CATEGORY_NAMES[d], notes: '', childseries: children[d]!.slice(0, 50) };
    yield `${JSON.stringify(line)}\n`;
  }
}
