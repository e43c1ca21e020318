/**
 * The simulator's six-month Grid Monitor CSVs (docs/eia-bulk.md §2): `EIA930_{BALANCE,INTERCHANGE,SUBREGION}_<YYYY>_
 * <half>.csv`, generated from the same series universe, presence and value model as the API routes and EBA.txt, so
 * the reported value of a (respondent, series, hour) equals the API's `value` for the same key, from 2015-07-01 on.
 *
 * The real files' quirks, each deterministic:
 * - **Headers by half-year** (docs/eia-bulk.md §2.2): no per-fuel columns before 2018 Jul_Dec; the eight 2018
 *   fuels (hydro with pumped storage, solar, wind) to 2024 Jan_Jun; from 2024 Jul_Dec the split fuels (with/without
 *   storage, battery, geothermal, pumped, other/unknown storage) with EIA's "Solar witho … (Adjusted)" typo; Unknown
 *   Fuel Sources gets its Imputed/Adjusted twins from 2025 Jan_Jun. A fuel the header of a half lacks is not in
 *   that file (as in EIA's: per-fuel data begins in 2018-07).
 * - **Numbers**: files of 2020 and before write values ≥ 1,000 with a thousands separator, quoted (`"1,060"`),
 *   later ones plain, as the copies downloaded in 2024 and 2026 do.
 * - **Seams**: a file holds every hour whose start lies on a date of its half-year, by the BA's local date (US
 *   daylight saving rules) or by the UTC date, so the hours between UTC and local midnight at a seam are in both
 *   neighbouring files, as EIA's local-date split leaves them.
 * - **Reported, adjusted, imputed** (§2.4): reported is the API's value (blank where the API's value is null, and
 *   no value at all in an hour the API has no row for). Imputed is filled only where EIA would impute: the reported
 *   value is missing, or a demand is zero or negative; it is the model's value before the reporting quirks
 *   (`baseValue`, rounded). Adjusted is the imputed value where there is one, else the reported value. Demand
 *   forecast, Unknown Fuel Sources (before 2025), interchange and sub-region demand have no twins.
 *
 * Pure and lazy: `gridMonitorCsv` yields text chunks of a few hundred rows, so a 50 MB file never exists in memory.
 */
import { DATASETS, type Dataset } from '../core/catalog.js';
import { RESPONDENT_INFO } from '../core/respondents.js';
import { publishedSixMonthFiles, type SixMonthFile, type SixMonthKind } from '../core/six-month-files.js';
import { HOUR_MS } from '../core/time.js';
import { HISTORY_START_MS } from '../core/catalog.js';
import type { EbaBuild } from './bulk-eba.js';
import { contains, missingHours, presenceContext, seriesEnd, type PresenceContext } from './presence.js';
import { PROFILES } from './profiles.js';
import { Kind, allSeries, type Series } from './series.js';
import { baseValue, seriesValue, valueContext, type ValueContext } from './values.js';

/** Half-year ordinal (2015 Jul_Dec = 4031): compares header eras. */
const ord = (year: number, half: string) => year * 2 + (half === 'Jan_Jun' ? 0 : 1);
const FUELS_FROM = ord(2018, 'Jul_Dec');
const SPLIT_FROM = ord(2024, 'Jul_Dec');
const UNK_TWINS_FROM = ord(2025, 'Jan_Jun');
const PLAIN_NUMBERS_FROM = ord(2021, 'Jan_Jun');

/** The per-fuel columns of an era: header name → fuel code; `twins` = has Imputed and Adjusted columns. */
const FUELS_2018: readonly [string, string][] = [
  ['Coal', 'COL'], ['Natural Gas', 'NG'], ['Nuclear', 'NUC'], ['All Petroleum Products', 'OIL'],
  ['Hydropower and Pumped Storage', 'WAT'], ['Solar', 'SUN'], ['Wind', 'WND'], ['Other Fuel Sources', 'OTH'],
];
const FUELS_2024: readonly [string, string][] = [
  ['Coal', 'COL'], ['Natural Gas', 'NG'], ['Nuclear', 'NUC'], ['All Petroleum Products', 'OIL'],
  ['Hydropower Excluding Pumped Storage', 'WAT'], ['Solar Without Integrated Battery Storage', 'SUN'],
  ['Solar With Integrated Battery Storage', 'SNB'], ['Wind Without Integrated Battery Storage', 'WND'],
  ['Wind With Integrated Battery Storage', 'WNB'], ['Battery Storage', 'BAT'], ['Geothermal', 'GEO'],
  ['Pumped Storage', 'PS'], ['Other Energy Storage', 'OES'], ['Unknown Energy Storage', 'UES'],
  ['Other Fuel Sources', 'OTH'],
];

