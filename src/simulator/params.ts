/**
 * Request parameters (docs/eia-api.md §15.4): PHP-style bracket parsing of query strings and form bodies (encoded or
 * literal brackets, `[]` and `[0]`), merging with `X-Params` / JSON bodies, and validation into a `DataRequest` or the
 * documented 400 message. The parsed object doubles as the envelope's `request.params` echo: keys in the order
 * received, query values as strings, JSON values with their JSON types.
 */
import { DATASET_INFO, HISTORY_START_MS, type Dataset } from '../core/catalog.js';
import { HOUR_MS } from '../core/time.js';
import { APP_MESSAGE } from './messages.js';
import type { SortKey } from './order.js';

/** Parsed parameters, insertion-ordered (the echo). */
export type Params = Record<string, unknown>;

function decode(s: string): string {
  const plus = s.indexOf('+') >= 0 ? s.replace(/\+/g, ' ') : s;
  if (plus.indexOf('%') < 0) return plus;
  try {
    return decodeURIComponent(plus);
  } catch {
    return plus;
  }
}

function isIndex(seg: string): boolean {
  return seg === '' || /^\d+$/.test(seg);
}

function setIn(container: Record<string, unknown> | unknown[], segs: string[], value: string): void {
  const [seg, ...rest] = segs;
  if (Array.isArray(container) && !isIndex(seg)) return; // mixed list/map keys: ignored
  if (rest.length === 0) {
    if (Array.isArray(container)) {
      if (seg === '') container.push(value);
      else container[Number(seg)] = value;
    } else container[seg] = value;
    return;
  }
  const arr = Array.isArray(container);
  let child: unknown = seg === '' ? undefined : arr ? container[Number(seg)] : (container as Record<string, unknown>)[seg];
  if (child === null || typeof child !== 'object') {
    child = isIndex(rest[0]) ? [] : {};
    if (arr) {
      if (seg === '') container.push(child);
      else container[Number(seg)] = child;
    } else (container as Record<string, unknown>)[seg] = child;
  }
  setIn(child as Record<string, unknown> | unknown[], rest, value);
}

/** Parse `a=1&data[0]=value&facets%5Brespondent%5D%5B%5D=PACW…` into nested params (last scalar wins). */
export function parseQuery(qs: string, into: Params = {}): Params {
  if (!qs) return into;
  for (const pair of qs.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const k = decode(eq < 0 ? pair : pair.slice(0, eq));
    const v = eq < 0 ? '' : decode(pair.slice(eq + 1));
    const br = k.indexOf('[');
    if (br <= 0) {
      into[k] = v;
      continue;
    }
    const name = k.slice(0, br);
    const segs = [...k.slice(br).matchAll(/\[([^\]]*)\]/g)].map((m) => m[1]);
    if (segs.length === 0) {
      into[k] = v;
      continue;
    }
    let root = into[name];
    if (root === null || typeof root !== 'object') into[name] = root = isIndex(segs[0]) ? [] : {};
    setIn(root as Record<string, unknown>, segs, v);
  }
  for (const [k, v] of Object.entries(into)) if (Array.isArray(v)) into[k] = densify(v);
  return into;
}

function densify(a: unknown[]): unknown[] {
  const out = a.filter((x) => x !== undefined);
  return out.map((x) => (Array.isArray(x) ? densify(x) : x));
}

/**
 * Merge `extra` (X-Params or a JSON/form body) over `base`: later sources win, except `api_key`, where the URL
 * value wins. Keys keep the position of their first appearance.
 */
export function mergeParams(base: Params, extra: Params): Params {
  for (const [k, v] of Object.entries(extra)) {
    if (k === 'api_key' && base.api_key !== undefined && base.api_key !== '') continue;
    base[k] = v;
  }
  return base;
}

/** A validated data request. Hour indexes count from 2019-01-01T00. */
export interface DataRequest {
  readonly frequency: 'hourly' | 'local-hourly';
  /** `data` asked for `value`. */
  readonly withValue: boolean;
  readonly facets: Record<string, string[]>;
  /** First hour index (inclusive; −Infinity = open). */
  readonly startH: number;
  /** End hour index (exclusive; Infinity = open). */
  readonly endH: number;
  readonly sort: SortKey[];
  readonly offset: number;
  /** Effective page length: min(length, 5000). */
  readonly length: number;
}

/** Result of validation: a request or the application error message (sent as 400). */
export type Validated = { ok: true; req: DataRequest } | { ok: false; message: string };

