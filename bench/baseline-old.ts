/**
 * The origin project's extractor (docs/eia-api.md §14), rebuilt for comparison in our runtime (undici, the same
 * simulator):
 *
 * - `seed` — what it really did: the request list of `oldApproachPlan` (one request per region × type × 45-day
 *   batch; fuel-type-data with no fuel facet, all fuels at once), date-only `start`/`end` (read as T00, `end`
 *   inclusive: 23 hours lost per batch), `length=5000` and the first page only (no paging against `total`, so a
 *   batch above 5,000 rows is cut), 5 workers, no rate limit, no retry, no verification. Each response is stored
 *   as one raw JSON file (`{response: {data, total: data.length}}`, as the old tool stored it).
 * - `complete` — the same shape made complete: explicit `THH` bounds and fixed batches small enough per route
 *   that no request reaches the cap (`batchDays`, chosen by the caller from the largest series count). What
 *   completeness costs this shape in requests.
 *
 * Besides rows received, it counts the distinct keys it kept inside [start, end): the figure to hold against the
 * ground truth. A response whose `total` exceeds its rows was cut at the cap (`truncated`).
 *
 *   node --import tsx bench/baseline-old.ts --base-url URL --start 2019-01-01 --end 2026-01-01 \
 *     --regions CAL,ERCO,MISO,PACW,TEX --types demand,generation --out DIR [--variant seed|complete]
 *     [--batch-days region-data=45,fuel-type-data=18] [--concurrency 5]
 *
 * prints one JSON object (`OldBaselineResult`); `runOldBaseline()` returns it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { Pool } from 'undici';
import { DATASET_INFO, type Dataset, type TypeName } from '../src/core/catalog.js';
import { HOUR_MS, parseHourStamp } from '../src/core/time.js';
import { selectionsFor } from '../src/pipelines/selections.js';
import { oldApproachPlan, type OldRequest } from './lib/old-plan.js';

const gunzipAsync = promisify(gunzip);

/** The seed's workers (requests in flight). */
export const SEED_WORKERS = 5;

export type OldVariant = 'seed' | 'complete';

/** Options of `runOldBaseline`. */
export interface OldBaselineOptions {
  /** `http://127.0.0.1:N/v2`. */
  baseUrl: string;
  apiKey: string;
  startMs: number;
  endMs: number;
  regions: readonly string[];
  types: readonly TypeName[];
  /** Directory of the JSON files (created). */
  outDir: string;
  variant?: OldVariant;
  /** Days per batch per route (`complete`; the seed uses 45 everywhere). */
  batchDays?: Partial<Record<Dataset, number>>;
  /** Requests in flight (default 5, the seed's workers). */
  concurrency?: number;
}

/** Figures of one baseline run. */
export interface OldBaselineResult {
  variant: OldVariant;
  /** Days per batch per route. */
  batchDays: Partial<Record<Dataset, number>>;
  requests: number;
  /** Rows in the responses (every one written to a file). */
  rows: number;
  /** Distinct (dataset, respondent, series, period) keys received inside [start, end): what the run kept. */
  keptRows: number;
  rowsPerRequest: number;
  /** First request to last file written, ms. */
  durationMs: number;
  /** Kept rows per second. */
  rowsPerSecond: number;
  /** Hours of one series left out by date-only `end`s over the range (23 per batch). */
  lostHoursPerSeries: number;
  /** Responses whose `total` exceeds their rows: cut at the 5,000-row cap, the rest never fetched. */
  truncated: number;
  /** Non-200 answers (not retried: the old tool logged and moved on). */
  failed: number;
  filesWritten: number;
  bytesWritten: number;
  /** Peak RSS of this process (`process.resourceUsage().maxRSS`), MB. */
  peakRssMb: number;
}

/** The old tool's URL for one request of the plan. */
function oldUrl(r: OldRequest, apiKey: string): string {
  const info = DATASET_INFO[r.dataset];
  const p: string[] = ['frequency=hourly', 'data[0]=value', `facets[${info.respondentFacet}][]=${r.respondent}`];
  if (r.series !== null) p.push(`facets[${info.seriesFacet}][]=${r.series}`);
  p.push(`start=${r.start}`, `end=${r.end}`, 'sort[0][column]=period', 'sort[0][direction]=asc', 'offset=0', 'length=5000', `api_key=${apiKey}`);
  return `/${info.route}/data/?${p.map((kv) => kv.replace(/\[/g, '%5B').replace(/\]/g, '%5D')).join('&')}`;
}