type Variant = 'reported' | 'imputed' | 'adjusted';
/** A header column: a fixed field, or a value of (dataset, series code, variant). */
type Column =
  | { readonly field: 'ba' | 'date' | 'hour' | 'local' | 'utc' | 'region' | 'dibas' | 'counterpart' | 'cpRegion' }
  | { readonly field: 'value'; readonly dataset: Dataset; readonly code: string | null; readonly variant: Variant };

/** The header of a file, as names and column roles. */
export function gridMonitorHeader(file: Pick<SixMonthFile, 'kind' | 'year' | 'half'>): { names: string[]; columns: Column[] } {
  const names: string[] = [];
  const columns: Column[] = [];
  const f = (name: string, c: Column) => void (names.push(name), columns.push(c));
  const v = (name: string, dataset: Dataset, code: string | null, variant: Variant) => f(name, { field: 'value', dataset, code, variant });
  const head = () => {
    f('Balancing Authority', { field: 'ba' });
    f('Data Date', { field: 'date' });
    f('Hour Number', { field: 'hour' });
  };
  const times = () => {
    f('Local Time at End of Hour', { field: 'local' });
    f('UTC Time at End of Hour', { field: 'utc' });
  };
  if (file.kind === 'INTERCHANGE') {
    head();
    f('Directly Interconnected Balancing Authority', { field: 'counterpart' });
    v('Interchange (MW)', 'interchange-data', null, 'reported');
    times();
    f('Region', { field: 'region' });
    f('DIBA_Region', { field: 'cpRegion' });
    return { names, columns };
  }
  if (file.kind === 'SUBREGION') {
    head();
    f('Sub-Region', { field: 'counterpart' });
    v('Demand (MW)', 'region-sub-ba-data', null, 'reported');
    times();
    return { names, columns };
  }
  const era = ord(file.year, file.half);
  head();
  times();
  v('Demand Forecast (MW)', 'region-data', 'DF', 'reported');
  v('Demand (MW)', 'region-data', 'D', 'reported');
  v('Net Generation (MW)', 'region-data', 'NG', 'reported');
  v('Total Interchange (MW)', 'region-data', 'TI', 'reported');
  f('Sum(Valid DIBAs) (MW)', { field: 'dibas' });
  for (const variant of ['imputed', 'adjusted'] as const) {
    const suffix = variant === 'imputed' ? ' (Imputed)' : ' (Adjusted)';
    v(`Demand (MW)${suffix}`, 'region-data', 'D', variant);
    v(`Net Generation (MW)${suffix}`, 'region-data', 'NG', variant);
    v(`Total Interchange (MW)${suffix}`, 'region-data', 'TI', variant);
  }
  if (era >= FUELS_FROM) {
    const fuels = era >= SPLIT_FROM ? FUELS_2024 : FUELS_2018;
    const unkTwins = era >= UNK_TWINS_FROM;
    for (const [name, code] of fuels) v(`Net Generation (MW) from ${name}`, 'fuel-type-data', code, 'reported');
    v('Net Generation (MW) from Unknown Fuel Sources', 'fuel-type-data', 'UNK', 'reported');
    for (const variant of ['imputed', 'adjusted'] as const) {
      for (const [name, code] of fuels) {
        // EIA's own spelling of this one header since 2024 Jul_Dec.
        const n = variant === 'adjusted' && code === 'SNB' ? 'Solar witho Integrated Battery Storage' : name;
        v(`Net Generation (MW) from ${n} (${variant === 'imputed' ? 'Imputed' : 'Adjusted'})`, 'fuel-type-data', code, variant);
      }
      if (unkTwins) v(`Net Generation (MW) from Unknown Fuel Sources (${variant === 'imputed' ? 'Imputed' : 'Adjusted'})`, 'fuel-type-data', 'UNK', variant);
    }
  }
  f('Region', { field: 'region' });
  return { names, columns };
}

