/**
 * Sink bench: 1M synthesized normalized rows (pages of 5,000, units of 150,000) through each sink alone and
 * through the fan-out of all of them. Each case runs in its own child process so peak RSS is per case.
 * Only the sink calls are timed (synthesizing records and bodies is not).
 *
 *   npx tsx bench/sinks.ts [--rows 1000000] [--cases raw,parquet,duckdb,all] [--json]
 *
 * `benchSinks(opts)` returns the figures (for `npm run bench`).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ObservationRecord, PageBatch, Sink, WorkUnit } from '../src/core/contracts.js';
import { HOUR_MS } from '../src/core/time.js';

/** One case: which sinks, and settings. */
export type SinkCase = 'raw' | 'raw-gzip1' | 'raw-gzip4' | 'raw-gzip6' | 'parquet' | 'duckdb' | 'all';

/** Figures of one case. */
export interface SinkCaseResult {
  case: SinkCase;
  rows: number;
  seconds: number;
  rowsPerSec: number;
  /** CPU time of the process (all threads, DuckDB's included) inside the sink calls: less sensitive to machine load. */
  cpuSeconds: number;
  /** Time inside `write` vs `commitUnit` (+ close), seconds. */
  writeSeconds: number;
  commitSeconds: number;
  /** Bytes on disk per area after close. */
  bytesOnDisk: Record<string, number>;
  /** MB/s of page bodies (uncompressed input) for raw cases. */
  rawInputMBps?: number;
  peakRssMb: number;
  baselineRssMb: number;
}

/** Options of `benchSinks`. */
export interface SinksBenchOptions {
  rows?: number;
  cases?: readonly SinkCase[];
  /** DuckDB `memory_limit` for the Parquet / warehouse instances (default: the sinks' defaults). */
  memoryLimit?: string;
}

const PAGE_ROWS = 5000;
const UNIT_ROWS = 150_000;
const RESPONDENTS = Array.from({ length: 30 }, (_, i) => `BA${String(i).padStart(2, '0')}`);
const TYPES = ['D', 'DF', 'NG', 'TI'];
const SERIES = RESPONDENTS.length * TYPES.length; // 120 series: 1M rows ≈ 8,333 hours, all in 2024
const START = Date.UTC(2024, 0, 1, 1);

/** Records of rows [from, from + n): series cycle fastest, then hours; demand-like values with nulls. */
function records(unit: WorkUnit, pageId: string, from: number, n: number, ingestedAt: number): ObservationRecord[] {
  const out: ObservationRecord[] = new Array(n);
  for (let k = 0; k < n; k++) {
    const i = from + k;
    const s = i % SERIES;
    const h = Math.floor(i / SERIES);
    const r = RESPONDENTS[s >> 2];
    const t = TYPES[s & 3];
    const base = 2000 + 97 * (s >> 2);
    const v = i % 211 === 0 ? null : Math.round(base * (1 + 0.3 * Math.sin((h % 24) / 3.82)) + ((i * 7919) % 97));
    out[k] = {
      dataset: unit.dataset,
      respondent: r,
      respondent_name: `${r} Balancing Authority`,
      series: t,
      series_name: t === 'D' ? 'Demand' : t === 'DF' ? 'Day-ahead demand forecast' : t === 'NG' ? 'Net generation' : 'Total interchange',
      period: START + h * HOUR_MS,
      value: v,
      units: 'MWh',
      flags: v === null ? 1 : 0,
      source_page: pageId,
      ingested_at: ingestedAt,
    };
  }
  return out;
}

/** An EIA-like body for the records (~183 bytes per row, as the API sends). */
function body(recs: readonly ObservationRecord[], total: number, offset: number): Buffer {
  const rows = recs.map((r) => ({
    period: new Date(r.period).toISOString().slice(0, 13),
    respondent: r.respondent,
    'respondent-name': r.respondent_name,
    type: r.series,
    'type-name': r.series_name,
    value: r.value === null ? null : String(r.value),
    'value-units': 'megawatthours',
  }));
  return Buffer.from(
    JSON.stringify({
      response: { total: String(total), dateFormat: 'YYYY-MM-DD"T"HH24', frequency: 'hourly', data: rows, description: 'bench' },
      request: { command: '/v2/electricity/rto/region-data/data/', params: { api_key: 'REDACTED', offset: String(offset), length: '5000' } },
      apiVersion: '2.1.8',
    }),
  );
}

