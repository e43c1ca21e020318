/**
 * Simulator benchmark: how fast the simulator serves pages on loopback (faults, latency and budget off),
 * and the simulator's peak RSS while serving a 1-year versus a 7-year query (flat = rows are generated on demand).
 *
 * The simulator runs in its own process (`src/simulator/cli.ts`, as `npm run simulator` does), so its RSS is its
 * own; this process fetches full 5,000-row pages with undici (4 in flight) and discards the bodies.
 *
 * `npx tsx bench/simulator.ts` prints the figures as JSON; `benchSimulator()` returns them for `npm run bench`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Pool } from 'undici';
import { countRows } from '../src/simulator/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const KEY = 'BENCHKEY0123456789abcdef';
const SIM_NOW = Date.UTC(2026, 1, 1);
const PAGE = 5000;

/** Figures returned by `benchSimulator`. */
export interface SimulatorBenchResult {
  /** Rows served per second, plain JSON (sequential offsets through a 1-year all-respondent fuel-type query). */
  rowsPerSec: number;
  /** The same with `Accept-Encoding: gzip` (level 1). */
  rowsPerSecGzip: number;
  /** Pages fetched per throughput run. */
  pages: number;
  /** Simulator peak RSS (VmHWM), MB: right after start, after paging a 1-year query, after a 7-year query. */
  rssIdleMb: number | null;
  rssPeak1yMb: number | null;
  rssPeak7yMb: number | null;
  /** `total` of the 1-year and 7-year queries. */
  total1y: number;
  total7y: number;
}

interface Child { proc: ChildProcess; base: string }

async function spawnSimulator(): Promise<Child> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/simulator/cli.ts', '--port', '0', '--budget', 'off',
    '--now', String(SIM_NOW)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const rl = createInterface({ input: proc.stdout! });
  const line = await new Promise<string>((resolve, reject) => {
    rl.once('line', resolve);
    proc.once('exit', (c) => reject(new Error(`simulator exited with ${c}`)));
  });
  rl.close();
  const m = /listening on (http:\/\/\S+)/.exec(line);
  if (!m) throw new Error(`unexpected first line: ${line}`);
  return { proc, base: m[1] };
}

function peakRssMb(pid: number | undefined): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 102.4) / 10 : null;
  } catch {
    return null;
  }
}

function query(start: string, end: string, offset: number): string {
  return `/v2/electricity/rto/fuel-type-data/data/?frequency=hourly&data[0]=value&start=${start}&end=${end}` +
    `&sort[0][column]=period&sort[0][direction]=asc&sort[1][column]=respondent&sort[1][direction]=asc` +
    `&sort[2][column]=fueltype&sort[2][direction]=asc&offset=${offset}&length=${PAGE}&api_key=${KEY}`;
}

/** Fetch the pages at `offsets` with `inFlight` concurrent requests; returns rows received and seconds. */
async function fetchPages(pool: Pool, start: string, end: string, offsets: number[], gzip: boolean, inFlight = 4): Promise<{ rows: number; secs: number }> {
  let next = 0;
  let rows = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < offsets.length) {
      const off = offsets[next++];
      const res = await pool.request({ method: 'GET', path: query(start, end, off), headers: gzip ? { 'accept-encoding': 'gzip' } : {} });
      if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
      let bytes = 0;
      for await (const chunk of res.body) bytes += (chunk as Buffer).length; // discard
      if (bytes === 0) throw new Error('empty body');
      rows += PAGE; // every offset fetched is a full page (offset + 5000 ≤ total)
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { rows, secs: (performance.now() - t0) / 1000 };
}

/** Run the benchmark. `pages` = pages per throughput run (default 120 = 600,000 rows). */
export async function benchSimulator(pages = 120): Promise<SimulatorBenchResult> {
  const y1 = { start: '2019-01-01T00', end: '2019-12-31T23' };
  const y7 = { start: '2019-01-01T00', end: '2025-12-31T23' };
  const total1y = countRows({ dataset: 'fuel-type-data', facets: {}, startMs: Date.UTC(2019, 0, 1), endMs: Date.UTC(2020, 0, 1) }, { nowMs: SIM_NOW });
  const total7y = countRows({ dataset: 'fuel-type-data', facets: {}, startMs: Date.UTC(2019, 0, 1), endMs: Date.UTC(2026, 0, 1) }, { nowMs: SIM_NOW });
  const seq = Array.from({ length: pages }, (_, i) => i * PAGE);

  const a = await spawnSimulator();
  const poolA = new Pool(a.base.replace(/\/v2$/, ''), { connections: 4 });
  let rowsPerSec = 0, rowsPerSecGzip = 0, rssIdleMb: number | null = null, rssPeak1yMb: number | null = null;
  try {
    rssIdleMb = peakRssMb(a.proc.pid);
    await fetchPages(poolA, y1.start, y1.end, seq.slice(0, 8), false); // warm-up
    const plain = await fetchPages(poolA, y1.start, y1.end, seq, false);
    rowsPerSec = Math.round(plain.rows / plain.secs);
    const gz = await fetchPages(poolA, y1.start, y1.end, seq, true);
    rowsPerSecGzip = Math.round(gz.rows / gz.secs);
    rssPeak1yMb = peakRssMb(a.proc.pid);
  } finally {
    await poolA.close();
    a.proc.kill('SIGTERM');
  }

  const b = await spawnSimulator();
  const poolB = new Pool(b.base.replace(/\/v2$/, ''), { connections: 4 });
  let rssPeak7yMb: number | null = null;
  try {
    const spread = Array.from({ length: pages }, (_, i) => Math.floor(((total7y - PAGE) * i) / (pages - 1) / PAGE) * PAGE);
    await fetchPages(poolB, y7.start, y7.end, seq.slice(0, 8), false);
    await fetchPages(poolB, y7.start, y7.end, spread, false);
    await fetchPages(poolB, y7.start, y7.end, spread, true);
    rssPeak7yMb = peakRssMb(b.proc.pid);
  } finally {
    await poolB.close();
    b.proc.kill('SIGTERM');
  }
  return { rowsPerSec, rowsPerSecGzip, pages, rssIdleMb, rssPeak1yMb, rssPeak7yMb, total1y, total7y };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  benchSimulator().then((r) => console.log(JSON.stringify(r, null, 2)), (err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