// ───────────────────────────── local time ─────────────────────────────

const dstCache = new Map<number, [number, number]>();
/** UTC instants of the US daylight-saving change of `year` for a zone of standard offset `std` (2007 rules). */
function dstSpan(year: number, std: number): [number, number] {
  const k = year * 100 + std;
  let s = dstCache.get(k);
  if (!s) {
    const sunday = (month: number, nth: number) => {
      const first = new Date(Date.UTC(year, month, 1)).getUTCDay();
      return 1 + ((7 - first) % 7) + 7 * (nth - 1);
    };
    // 02:00 local standard time → UTC; ends at 02:00 local daylight time.
    s = [Date.UTC(year, 2, sunday(2, 2), 2) - std * HOUR_MS, Date.UTC(year, 10, sunday(10, 1), 2) - (std + 1) * HOUR_MS];
    dstCache.set(k, s);
  }
  return s;
}

/** Offset (hours) of a respondent's clock at UTC instant `ms`. */
export function localOffsetHours(code: string, std: number, ms: number): number {
  const zone = RESPONDENT_INFO[code]?.timeZone;
  if (!zone || zone === 'America/Phoenix' || !zone.startsWith('America/')) return std;
  const [a, b] = dstSpan(new Date(ms).getUTCFullYear(), std);
  return ms >= a && ms < b ? std + 1 : std;
}

const p2 = (n: number) => (n < 10 ? `0${n}` : String(n));
/** `MM/DD/YYYY`. */
function mdy(d: Date): string {
  return `${p2(d.getUTCMonth() + 1)}/${p2(d.getUTCDate())}/${d.getUTCFullYear()}`;
}
/** `MM/DD/YYYY h:mm:ss AM|PM` of a wall-clock instant. */
export function gridMonitorTime(ms: number): string {
  const d = new Date(ms);
  const h = d.getUTCHours();
  return `${mdy(d)} ${h % 12 || 12}:00:00 ${h < 12 ? 'AM' : 'PM'}`;
}

/** A number as the file writes it: thousands separators (quoted) in older files. */
function num(v: number, separators: boolean): string {
  if (!separators || (v < 1000 && v > -1000)) return String(v);
  const t = String(Math.abs(v));
  let out = t.slice(0, t.length % 3 || 3);
  for (let i = t.length % 3 || 3; i < t.length; i += 3) out += `,${t.slice(i, i + 3)}`;
  return `"${v < 0 ? '-' : ''}${out}"`;
}

// ───────────────────────────── rows ─────────────────────────────

/** The hour span of a file for a respondent, as hour indexes of UTC end-of-hour stamps [from, to). */
function fileHours(file: SixMonthFile, code: string, std: number): [number, number] {
  const h = (ms: number) => (ms - HISTORY_START_MS) / HOUR_MS;
  // Hours whose start is on a date of the half: stamps (midnight, next midnight]; by UTC, and by local date.
  const offFrom = localOffsetHours(code, std, file.fromMs);
  const offTo = localOffsetHours(code, std, file.toMs);
  const from = Math.min(h(file.fromMs), h(file.fromMs) - offFrom) + 1;
  const to = Math.max(h(file.toMs), h(file.toMs) - offTo) + 1;
  return [from, to];
}

/** Reported, imputed and adjusted cells of a series at hour h ('' = blank); null when the API has no row. */
function cells(s: Series, h: number, vctx: ValueContext): [number | null, number | null, number | null] {
  const v = seriesValue(s, h, vctx);
  const impute = v === null || (s.kind === Kind.D && v <= 0);
  const imputed = impute ? Math.max(0, Math.round(baseValue(s, h, vctx.seed, vctx.taxonomy))) : null;
  return [v, imputed, imputed ?? v];
}