const FREQUENCIES = ['hourly', 'local-hourly'] as const;
/** Maximum rows per JSON response. */
export const MAX_LENGTH = 5000;

function asList(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v;
  if (typeof v === 'object') return Object.values(v as object);
  return [v];
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** `YYYY-MM-DD`, `YYYY-MM-DDTHH` or `YYYY-MM-DDTHH±HH` → epoch ms (UTC), or undefined. */
export function parseBound(v: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?:([+-])(\d{2}))?)?$/.exec(v);
  if (!m) return undefined;
  const [y, mo, d, h] = [Number(m[1]), Number(m[2]), Number(m[3]), m[4] ? Number(m[4]) : 0];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23) return undefined;
  const ms = Date.UTC(y, mo - 1, d, h);
  if (new Date(ms).getUTCDate() !== d) return undefined;
  const off = m[5] ? (m[5] === '-' ? -1 : 1) * Number(m[6]) : 0;
  return ms - off * HOUR_MS;
}

function parseCount(name: string, v: unknown, dflt: number): number | string {
  if (v === undefined || v === null || v === '') return dflt;
  const s = str(v);
  if (!/^\d+$/.test(s)) return APP_MESSAGE.badInteger(name, s);
  return Number(s);
}

/** Validate the params of a `<route>/data` request (checks in order: frequency, data, facets, sort, dates, paging). */
export function validateDataParams(dataset: Dataset, p: Params): Validated {
  const info = DATASET_INFO[dataset];
  const fail = (message: string): Validated => ({ ok: false, message });
  const frequency = p.frequency === undefined ? 'hourly' : str(p.frequency);
  if (!(FREQUENCIES as readonly string[]).includes(frequency)) return fail(APP_MESSAGE.badFrequency(frequency, FREQUENCIES));
  const data = asList(p.data).map(str);
  for (const d of data) if (d !== 'value') return fail(APP_MESSAGE.badData(d, ['value']));
  const facets: Record<string, string[]> = {};
  const rawFacets = p.facets;
  if (rawFacets !== undefined && rawFacets !== null && typeof rawFacets === 'object' && !Array.isArray(rawFacets)) {
    for (const [id, vals] of Object.entries(rawFacets as Record<string, unknown>)) {
      if (!info.facets.includes(id)) return fail(APP_MESSAGE.badFacet(id, info.facets));
      facets[id] = asList(vals).map(str);
    }
  } else if (rawFacets !== undefined && rawFacets !== null && !Array.isArray(rawFacets)) {
    return fail(APP_MESSAGE.badFacet(str(rawFacets), info.facets));
  }
  const sortCols = ['value', 'period', ...info.facets];
  const sort: SortKey[] = [];
  for (const entry of asList(p.sort)) {
    const e = (entry !== null && typeof entry === 'object' ? entry : { column: entry }) as Record<string, unknown>;
    const column = e.column === undefined ? '' : str(e.column);
    if (!sortCols.includes(column)) return fail(APP_MESSAGE.badSortColumn(column, sortCols));
    const direction = e.direction === undefined || e.direction === '' ? 'asc' : str(e.direction);
    if (direction !== 'asc' && direction !== 'desc') return fail(APP_MESSAGE.badSortDirection(direction, column));
    sort.push({ column, direction });
  }
  let startH = -Infinity, endH = Infinity;
  if (p.start !== undefined && p.start !== null && p.start !== '') {
    const ms = parseBound(str(p.start));
    if (ms === undefined) return fail(APP_MESSAGE.badDate('start', str(p.start)));
    startH = Math.ceil((ms - HISTORY_START_MS) / HOUR_MS);
  }
  if (p.end !== undefined && p.end !== null && p.end !== '') {
    const ms = parseBound(str(p.end));
    if (ms === undefined) return fail(APP_MESSAGE.badDate('end', str(p.end)));
    endH = Math.floor((ms - HISTORY_START_MS) / HOUR_MS) + 1;
  }
  const offset = parseCount('offset', p.offset, 0);
  if (typeof offset === 'string') return fail(offset);
  const length = parseCount('length', p.length, MAX_LENGTH);
  if (typeof length === 'string') return fail(length);
  return {
    ok: true,
    req: {
      frequency: frequency as DataRequest['frequency'], withValue: data.length > 0, facets, startH, endH, sort,
      offset, length: Math.min(length, MAX_LENGTH),
    },
  };
}