/** Batches of the whole run, built lazily one page at a time; `unitEnd` marks the last page of a unit. */
function* batches(rows: number, withBody: boolean): Generator<{ batch: PageBatch; unitEnd: boolean; unitPages: number }> {
  const ingestedAt = Date.now();
  for (let u = 0; u * UNIT_ROWS < rows; u++) {
    const unitRows = Math.min(UNIT_ROWS, rows - u * UNIT_ROWS);
    const startMs = START + Math.floor((u * UNIT_ROWS) / SERIES) * HOUR_MS;
    const unit: WorkUnit = {
      id: `region-data-2024-bench${String(u).padStart(3, '0')}`,
      dataset: 'region-data',
      facets: { respondent: RESPONDENTS, type: TYPES },
      startMs,
      endMs: startMs + Math.ceil(unitRows / SERIES) * HOUR_MS,
      year: 2024,
      expectedRows: unitRows,
    };
    const pages = Math.ceil(unitRows / PAGE_ROWS);
    for (let p = 0; p < pages; p++) {
      const offset = p * PAGE_ROWS;
      const n = Math.min(PAGE_ROWS, unitRows - offset);
      const pageId = `${unit.id}-p${offset}`;
      const recs = records(unit, pageId, u * UNIT_ROWS + offset, n, ingestedAt);
      const b = withBody ? body(recs, unitRows, offset) : Buffer.from('{"response":{"total":"0","data":[]},"request":{"params":{"api_key":"REDACTED"}}}');
      const envelope = { total: unitRows, rows: new Array(n), warnings: [], apiVersion: '2.1.8', frequency: 'hourly', dateFormat: 'YYYY-MM-DD"T"HH24' };
      const batch: PageBatch = {
        kind: 'page',
        page: { unit, offset, pageId, body: b, url: `http://127.0.0.1/v2/electricity/rto/region-data/data/?api_key=REDACTED&offset=${offset}`, status: 200, latencyMs: 5, attempts: 1, fetchedAt: new Date().toISOString(), envelope },
        envelope,
        records: recs,
        quarantined: [],
        duplicates: 0,
      };
      yield { batch, unitEnd: p === pages - 1, unitPages: pages };
    }
  }
}