interface Live {
  readonly s: Series;
  /** Exclusive end hour of the series' rows in this build (life and publication edge). */
  readonly end: number;
  readonly missing: Int32Array;
}

function liveOf(s: Series, from: number, to: number, pctx: PresenceContext): Live | null {
  const a = Math.max(from, s.startHour);
  const end = Math.min(to, seriesEnd(s, pctx));
  return a < end ? { s, end, missing: missingHours(s, a, end, pctx) } : null;
}

const has = (l: Live | null | undefined, h: number): l is Live =>
  !!l && h >= l.s.startHour && h < l.end && !(l.missing.length && contains(l.missing, h));

/** Rows per yielded chunk. */
const CHUNK_ROWS = 512;

/**
 * The text of one file at a build, in chunks: the header line, then the rows by respondent (code order) and hour
 * (and counterpart, for INTERCHANGE and SUBREGION). `respondents` limits the rows (null = all).
 */
export function* gridMonitorCsv(build: EbaBuild, file: SixMonthFile, respondents: ReadonlySet<string> | null = null): Generator<string> {
  const { opts, buildMs } = build;
  const pctx = presenceContext(opts, buildMs);
  // The six-month files keep the table's universe even when the API's is perturbed (`perturb`).
  const vctx = { ...valueContext(opts, buildMs), perturb: null };
  const taxonomy = opts.quirks.taxonomyChange;
  const { names, columns } = gridMonitorHeader(file);
  yield `${names.map((n) => `"${n}"`).join(',')}\n`;
  const separators = ord(file.year, file.half) < PLAIN_NUMBERS_FROM;
  const byResp = seriesByRespondent(file.kind, taxonomy);
  let out: string[] = [];
  for (const [code, list] of byResp) {
    if (respondents && !respondents.has(code)) continue;
    const profile = PROFILES.get(code) ?? list[0]!.profile;
    const std = profile.tz;
    const [from, to] = fileHours(file, code, std);
    const region = RESPONDENT_INFO[code]?.region ?? code;
    if (file.kind === 'BALANCE') {
      const live = new Map<string, Live | null>();
      for (const s of list) live.set(`${s.dataset}|${s.code}`, liveOf(s, from, to, pctx));
      const alive = [...live.values()].filter((l): l is Live => l !== null);
      if (alive.length === 0) continue;
      const first = Math.max(from, Math.min(...alive.map((l) => l.s.startHour)));
      const last = Math.max(...alive.map((l) => l.end));
      for (let h = first; h < last; h++) {
        const stamp = HISTORY_START_MS + h * HOUR_MS;
        const local = stamp + localOffsetHours(code, std, stamp - HOUR_MS) * HOUR_MS;
        const cache = new Map<Live, [number | null, number | null, number | null]>();
        let ti: number | null = null;
        const row: string[] = [];
        for (const c of columns) {
          switch (c.field) {
            case 'ba': row.push(code); break;
            case 'date': row.push(mdy(new Date(local - HOUR_MS))); break;
            case 'hour': row.push(String(new Date(local - HOUR_MS).getUTCHours() + 1)); break;
            case 'local': row.push(gridMonitorTime(local)); break;
            case 'utc': row.push(gridMonitorTime(stamp)); break;
            case 'region': row.push(region); break;
            case 'dibas': row.push(ti === null ? '' : num(ti, separators)); break;
            case 'value': {
              const l = live.get(`${c.dataset}|${c.code}`);
              if (!has(l, h)) {
                row.push('');
                break;
              }
              let cs = cache.get(l);
              if (!cs) cache.set(l, (cs = cells(l.s, h, vctx)));
              const x = cs[c.variant === 'reported' ? 0 : c.variant === 'imputed' ? 1 : 2];
              if (c.variant === 'reported' && c.code === 'TI') ti = x;
              row.push(x === null ? '' : num(x, separators));
              break;
            }
            default: row.push('');
          }
        }
        out.push(row.join(','));
        if (out.length >= CHUNK_ROWS) {
          yield `${out.join('\n')}\n`;
          out = [];
        }
      }
    } else {
      // One row per counterpart and hour: interchange with each neighbour, or each sub-region's demand.
      const lives = list.map((s) => liveOf(s, from, to, pctx)).filter((l): l is Live => l !== null);
      if (lives.length === 0) continue;
      const first = Math.max(from, Math.min(...lives.map((l) => l.s.startHour)));
      const last = Math.max(...lives.map((l) => l.end));
      for (let h = first; h < last; h++) {
        const stamp = HISTORY_START_MS + h * HOUR_MS;
        const local = stamp + localOffsetHours(code, std, stamp - HOUR_MS) * HOUR_MS;
        const date = mdy(new Date(local - HOUR_MS));
        const hour = String(new Date(local - HOUR_MS).getUTCHours() + 1);
        const lt = gridMonitorTime(local), ut = gridMonitorTime(stamp);
        for (const l of lives) {
          if (h < l.s.startHour || h >= l.end) continue;
          const v = has(l, h) ? seriesValue(l.s, h, vctx) : null;
          const cell = v === null ? '' : num(v, separators);
          out.push(
            file.kind === 'INTERCHANGE'
              ? [code, date, hour, l.s.code, cell, lt, ut, region, RESPONDENT_INFO[l.s.code]?.region ?? l.s.code].join(',')
              : [code, date, hour, l.s.code, cell, lt, ut].join(','),
          );
          if (out.length >= CHUNK_ROWS) {
            yield `${out.join('\n')}\n`;
            out = [];
          }
        }
      }
    }
  }
  if (out.length) yield `${out.join('\n')}\n`;
}

