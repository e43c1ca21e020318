/**
 * Bench of the transforms: parse + validate + normalize of 1M EIA-shaped rows in 5,000-row pages, on one
 * core (the main thread), and stream-json against `JSON.parse` on the same pages.
 *
 *   npx tsx bench/transforms.ts            # prints the figures as JSON
 *   import { benchTransforms } from './transforms.js'   # from bench/run.ts
 *
 * Pages are synthesized here: fuel-type-data, 10 BAs × 8 fuels per hour, sorted by period, `value` as strings
 * (with ~0.5% null and night-time negative SUN/WND), the 2.1.8 envelope with the "incomplete return" warning.
 * A pool of distinct page bodies is cycled so that page generation is not timed and the bodies held in memory do
 * not dominate peak RSS. Figures are wall-clock on a shared machine: compare ratios measured in one run.
 */
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import chain from 'stream-chain';
import { parser } from 'stream-json';
import { pick } from 'stream-json/filters/pick.js';
import { streamArray } from 'stream-json/streamers/stream-array.js';
import type { FetchedPage, SourceItem, WorkUnit } from '../src/core/contracts.js';
import { FUEL_TYPES, RESPONDENTS, type Dataset } from '../src/core/catalog.js';
import { HOUR_MS, formatHourStamp } from '../src/core/time.js';
import { parseEnvelope } from '../src/sources/eia/envelope.js';
import { validateNormalize } from '../src/transforms/validate-normalize.js';
import { validatePage } from '../src/transforms/validate.js';

/** Bench knobs; the defaults are the issue's: 200 pages × 5,000 rows. */
export interface TransformsBenchOptions {
  /** Pages pushed through the pipeline. Default 200. */
  readonly pages?: number;
  /** Rows per page (the API's cap is 5,000). Default 5000. */
  readonly rowsPerPage?: number;
  /** Distinct page bodies synthesized and cycled. Default 20. */
  readonly poolPages?: number;
  /** Pages used for the stream-json vs JSON.parse comparison (stream-json is slow). Default 20. */
  readonly parseComparePages?: number;
  /** Repeats of each measurement (pipeline, validate+normalize, parse); medians are reported. Default 3. */
  readonly repeats?: number;
}

/** The figures, all from one run. */
export interface TransformsBenchResult {
  readonly rows: number;
  readonly pages: number;
  readonly rowsPerPage: number;
  readonly bytesPerRow: number;
  /** Each page's body parsed (`parseEnvelope`, as a source does) → validateNormalize, over every page. */
  readonly pipeline: {
    /** Median over `repeats` runs of the whole page set. */
    readonly rowsPerSec: number;
    /** Each run's rows/s, in order. */
    readonly rowsPerSecRuns: readonly number[];
    readonly seconds: number;
    readonly records: number;
    readonly quarantined: number;
    readonly duplicates: number;
    /** Highest RSS sampled after each page, MB. */
    readonly peakRssMb: number;
    /** RSS before the run (pool of bodies and runtime included), MB. */
    readonly baselineRssMb: number;
  };
  /** `validatePage` alone on already-parsed rows (median pass over the pool, after a warm-up pass). */
  readonly validateNormalizeRowsPerSec: number;
  /** Parsing the same pages: `parseEnvelope` (JSON.parse) vs stream-json's best configuration. */
  readonly parse: {
    readonly pages: number;
    readonly jsonParseRowsPerSec: number;
    readonly jsonParseMbPerSec: number;
    readonly streamJsonRowsPerSec: number;
    readonly streamJsonMbPerSec: number;
    /** jsonParse ÷ streamJson rows/s. */
    readonly jsonParseOverStreamJson: number;
    readonly streamJsonConfig: string;
  };
  readonly targetRowsPerSec: number;
  readonly meetsTarget: boolean;
}

const BAS = ['CISO', 'ERCO', 'MISO', 'PJM', 'NYIS', 'ISNE', 'SWPP', 'BPAT', 'PACW', 'PACE'];
const FUELS = ['COL', 'NG', 'NUC', 'OIL', 'OTH', 'SUN', 'WAT', 'WND'];
const START_MS = Date.UTC(2024, 0, 1, 0);
const DESCRIPTION = 'Hourly net generation by balancing authority and energy source.  \n    Source: Form EIA-930\n    Product: Hourly Electric Grid Monitor';
const WARNING = { warning: 'incomplete return', description: 'The API can only return 5000 rows in JSON format.  Please consider constraining your request with facet, start, or end, or using offset to paginate results.' };