async function duBytes(p: string): Promise<number> {
  let st;
  try {
    st = await stat(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.size;
  let n = 0;
  for (const e of await readdir(p)) n += await duBytes(path.join(p, e));
  return n;
}

/** Run one case in this process (the child side). */
export async function runCase(c: SinkCase, rows: number, dataDir: string, memoryLimit?: string): Promise<SinkCaseResult> {
  const { createRawArchiveSink } = await import('../src/sinks/raw-archive.js');
  const { createParquetSink } = await import('../src/sinks/parquet/sink.js');
  const { createQuarantineFilesSink } = await import('../src/sinks/quarantine-files.js');
  const { createFanOut } = await import('../src/sinks/fan-out.js');
  const { openWarehouse } = await import('../src/pipelines/warehouse.js');
  globalThis.gc?.();
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const sample = () => {
    const r = process.memoryUsage.rss();
    if (r > peak) peak = r;
  };
  const timer = setInterval(sample, 10);
  let cpuMicros = 0;
  const cpuSince = (c0: NodeJS.CpuUsage) => {
    const d = process.cpuUsage(c0);
    cpuMicros += d.user + d.system;
  };
  let sink: Sink;
  let closeAll: () => Promise<void>;
  const withBody = c.startsWith('raw') || c === 'all';
  if (c.startsWith('raw')) {
    sink = createRawArchiveSink({ dataDir, gzipLevel: c === 'raw-gzip1' ? 1 : c === 'raw-gzip4' ? 4 : c === 'raw-gzip6' ? 6 : undefined });
    closeAll = () => sink.close();
  } else if (c === 'parquet') {
    sink = createParquetSink({ dataDir, memoryLimit });
    closeAll = () => sink.close();
  } else {
    const w = await openWarehouse(dataDir, { memoryLimit });
    sink =
      c === 'duckdb'
        ? w.sink
        : createFanOut(
            [createRawArchiveSink({ dataDir }), createParquetSink({ dataDir, duckdb: w.instance }), createQuarantineFilesSink({ dataDir }), w.sink],
            { background: true }, // as run.ts: a unit commits while the next one is staged
          );
    closeAll = async () => {
      await sink.close();
      await w.close();
    };
  }
  let writeMs = 0;
  let commitMs = 0;
  let inputBytes = 0;
  let pages = 0;
  let unitRows = 0;
  for (const { batch, unitEnd, unitPages } of batches(rows, withBody)) {
    let c0 = process.cpuUsage();
    let t = performance.now();
    await sink.write(batch);
    writeMs += performance.now() - t;
    cpuSince(c0);
    inputBytes += batch.page.body.length;
    unitRows += batch.records.length;
    pages++;
    sample();
    if (unitEnd) {
      c0 = process.cpuUsage();
      t = performance.now();
      await sink.commitUnit({ kind: 'unit-end', unit: batch.page.unit, total: unitRows, pages: unitPages, rowsReceived: unitRows });
      commitMs += performance.now() - t;
      cpuSince(c0);
      unitRows = 0;
      sample();
    }
  }
  const c1 = process.cpuUsage();
  const t = performance.now();
  await closeAll();
  commitMs += performance.now() - t;
  cpuSince(c1);
  clearInterval(timer);
  sample();
  const seconds = (writeMs + commitMs) / 1000;
  const bytesOnDisk: Record<string, number> = {};
  for (const area of ['raw', 'parquet', 'eia.duckdb']) {
    const b = await duBytes(path.join(dataDir, area));
    if (b > 0) bytesOnDisk[area] = b;
  }
  void pages;
  return {
    case: c,
    rows,
    seconds: Math.round(seconds * 1000) / 1000,
    rowsPerSec: Math.round(rows / seconds),
    cpuSeconds: Math.round(cpuMicros / 1000) / 1000,
    writeSeconds: Math.round(writeMs) / 1000,
    commitSeconds: Math.round(commitMs) / 1000,
    bytesOnDisk,
    ...(withBody ? { rawInputMBps: Math.round(inputBytes / 1e6 / seconds) } : {}),
    peakRssMb: Math.round(peak / 2 ** 20),
    baselineRssMb: Math.round(baseline / 2 ** 20),
  };
}

/** Run every case, each in a child process with its own temp data dir; returns the figures. */
export async function benchSinks(opts: SinksBenchOptions = {}): Promise<SinkCaseResult[]> {
  const rows = opts.rows ?? 1_000_000;
  const cases = opts.cases ?? (['raw', 'raw-gzip1', 'raw-gzip4', 'raw-gzip6', 'parquet', 'duckdb', 'all'] as const);
  const out: SinkCaseResult[] = [];
  const self = fileURLToPath(import.meta.url);
  for (const c of cases) {
    const dir = await mkdtemp(path.join(os.tmpdir(), `eia-bench-sinks-${c}-`));
    try {
      const text = await new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', self, '--child', c, '--rows', String(rows), '--dir', dir, ...(opts.memoryLimit ? ['--memory-limit', opts.memoryLimit] : [])], {
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        let s = '';
        child.stdout.on('data', (d) => (s += d));
        child.on('error', reject);
        child.on('exit', (code) => (code === 0 ? resolve(s) : reject(new Error(`bench case ${c} exited with ${code}`))));
      });
      out.push(JSON.parse(text.trim().split('\n').pop()!) as SinkCaseResult);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return out;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const child = arg('child') as SinkCase | undefined;
  if (child) {
    const r = await runCase(child, Number(arg('rows') ?? 1_000_000), arg('dir')!, arg('memory-limit'));
    process.stdout.write(`${JSON.stringify(r)}\n`);
  } else {
    const cases = arg('cases')?.split(',') as SinkCase[] | undefined;
    const results = await benchSinks({ rows: Number(arg('rows') ?? 1_000_000), cases, memoryLimit: arg('memory-limit') });
    if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(results)}\n`);
    else {
      for (const r of results) {
        const disk = Object.entries(r.bytesOnDisk).map(([k, v]) => `${k} ${(v / 2 ** 20).toFixed(1)} MiB`).join(', ');
        console.log(
          `${r.case.padEnd(10)} ${String(r.rowsPerSec).padStart(8)} rows/s  ${r.seconds.toFixed(2)} s, cpu ${r.cpuSeconds.toFixed(2)} s (write ${r.writeSeconds.toFixed(2)}, commit ${r.commitSeconds.toFixed(2)})` +
            `${r.rawInputMBps ? `  raw ${r.rawInputMBps} MB/s` : ''}  disk: ${disk}  peak RSS ${r.peakRssMb} MiB (baseline ${r.baselineRssMb})`,
        );
      }
    }
  }
}