const groupCache = new Map<string, Map<string, Series[]>>();
/** The series a file kind draws on, grouped by reporting respondent (code order; counterparts in code order). */
function seriesByRespondent(kind: SixMonthKind, taxonomy: boolean): Map<string, Series[]> {
  const k = `${kind}|${taxonomy}`;
  let m = groupCache.get(k);
  if (m) return m;
  const datasets: Dataset[] =
    kind === 'BALANCE' ? ['region-data', 'fuel-type-data'] : kind === 'INTERCHANGE' ? ['interchange-data'] : ['region-sub-ba-data'];
  m = new Map();
  for (const d of DATASETS) {
    if (!datasets.includes(d)) continue;
    for (const s of allSeries(d, taxonomy)) {
      let list = m.get(s.respondent);
      if (!list) m.set(s.respondent, (list = []));
      list.push(s);
    }
  }
  for (const list of m.values()) list.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  m = new Map([...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  groupCache.set(k, m);
  return m;
}

/** The files published at a build: every half-year of each kind up to the one holding the last published hour. */
export function gridMonitorFiles(build: EbaBuild): SixMonthFile[] {
  const last = HISTORY_START_MS + presenceContext(build.opts, build.buildMs).lastHour * HOUR_MS;
  return (['BALANCE', 'INTERCHANGE', 'SUBREGION'] as const).flatMap((k) => publishedSixMonthFiles(k, last));
}

/**
 * Whether a file's content no longer changes with the build: its last hour lies behind the publication edge and the
 * revision window by a margin (a month), so its tag can stay the same across builds (conditional GETs answer 304).
 */
export function gridMonitorFileFinal(build: EbaBuild, file: SixMonthFile): boolean {
  const lastHour = presenceContext(build.opts, build.buildMs).lastHour;
  const q = build.opts.quirks;
  const settled = lastHour - q.publicationLagMaxHours - 48 - q.revisionHorizonHours - 30 * 24;
  return (file.toMs - HISTORY_START_MS) / HOUR_MS + 24 < settled;
}

/** The EIA930_File_List_Meta.csv of a build: `YEAR,PERIOD,FILENAME,DESCRIPTION` as EIA lists its files. */
export function gridMonitorFileList(build: EbaBuild): string {
  const rows = gridMonitorFiles(build).map((f) => `${f.year},${f.half === 'Jan_Jun' ? 1 : 2},${f.name},${f.kind.toLowerCase()}`);
  return `YEAR,PERIOD,FILENAME,DESCRIPTION\n${rows.join('\n')}\n`;
}