/** Distinct keys inside the range: one bit per hour per series (memory: hours ÷ 8 bytes per series). */
function keyCounter(startMs: number, endMs: number) {
  const hours = Math.ceil((endMs - startMs) / HOUR_MS);
  const bits = new Map<string, Uint8Array>();
  let kept = 0;
  return {
    add(series: string, period: unknown): void {
      const ms = typeof period === 'string' ? parseHourStamp(period) : undefined;
      if (ms === undefined || ms < startMs || ms >= endMs) return;
      let b = bits.get(series);
      if (!b) bits.set(series, (b = new Uint8Array((hours + 7) >> 3)));
      const h = (ms - startMs) / HOUR_MS;
      if (b[h >> 3] & (1 << (h & 7))) return;
      b[h >> 3] |= 1 << (h & 7);
      kept++;
    },
    get kept() {
      return kept;
    },
  };
}

/** Run the old approach against `baseUrl` and return its figures. */
export async function runOldBaseline(o: OldBaselineOptions): Promise<OldBaselineResult> {
  const variant = o.variant ?? 'seed';
  const selections = selectionsFor(o.types, o.regions);
  const batchDays: Partial<Record<Dataset, number>> = Object.fromEntries(selections.map((s) => [s.dataset, variant === 'seed' ? 45 : (o.batchDays?.[s.dataset] ?? 45)]));
  const requests = oldApproachPlan(selections, { startMs: o.startMs, endMs: o.endMs }, { batchDays, hourEnds: variant === 'complete' });
  await mkdir(o.outDir, { recursive: true });
  const base = new URL(o.baseUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  const workers = o.concurrency ?? SEED_WORKERS;
  const pool = new Pool(base.origin, { connections: workers });
  const keys = keyCounter(o.startMs, o.endMs);
  let rows = 0, truncated = 0, failed = 0, files = 0, bytesWritten = 0, next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < requests.length) {
      const r = requests[next++];
      const res = await pool.request({ method: 'GET', path: prefix + oldUrl(r, o.apiKey), headers: { 'accept-encoding': 'gzip' } });
      let body = Buffer.from(await res.body.arrayBuffer());
      if (res.statusCode !== 200) {
        failed++;
        continue;
      }
      if (/gzip/.test(String(res.headers['content-encoding'] ?? ''))) body = await gunzipAsync(body);
      const json = JSON.parse(body.toString('utf8')) as { response?: { data?: Array<Record<string, unknown>>; total?: unknown } };
      const data = json.response?.data ?? [];
      rows += data.length;
      if (Number(json.response?.total ?? data.length) > data.length) truncated++;
      const info = DATASET_INFO[r.dataset];
      for (const row of data) keys.add(`${r.dataset}|${String(row[info.respondentFacet])}|${String(row[info.seriesFacet])}`, row.period);
      const text = JSON.stringify({ response: { data, total: data.length } });
      const name = `eia_${r.dataset}_${r.respondent}_${r.series ?? 'all'}_${r.start}_to_${r.end}.json`;
      await writeFile(path.join(o.outDir, name), text);
      files++;
      bytesWritten += Buffer.byteLength(text);
    }
  };
  try {
    await Promise.all(Array.from({ length: workers }, worker));
  } finally {
    await pool.close();
  }
  const durationMs = performance.now() - t0;
  const first = requests[0];
  const lostHoursPerSeries = first
    ? requests.filter((r) => r.dataset === first.dataset && r.respondent === first.respondent && r.series === first.series).reduce((n, r) => n + r.lostHours, 0)
    : 0;
  return {
    variant,
    batchDays,
    requests: requests.length,
    rows,
    keptRows: keys.kept,
    rowsPerRequest: requests.length ? Math.round(rows / requests.length) : 0,
    durationMs: Math.round(durationMs),
    rowsPerSecond: Math.round(keys.kept / (durationMs / 1000)),
    lostHoursPerSeries,
    truncated,
    failed,
    filesWritten: files,
    bytesWritten,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : fallback;
  if (v === undefined) throw new Error(`bench/baseline-old.ts: --${name} is required`);
  return v;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const variant = arg('variant', 'seed');
  if (variant !== 'seed' && variant !== 'complete') throw new Error(`bench/baseline-old.ts: --variant takes seed or complete (got '${variant}')`);
  const batchDays = Object.fromEntries(
    arg('batch-days', '')
      .split(',')
      .filter(Boolean)
      .map((kv) => kv.split('='))
      .map(([k, v]) => [k, Number(v)]),
  ) as Partial<Record<Dataset, number>>;
  const r = await runOldBaseline({
    baseUrl: arg('base-url'),
    apiKey: process.env.EIA_API_KEY ?? 'BENCHKEY0123456789abcdef',
    startMs: Date.parse(`${arg('start')}T00:00:00Z`),
    endMs: Date.parse(`${arg('end')}T00:00:00Z`),
    regions: arg('regions').split(','),
    types: arg('types').split(',') as TypeName[],
    outDir: arg('out'),
    variant,
    batchDays,
    concurrency: Number(arg('concurrency', String(SEED_WORKERS))),
  });
  process.stdout.write(`${JSON.stringify(r)}\n`);
}
