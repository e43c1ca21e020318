/**
 * The old extractor's approach, rebuilt for comparison (docs/eia-api.md §14): one request per region × series ×
 * 45-day batch (`oldApproachPlan`), date-only `start`/`end` (the API reads the `end` date as `T00`, so 23 hours
 * are lost at every batch boundary), `length=5000`, no paging against `total`, no verification, no rate limit,
 * and raw JSON files only (the response re-wrapped as `{response: {data, total: data.length}}`, as the old tool
 * stored it). HTTP via an undici Pool with `concurrency` requests in flight (the old tool fired every batch at
 * once through a thread pool); gzip is accepted and decoded, as Python's `requests` does.
 *
 * No batch of the plan can exceed 5,000 rows (≤ 45 × 24 + 1 hours of one series), so one request per batch
 * returns the whole batch; responses of exactly 5,000 rows are still counted as `possiblyTruncated`.
 *
 *   node --import tsx bench/baseline-old.ts --base-url URL --start 2019-01-01 --end 2026-01-01 \
 *     --regions CAL,ERCO,MISO,PACW,TEX --types demand,generation --out DIR [--concurrency 8]
 *
 * prints one JSON object (`OldBaselineResult`); `runOldBaseline()` returns it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { Pool } from 'undici';
import { DATASET_INFO } from '../src/core/catalog.js';
import { selectionsFor, type TypeName } from '../src/pipelines/selections.js';
import { oldApproachPlan, type OldRequest } from '../src/sources/eia/old-plan.js';

const gunzipAsync = promisify(gunzip);

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
  /** Requests in flight (default 8, the pipeline's default concurrency). */
  concurrency?: number;
}

/** Figures of one baseline run. */
export interface OldBaselineResult {
  requests: number;
  /** Rows in the responses (every one written to a file). */
  rows: number;
  rowsPerRequest: number;
  /** First request to last file written, ms. */
  durationMs: number;
  rowsPerSecond: number;
  /** Hours of one series dropped by date-only `end`s over the range (23 per batch boundary). */
  lostHoursPerSeries: number;
  /** Rows the plan says the date-only `end`s dropped (Σ lostHours over requests, before publication gaps). */
  plannedLostRows: number;
  /** Responses with exactly 5,000 rows (would have been cut at the page cap). */
  possiblyTruncated: number;
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
  if (!r.series.startsWith('#')) p.push(`facets[${info.seriesFacet}][]=${r.series}`);
  p.push(`start=${r.start}`, `end=${r.end}`, 'sort[0][column]=period', 'sort[0][direction]=asc', 'offset=0', 'length=5000', `api_key=${apiKey}`);
  return `/${info.route}/data/?${p.map((kv) => kv.replace(/\[/g, '%5B').replace(/\]/g, '%5D')).join('&')}`;
}

/** Run the old approach against `baseUrl` and return its figures. */
export async function runOldBaseline(o: OldBaselineOptions): Promise<OldBaselineResult> {
  const plan = oldApproachPlan(selectionsFor(o.types, o.regions), { startMs: o.startMs, endMs: o.endMs });
  // A series-less request (`#n`: the old tool's route-level request) is sent once per respondent and batch.
  const seen = new Set<string>();
  const requests = plan.filter((r) => {
    if (!r.series.startsWith('#')) return true;
    const k = `${r.dataset}|${r.respondent}|${r.start}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  await mkdir(o.outDir, { recursive: true });
  const base = new URL(o.baseUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  const pool = new Pool(base.origin, { connections: o.concurrency ?? 8 });
  let rows = 0, possiblyTruncated = 0, failed = 0, files = 0, bytesWritten = 0, next = 0;
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
      const json = JSON.parse(body.toString('utf8')) as { response?: { data?: unknown[] } };
      const data = json.response?.data ?? [];
      rows += data.length;
      if (data.length === 5000) possiblyTruncated++;
      const text = JSON.stringify({ response: { data, total: data.length } });
      const name = `eia_${r.dataset}_${r.respondent}_${r.series.replace('#', 'all')}_${r.start}_to_${r.end}.json`;
      await writeFile(path.join(o.outDir, name), text);
      files++;
      bytesWritten += Buffer.byteLength(text);
    }
  };
  try {
    await Promise.all(Array.from({ length: o.concurrency ?? 8 }, worker));
  } finally {
    await pool.close();
  }
  const durationMs = performance.now() - t0;
  const first = plan.find((r) => r.dataset === plan[0]?.dataset && r.respondent === plan[0]?.respondent && r.series === plan[0]?.series);
  const lostHoursPerSeries = first
    ? plan.filter((r) => r.dataset === first.dataset && r.respondent === first.respondent && r.series === first.series).reduce((n, r) => n + r.lostHours, 0)
    : 0;
  return {
    requests: requests.length,
    rows,
    rowsPerRequest: requests.length ? Math.round(rows / requests.length) : 0,
    durationMs: Math.round(durationMs),
    rowsPerSecond: Math.round(rows / (durationMs / 1000)),
    lostHoursPerSeries,
    plannedLostRows: requests.reduce((n, r) => n + r.lostHours, 0),
    possiblyTruncated,
    failed,
    filesWritten: files,
    bytesWritten,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

function arg(name: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : undefined;
  if (v === undefined) throw new Error(`bench/baseline-old.ts: --${name} is required`);
  return v;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const r = await runOldBaseline({
    baseUrl: arg('base-url'),
    apiKey: process.env.EIA_API_KEY ?? 'BENCHKEY0123456789abcdef',
    startMs: Date.parse(`${arg('start')}T00:00:00Z`),
    endMs: Date.parse(`${arg('end')}T00:00:00Z`),
    regions: arg('regions').split(','),
    types: arg('types').split(',') as TypeName[],
    outDir: arg('out'),
    concurrency: process.argv.includes('--concurrency') ? Number(arg('concurrency')) : 8,
  });
  process.stdout.write(`${JSON.stringify(r)}\n`);
}