/** Deterministic 32-bit mix. */
function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

/** One synthesized page body, rows `[pageIndex·n, (pageIndex+1)·n)` of an endless sorted result. */
export function synthesizePage(pageIndex: number, rowsPerPage: number, total: number): Buffer {
  const perHour = BAS.length * FUELS.length;
  const rows: string[] = [];
  for (let k = 0; k < rowsPerPage; k++) {
    const g = pageIndex * rowsPerPage + k;
    const hour = Math.floor(g / perHour);
    const ba = BAS[Math.floor((g % perHour) / FUELS.length)];
    const fuel = FUELS[g % FUELS.length];
    const r = mix(g);
    const night = hour % 24 < 6;
    let value: string | null;
    if (r % 200 === 0) value = null;
    else if ((fuel === 'SUN' || fuel === 'WND') && night) value = String(-(r % 40));
    else value = String(100 + (r % 20_000));
    rows.push(
      JSON.stringify({
        period: formatHourStamp(START_MS + hour * HOUR_MS),
        respondent: ba,
        'respondent-name': RESPONDENTS[ba]?.name ?? ba,
        fueltype: fuel,
        'type-name': FUEL_TYPES[fuel],
        value,
        'value-units': 'megawatthours',
      }),
    );
  }
  const head = `{"warnings":[${JSON.stringify(WARNING)}],"response":{"total":"${total}","dateFormat":"YYYY-MM-DD\\"T\\"HH24","frequency":"hourly","data":[`;
  const tail = `],"description":${JSON.stringify(DESCRIPTION)}},"request":{"command":"\\/v2\\/electricity\\/rto\\/fuel-type-data\\/data\\/","params":{"frequency":"hourly","data":["value"],"facets":{},"start":"2024-01-01T00","end":"2025-12-31T23","sort":[{"column":"period","direction":"asc"}],"length":"5000","offset":"${pageIndex * rowsPerPage}","api_key":"REDACTED"}},"apiVersion":"2.1.8","ExcelAddInVersion":"2.1.0"}`;
  return Buffer.from(head + rows.join(',') + tail);
}

/** Rows of one page through stream-json: parser (packed values, no streamed values) → pick → streamArray. */
async function streamJsonRows(body: Buffer): Promise<number> {
  const pipeline = chain([
    parser({ packValues: true, streamValues: false }),
    pick({ filter: 'response.data' }),
    streamArray(),
  ]);
  let rows = 0;
  const done = (async () => {
    for await (const item of pipeline) if ((item as { value: unknown }).value !== undefined) rows++;
  })();
  const CHUNK = 64 * 1024; // network-sized chunks
  for (let at = 0; at < body.length; at += CHUNK) {
    if (!pipeline.write(body.subarray(at, at + CHUNK))) await new Promise((r) => pipeline.once('drain', r));
  }
  pipeline.end();
  await done;
  return rows;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;

/** Run the bench and return its figures (the caller prints or stores them). */
export async function benchTransforms(opts: TransformsBenchOptions = {}): Promise<TransformsBenchResult> {
  const pages = opts.pages ?? 200;
  const rowsPerPage = opts.rowsPerPage ?? 5000;
  const poolPages = Math.min(opts.poolPages ?? 20, pages);
  const comparePages = Math.min(opts.parseComparePages ?? 20, poolPages);
  const repeats = opts.repeats ?? 3;
  const total = pages * rowsPerPage;
  const dataset: Dataset = 'fuel-type-data';

  const pool = Array.from({ length: poolPages }, (_, i) => synthesizePage(i, rowsPerPage, total));
  const poolBytes = pool.reduce((s, b) => s + b.length, 0);
  const unit: WorkUnit = { id: `${dataset}-2024-bench`, dataset, facets: {}, startMs: START_MS, endMs: START_MS + 10 * 366 * 24 * HOUR_MS, year: 2024, expectedRows: total };

  // The pipeline: each body parsed as the source pulls it (the raw-archive source's shape) → validateNormalize,
  // `repeats` times.
  globalThis.gc?.();
  const baselineRss = process.memoryUsage.rss();
  let peakRss = baselineRss;
  const signal = new AbortController().signal;
  async function* source(): AsyncIterable<SourceItem> {
    for (let p = 0; p < pages; p++) {
      const body = pool[p % poolPages];
      const page: FetchedPage = {
        unit,
        offset: p * rowsPerPage,
        pageId: `${unit.id}-p${p * rowsPerPage}`,
        body,
        url: 'http://127.0.0.1/v2/electricity/rto/fuel-type-data/data?api_key=REDACTED',
        status: 200,
        latencyMs: 0,
        attempts: 1,
        fetchedAt: new Date(0).toISOString(),
        envelope: parseEnvelope(body),
      };
      yield { kind: 'page', page };
    }
  }
  let records = 0;
  let quarantined = 0;
  let duplicates = 0;
  const pipeTimes: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const stage = validateNormalize({ ingestedAt: Date.now() });
    records = quarantined = duplicates = 0;
    const t = performance.now();
    for await (const item of stage(source(), { signal })) {
      if (item.kind !== 'page') continue;
      records += item.records.length;
      quarantined += item.quarantined.length;
      duplicates += item.duplicates;
      const rss = process.memoryUsage.rss();
      if (rss > peakRss) peakRss = rss;
    }
    pipeTimes.push(performance.now() - t);
    if (records + quarantined + duplicates !== total) throw new Error('rows lost in the bench pipeline');
  }
  const pipeSec = median(pipeTimes) / 1000;

  // Parse comparison on the same pages, alternating the two so that machine noise hits both.
  const compare = pool.slice(0, comparePages);
  const compareBytes = compare.reduce((s, b) => s + b.length, 0);
  const compareRows = comparePages * rowsPerPage;
  const jsonTimes: number[] = [];
  const streamTimes: number[] = [];
  for (let r = 0; r < repeats; r++) {
    let t = performance.now();
    let n = 0;
    for (const body of compare) n += parseEnvelope(body).rows.length;
    jsonTimes.push(performance.now() - t);
    if (n !== compareRows) throw new Error(`JSON.parse saw ${n} rows`);
    t = performance.now();
    n = 0;
    for (const body of compare) n += await streamJsonRows(body);
    streamTimes.push(performance.now() - t);
    if (n !== compareRows) throw new Error(`stream-json saw ${n} rows`);
  }
  const jsonSec = median(jsonTimes) / 1000;
  const streamSec = median(streamTimes) / 1000;

  // validate + normalize alone.
  const parsed = pool.map((b) => parseEnvelope(b));
  const vnPass = () => {
    for (let i = 0; i < parsed.length; i++) {
      validatePage(parsed[i].rows, { dataset, sourcePage: `p${i}`, ingestedAt: 0, frequency: 'hourly' });
    }
  };
  vnPass(); // warm-up
  const vnTimes: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t = performance.now();
    vnPass();
    vnTimes.push(performance.now() - t);
  }
  const vnSec = median(vnTimes) / 1000;
  parsed.length = 0;

  const rowsPerSec = Math.round(total / pipeSec);
  return {
    rows: total,
    pages,
    rowsPerPage,
    bytesPerRow: Math.round(poolBytes / (poolPages * rowsPerPage)),
    pipeline: {
      rowsPerSec,
      rowsPerSecRuns: pipeTimes.map((ms) => Math.round(total / (ms / 1000))),
      seconds: Math.round(pipeSec * 1000) / 1000,
      records,
      quarantined,
      duplicates,
      peakRssMb: mb(peakRss),
      baselineRssMb: mb(baselineRss),
    },
    validateNormalizeRowsPerSec: Math.round((poolPages * rowsPerPage) / vnSec),
    parse: {
      pages: comparePages,
      jsonParseRowsPerSec: Math.round(compareRows / jsonSec),
      jsonParseMbPerSec: Math.round(compareBytes / 1048576 / jsonSec),
      streamJsonRowsPerSec: Math.round(compareRows / streamSec),
      streamJsonMbPerSec: Math.round(compareBytes / 1048576 / streamSec),
      jsonParseOverStreamJson: Math.round((streamSec / jsonSec) * 10) / 10,
      streamJsonConfig: "chain([parser({ packValues: true, streamValues: false }), pick({ filter: 'response.data' }), streamArray()]), 64 KiB chunks",
    },
    targetRowsPerSec: 400_000,
    meetsTarget: rowsPerSec >= 400_000,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await benchTransforms();
  console.log(JSON.stringify(result, null, 2));
}
