/**
 * Shared helpers of the reliability tests (issue 8): temp dirs, the CLI as a child process (with kill -9 and named
 * crash points), in-process runs through `runCommand`, an arrival-logging HTTP proxy in front of the simulator, the
 * simulator's ground truth, and fingerprints of a data directory (DuckDB, Parquet read two ways, raw archive,
 * leftovers) to compare runs. Not a test file.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { afterAll, afterEach, expect } from 'vitest';
import { parseCli } from '../../src/config.js';
import { DATASET_INFO, type Dataset } from '../../src/core/catalog.js';
import type { WorkUnit } from '../../src/core/contracts.js';
import { createLogger } from '../../src/core/logger.js';
import { runCommand, type RunResult } from '../../src/pipelines/run.js';
import { selectionsFor, type TypeName } from '../../src/pipelines/selections.js';
import { openWarehouse } from '../../src/sinks/duckdb/warehouse.js';
import { countRows, generateRows, startSimulator, type SimulatorHandle, type SimulatorOptions } from '../../src/simulator/index.js';
import type { EiaSourceConfigInput } from '../../src/sources/eia/config.js';
import { planUnits } from '../../src/sources/eia/planner.js';

/** Repository root (test/reliability → ../..). */
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The key the test simulators accept (40 letters and digits, like an EIA key). */
export const KEY = 'RELIAB1E0123456789abcdefghijKLMNOPQRSTuv';
/** Simulated "now", well after every range used here: no publication lag and no revisions inside the ranges. */
export const SIM_NOW = Date.UTC(2026, 1, 1);
/** Simulator options every reliability test starts from (faults and budget off). */
export const SIM_BASE: Partial<SimulatorOptions> = { seed: 8, keys: [KEY], nowMs: SIM_NOW, latency: null, budget: null, faults: null };

// ───────────────────────────── temp dirs ─────────────────────────────

/**
 * Temp dirs under os.tmpdir(): `dir()` for one test (removed afterEach), `shared()` for a beforeAll fixture
 * (removed afterAll). Call at describe/file level.
 */
export function useTempDirs(prefix = 'eia-rel-'): { dir: () => Promise<string>; shared: () => Promise<string> } {
  const perTest: string[] = [];
  const perFile: string[] = [];
  afterEach(async () => {
    for (const d of perTest.splice(0)) await rm(d, { recursive: true, force: true });
  });
  afterAll(async () => {
    for (const d of perFile.splice(0)) await rm(d, { recursive: true, force: true });
  });
  const make = async (list: string[]) => {
    const d = await mkdtemp(path.join(os.tmpdir(), prefix));
    list.push(d);
    return d;
  };
  return { dir: () => make(perTest), shared: () => make(perFile) };
}

// ───────────────────────────── jobs and ground truth ─────────────────────────────

/** A historical run's selection. */
export interface Job {
  start: string;
  end: string;
  regions: string[];
  types: TypeName[];
}

/** 2 respondents × (demand, generation), across a year boundary: 4 units, 6 pages of ≤ 5,000 rows, 16,800 rows. */
export const SMALL_JOB: Job = { start: '2023-12-01', end: '2024-01-20', regions: ['PACW', 'ERCO'], types: ['demand', 'generation'] };

/** CLI arguments of a historical run of `job` into `dataDir`. */
export function jobArgs(job: Job, dataDir: string, extra: string[] = []): string[] {
  return [
    'historical', '--start', job.start, '--end', job.end, '--regions', job.regions.join(','), '--types', job.types.join(','),
    '--data-dir', dataDir, '--no-progress', ...extra,
  ];
}

const dayMs = (d: string) => Date.parse(`${d}T00:00:00Z`);

/** The units `historical` plans for `job` (same planner, same defaults as the CLI). */
export function plannedUnits(job: Job): WorkUnit[] {
  return planUnits(selectionsFor(job.types, job.regions), dayMs(job.start), dayMs(job.end));
}

/** Natural key of a record: dataset|respondent|series|period(ms). */
export type RowKey = string;

/** The simulator's ground truth for `units`: rows per dataset (Σ countRows) and every key → value. */
export function groundTruth(units: readonly WorkUnit[], simOpts: Partial<SimulatorOptions> = SIM_BASE) {
  const perDataset: Record<string, number> = {};
  const rows = new Map<RowKey, number | null>();
  for (const u of units) {
    const q = { dataset: u.dataset, facets: u.facets as Record<string, readonly string[]>, startMs: u.startMs, endMs: u.endMs };
    perDataset[u.dataset] = (perDataset[u.dataset] ?? 0) + countRows(q, simOpts);
    const info = DATASET_INFO[u.dataset];
    for (const r of generateRows(q, simOpts)) {
      const period = Date.parse(`${String(r.period)}:00:00Z`);
      const v = r.value === null || r.value === undefined ? null : Number(r.value);
      rows.set(`${u.dataset}|${String(r[info.respondentFacet])}|${String(r[info.seriesFacet])}|${period}`, v);
    }
  }
  return { perDataset, rows };
}

// ───────────────────────────── simulators and proxy ─────────────────────────────

/** Start a simulator with `SIM_BASE` plus `opts`. */
export function startSim(opts: Partial<SimulatorOptions> = {}): Promise<SimulatorHandle> {
  return startSimulator({ ...SIM_BASE, ...opts });
}

/** What the proxy saw of one request. */
export interface Arrival {
  /** 1-based arrival number. */
  n: number;
  /** Arrival time, epoch ms. */
  t: number;
  /** Status sent to the client; 0 = no response (client gave up, or the upstream reset). */
  status: number;
  /** Content-Length the upstream announced (−1 when none). */
  contentLength: number;
  /** Answered by the proxy itself with a scripted 429 (never forwarded). */
  scripted429: boolean;
  /** The client closed the connection before the response headers came (a client timeout), not after an upstream reset. */
  clientGaveUp: boolean;
  /** The upstream connection failed (reset) before a response. */
  upstreamFailed: boolean;
}

/** An HTTP proxy in front of a simulator that logs every request's arrival and can answer scripted 429s. */
export interface Proxy {
  /** `http://127.0.0.1:<port>/v2`. */
  readonly baseUrl: string;
  readonly arrivals: readonly Arrival[];
  close(): Promise<void>;
}

/** EIA's gateway body for a throttled key (API doc §9). */
export const OVER_RATE_LIMIT_BODY =
  '{"error":{"code":"OVER_RATE_LIMIT","message":"You have exceeded your rate limit. Try again later or contact us at https://api.eia.gov:443/contact/ for assistance"}}';

/**
 * Start a proxy to `targetBaseUrl` (a simulator's `baseUrl`). Every request is logged on arrival — also the ones
 * the simulator's own log misses. Requests whose arrival number is in `script429` get a 429 from the proxy.
 * Upstream resets and truncated bodies reach the client as such (the client socket is destroyed).
 */
export async function startProxy(targetBaseUrl: string, opts: { script429?: ReadonlySet<number> } = {}): Promise<Proxy> {
  const target = new URL(targetBaseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const arrivals: Arrival[] = [];
  const server = http.createServer((req, res) => {
    const a: Arrival = { n: arrivals.length + 1, t: Date.now(), status: 0, contentLength: -1, scripted429: false, clientGaveUp: false, upstreamFailed: false };
    arrivals.push(a);
    if (opts.script429?.has(a.n)) {
      a.scripted429 = true;
      a.status = 429;
      req.resume();
      res.writeHead(429, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(OVER_RATE_LIMIT_BODY) });
      res.end(OVER_RATE_LIMIT_BODY);
      return;
    }
    const up = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent });
    let answered = false;
    res.on('close', () => {
      if (!answered && !a.upstreamFailed) a.clientGaveUp = true;
      if (!res.writableFinished) up.destroy();
    });
    up.on('response', (ur) => {
      answered = true;
      a.status = ur.statusCode ?? 0;
      a.contentLength = ur.headers['content-length'] === undefined ? -1 : Number(ur.headers['content-length']);
      res.writeHead(ur.statusCode ?? 502, ur.rawHeaders);
      ur.pipe(res);
      ur.on('aborted', () => res.destroy());
      ur.on('error', () => res.destroy());
      ur.on('close', () => {
        if (!ur.complete) res.destroy();
      });
    });
    up.on('error', () => {
      if (!answered) a.upstreamFailed = true;
      res.destroy();
    });
    req.pipe(up);
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}${target.pathname}`,
    arrivals,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      agent.destroy();
      await closed;
    },
  };
}

// ───────────────────────────── runs ─────────────────────────────

/** Environment for a CLI run against `baseUrl` with `key` (nothing inherited but PATH and HOME). */
export function cliEnv(baseUrl: string, key = KEY): Record<string, string> {
  return { EIA_API_KEY: key, EIA_BASE_URL: baseUrl };
}

/** Outcome of a CLI child process. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when the test (not a crash point) sent the SIGKILL. */
  killedByTest: boolean;
  ms: number;
}

/** How to kill a CLI run with SIGKILL from outside (or, with `action`, to do something to it mid-run). */
export interface KillPlan {
  /** Kill after this many ms. */
  afterMs?: number;
  /** Kill as soon as this returns true (polled every `pollMs`, default 5). */
  when?: () => Promise<boolean>;
  pollMs?: number;
  /** Instead of killing when `when` holds, run this once (e.g. break the data directory). */
  action?: () => Promise<void>;
}

/**
 * Run the CLI (`node --import tsx src/cli.ts …args`, cwd = repo root) as a child process. `env` is the whole
 * environment apart from PATH and HOME; `crashAt` sets `EIA_STREAM_CRASH_AT`; `kill` sends SIGKILL from outside.
 */
export function runCli(
  args: readonly string[],
  opts: { env?: Record<string, string>; crashAt?: string; kill?: KillPlan; timeoutMs?: number } = {},
): Promise<CliResult> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), ...opts.env };
  if (opts.crashAt) env.EIA_STREAM_CRASH_AT = opts.crashAt;
  const t0 = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  let killedByTest = false;
  let done = false;
  const kill = () => {
    if (done || killedByTest) return;
    killedByTest = true;
    child.kill('SIGKILL');
  };
  const timers: NodeJS.Timeout[] = [];
  if (opts.kill?.afterMs !== undefined) timers.push(setTimeout(kill, opts.kill.afterMs));
  if (opts.kill?.when) {
    const when = opts.kill.when;
    const action = opts.kill.action;
    const poll = async () => {
      while (!done && !killedByTest) {
        if (await when().catch(() => false)) return action ? action() : kill();
        await new Promise((r) => setTimeout(r, opts.kill?.pollMs ?? 5));
      }
    };
    void poll();
  }
  timers.push(setTimeout(kill, opts.timeoutMs ?? 120_000));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      done = true;
      for (const t of timers) clearTimeout(t);
      resolve({ code, signal, stdout, stderr, killedByTest, ms: Date.now() - t0 });
    });
  });
}

/** A writable that collects what is written (stands in for process.stdout/stderr in `runCommand`). */
export function captureStream(): { stream: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const s = new PassThrough();
  s.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  return { stream: s as unknown as NodeJS.WriteStream, text: () => chunks.join('') };
}

/** Outcome of an in-process `runCommand`. */
export interface InProcessResult {
  result: RunResult | null;
  error: unknown;
  stdout: string;
  stderr: string;
  log: string;
}

/**
 * Parse `argv` with `env` exactly like the CLI and run the command in this process, with test-only source
 * settings (short backoffs and timeouts). Never throws: the error, if any, is in `error`.
 */
export async function runInProcess(
  argv: readonly string[],
  env: Record<string, string>,
  opts: { sourceOptions?: Partial<EiaSourceConfigInput>; signal?: AbortSignal; logLevel?: string } = {},
): Promise<InProcessResult> {
  const out = captureStream();
  const err = captureStream();
  const logOut = captureStream();
  const parsed = parseCli(argv, env);
  if (parsed.kind !== 'run') throw new Error('expected a run config');
  const logger = createLogger({ level: opts.logLevel ?? 'warn', secret: parsed.config.apiKey ?? undefined, destination: logOut.stream, pretty: false });
  try {
    const result = await runCommand(parsed.config, {
      logger,
      signal: opts.signal ?? new AbortController().signal,
      stdout: out.stream,
      stderr: err.stream,
      sourceOptions: opts.sourceOptions,
    });
    return { result, error: null, stdout: out.text(), stderr: err.text(), log: logOut.text() };
  } catch (e) {
    return { result: null, error: e, stdout: out.text(), stderr: err.text(), log: logOut.text() };
  }
}

/** Fast retries for in-process runs (the defaults wait up to 30 s and suspend for 60 s). */
export const FAST_RETRY = { baseDelayMs: 40, maxDelayMs: 300, maxAttempts: 30, suspensionCooldownMs: 300 } as const;

// ───────────────────────────── fingerprints ─────────────────────────────

/** Order-independent 64-bit sum of sha256 prefixes of `items`, as a decimal string. */
function multisetHash(items: Iterable<string>): { count: number; sum: string } {
  let sum = 0n;
  let count = 0;
  for (const s of items) {
    sum = (sum + createHash('sha256').update(s).digest().readBigUInt64BE(0)) & 0xffffffffffffffffn;
    count++;
  }
  return { count, sum: sum.toString() };
}

/** Every file below `dir`, relative paths (directories not listed). */
export async function walk(dir: string, rel = ''): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(path.join(dir, rel));
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const n of names.sort()) {
    const r = path.join(rel, n);
    if ((await stat(path.join(dir, r))).isDirectory()) out.push(...(await walk(dir, r)));
    else out.push(r);
  }
  return out;
}

/**
 * Files that must not survive a completed run: temp files (`*.tmp`, hidden files), journals, DuckDB spill files
 * and WAL, the lock, and anything unexpected in the layout. `eia.duckdb` and the documented trees are fine.
 */
export async function leftovers(dataDir: string): Promise<string[]> {
  const ok = [
    /^eia\.duckdb$/,
    /^raw\/eia\/[a-z-]+\/\d{4}\/[\w.-]+-p\d+\.json\.gz$/,
    /^raw\/eia\/[a-z-]+\/\d{4}\/[\w.-]+\.manifest\.json$/,
    /^parquet\/dataset=[a-z-]+\/year=\d{4}\/part-\d{6}\.parquet$/,
    /^quarantine\/dataset=[a-z-]+\/year=\d{4}\/[\w.-]+\.jsonl$/,
  ];
  return (await walk(dataDir)).filter((f) => !ok.some((re) => re.test(f.split(path.sep).join('/'))));
}

/** A row of Parquet or DuckDB as compared here. */
export interface Obs {
  dataset: string;
  respondent: string;
  series: string;
  period: number;
  value: number | null;
  flags: number;
  source_page: string;
}
const obsLine = (o: Obs) => `${o.dataset}|${o.respondent}|${o.series}|${o.period}|${o.value}|${o.flags}|${o.source_page}`;
export const obsKey = (o: Pick<Obs, 'dataset' | 'respondent' | 'series' | 'period'>): RowKey => `${o.dataset}|${o.respondent}|${o.series}|${o.period}`;

/** Facts of the DuckDB warehouse. */
export interface WarehouseFacts {
  rows: number;
  checksum: string;
  perDataset: Record<string, number>;
  duplicateKeys: number;
  /** Ledger: unit id → `total|rows|records|quarantined` (no timestamps). */
  units: Record<string, string>;
  pages: string[];
  quarantined: number;
  obs: Obs[];
}

/** Open the warehouse (takes the lock: only when no run is live) and read its facts. */
export async function warehouseFacts(dataDir: string): Promise<WarehouseFacts> {
  const wh = await openWarehouse(dataDir);
  try {
    const { rows, checksum } = await wh.checksum();
    const conn = await wh.connect();
    try {
      const q = async (sql: string) => (await conn.runAndReadAll(sql)).getRows();
      const perDataset = Object.fromEntries((await q('SELECT dataset, count(*)::BIGINT FROM observations GROUP BY ALL')).map(([d, n]) => [String(d), Number(n)]));
      const [[dups]] = await q(
        'SELECT coalesce(sum(n - 1), 0)::BIGINT FROM (SELECT count(*) n FROM observations GROUP BY dataset, respondent, series, period HAVING n > 1)',
      );
      const units = Object.fromEntries(
        (await q('SELECT unit_id, total, rows, records, quarantined FROM units')).map(([id, ...r]) => [String(id), r.map(String).join('|')]),
      );
      const pages = (await q('SELECT page_id FROM pages ORDER BY 1')).map(([p]) => String(p));
      const [[quarantined]] = await q('SELECT count(*)::BIGINT FROM quarantine');
      const obs = (
        await q('SELECT dataset, respondent, series, epoch_ms(period)::DOUBLE, value, flags, source_page FROM observations')
      ).map(([dataset, respondent, series, period, value, flags, source_page]) => ({
        dataset: String(dataset), respondent: String(respondent), series: String(series), period: Number(period),
        value: value === null ? null : Number(value), flags: Number(flags), source_page: String(source_page),
      }));
      return { rows, checksum, perDataset, duplicateKeys: Number(dups), units, pages, quarantined: Number(quarantined), obs };
    } finally {
      conn.closeSync();
    }
  } finally {
    await wh.close();
  }
}

/**
 * ZSTD for hyparquet, which ships without it (and `hyparquet-compressors` is not installed): the system `zstd`
 * CLI decodes each page, so the rows are still decoded by a reader that shares no code with DuckDB.
 */
export function zstdDecompress(input: Uint8Array, outputLength: number): Uint8Array {
  const r = spawnSync('zstd', ['-d', '-c', '-q'], { input, maxBuffer: Math.max(1024 * 1024, outputLength * 2) });
  if (r.error || r.status !== 0) {
    throw new Error(`hyparquet needs a ZSTD decoder: the 'zstd' CLI failed (${r.error?.message ?? r.stderr.toString().trim()})`);
  }
  return new Uint8Array(r.stdout.buffer, r.stdout.byteOffset, r.stdout.length);
}

/** Facts of the Parquet dataset, read by DuckDB `read_parquet` and independently by hyparquet. */
export interface ParquetFacts {
  files: number;
  rows: number;
  /** Same formula as `warehouse.checksum()` over the Parquet rows. */
  checksum: string;
  perDataset: Record<string, number>;
  duplicateKeys: number;
  /** Rows as DuckDB read them, and as hyparquet read them. */
  duckdb: Obs[];
  hyparquet: Obs[];
}

export async function parquetFacts(dataDir: string): Promise<ParquetFacts> {
  const files = (await walk(dataDir)).filter((f) => /^parquet\/.*\.parquet$/.test(f.split(path.sep).join('/'))).map((f) => path.join(dataDir, f));
  const empty: ParquetFacts = { files: 0, rows: 0, checksum: '0', perDataset: {}, duplicateKeys: 0, duckdb: [], hyparquet: [] };
  if (files.length === 0) return empty;
  const list = `[${files.map((f) => `'${f.replace(/'/g, "''")}'`).join(', ')}]`;
  const src = `read_parquet(${list}, hive_partitioning = false)`;
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await db.connect();
  try {
    const q = async (sql: string) => (await conn.runAndReadAll(sql)).getRows();
    const [[rows, checksum]] = await q(
      `SELECT count(*)::BIGINT, coalesce(sum(hash(dataset, respondent, respondent_name, series, series_name, period, value,
         units, flags, source_page)), 0)::VARCHAR FROM ${src}`,
    );
    const perDataset = Object.fromEntries((await q(`SELECT dataset, count(*)::BIGINT FROM ${src} GROUP BY ALL`)).map(([d, n]) => [String(d), Number(n)]));
    const [[dups]] = await q(
      `SELECT coalesce(sum(n - 1), 0)::BIGINT FROM (SELECT count(*) n FROM ${src} GROUP BY dataset, respondent, series, period HAVING n > 1)`,
    );
    const duckdb = (await q(`SELECT dataset, respondent, series, epoch_ms(period)::DOUBLE, value, flags, source_page FROM ${src}`)).map(
      ([dataset, respondent, series, period, value, flags, source_page]) => ({
        dataset: String(dataset), respondent: String(respondent), series: String(series), period: Number(period),
        value: value === null ? null : Number(value), flags: Number(flags), source_page: String(source_page),
      }),
    );
    const hyparquet: Obs[] = [];
    for (const f of files) {
      for (const r of await parquetReadObjects({ file: await asyncBufferFromFile(f), compressors: { ZSTD: zstdDecompress } })) {
        const p = r.period as unknown;
        hyparquet.push({
          dataset: String(r.dataset), respondent: String(r.respondent), series: String(r.series),
          period: p instanceof Date ? p.getTime() : Number(p),
          value: r.value === null || r.value === undefined ? null : Number(r.value), flags: Number(r.flags), source_page: String(r.source_page),
        });
      }
    }
    return { files: files.length, rows: Number(rows), checksum: String(checksum), perDataset, duplicateKeys: Number(dups), duckdb, hyparquet };
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/** Facts of the raw archive: rows of every committed page, checked against the manifests. */
export interface RawFacts {
  units: number;
  pages: string[];
  rows: number;
  /** Order-independent hash of every stored row (canonical JSON). */
  checksum: string;
  duplicateKeys: number;
  /** Page files no manifest lists. */
  orphans: string[];
  /** Pages whose stored body does not match the manifest's sha256 or row count, or cannot be read. */
  corrupt: string[];
  /** Raw bodies (gunzipped), for secret scans. */
  bodies: Buffer[];
}

export async function rawFacts(dataDir: string): Promise<RawFacts> {
  const all = (await walk(dataDir)).map((f) => f.split(path.sep).join('/')).filter((f) => f.startsWith('raw/'));
  const manifests = all.filter((f) => f.endsWith('.manifest.json'));
  const listed = new Set<string>();
  const lines: string[] = [];
  const keys = new Set<string>();
  const corrupt: string[] = [];
  const bodies: Buffer[] = [];
  let duplicateKeys = 0;
  for (const m of manifests) {
    const dir = path.posix.dirname(m);
    const man = JSON.parse(await readFile(path.join(dataDir, m), 'utf8')) as {
      unit: { dataset: Dataset };
      pages: { file: string; sha256: string; rows: number }[];
    };
    const info = DATASET_INFO[man.unit.dataset];
    for (const p of man.pages) {
      const rel = `${dir}/${p.file}`;
      listed.add(rel);
      try {
        const body = gunzipSync(await readFile(path.join(dataDir, rel)));
        bodies.push(body);
        const rows = (JSON.parse(body.toString('utf8')) as { response: { data: Record<string, unknown>[] } }).response.data;
        if (createHash('sha256').update(body).digest('hex') !== p.sha256 || rows.length !== p.rows) corrupt.push(rel);
        for (const r of rows) {
          lines.push(`${man.unit.dataset}:${JSON.stringify(r)}`);
          const k = `${man.unit.dataset}|${String(r[info.respondentFacet])}|${String(r[info.seriesFacet])}|${String(r.period)}`;
          if (keys.has(k)) duplicateKeys++;
          keys.add(k);
        }
      } catch {
        corrupt.push(rel);
      }
    }
  }
  const pageFiles = all.filter((f) => f.endsWith('.json.gz'));
  const h = multisetHash(lines);
  return {
    units: manifests.length,
    pages: [...listed].sort(),
    rows: h.count,
    checksum: h.sum,
    duplicateKeys,
    orphans: pageFiles.filter((f) => !listed.has(f)),
    corrupt,
    bodies,
  };
}

/** Everything compared between two data directories. */
export interface Fingerprint {
  warehouse: WarehouseFacts;
  parquet: ParquetFacts;
  raw: RawFacts;
  leftovers: string[];
}

/** Fingerprint a data directory (after every run in it has ended). */
export async function fingerprint(dataDir: string): Promise<Fingerprint> {
  const leftoverFiles = await leftovers(dataDir); // before openWarehouse creates its lock and WAL
  return { warehouse: await warehouseFacts(dataDir), parquet: await parquetFacts(dataDir), raw: await rawFacts(dataDir), leftovers: leftoverFiles };
}

/** The comparable summary of a fingerprint (no row lists, no bodies). */
export function summaryOf(f: Fingerprint) {
  return {
    warehouse: {
      rows: f.warehouse.rows, checksum: f.warehouse.checksum, perDataset: f.warehouse.perDataset, duplicateKeys: f.warehouse.duplicateKeys,
      units: f.warehouse.units, pages: f.warehouse.pages, quarantined: f.warehouse.quarantined,
    },
    parquet: { rows: f.parquet.rows, checksum: f.parquet.checksum, perDataset: f.parquet.perDataset, duplicateKeys: f.parquet.duplicateKeys },
    raw: { units: f.raw.units, pages: f.raw.pages, rows: f.raw.rows, checksum: f.raw.checksum, duplicateKeys: f.raw.duplicateKeys, orphans: f.raw.orphans, corrupt: f.raw.corrupt },
    leftovers: f.leftovers,
  };
}

/** Sorted canonical lines of rows (for exact comparisons of row sets). */
export function lines(rows: readonly Obs[]): string[] {
  return rows.map(obsLine).sort();
}

/** Tally of the simulator log's `fault` field (null = served normally). */
export function faultTally(log: readonly { fault: string | null }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of log) {
    const k = e.fault ?? 'none';
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

/** Lines of the CLI's error shape (`eia-stream: error: …`) in `stderr`. */
export function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('eia-stream: error: '));
}

/** True when `stderr` holds a stack frame (`    at …`), as a line or JSON-escaped inside a log line. */
export function hasStackTrace(stderr: string): boolean {
  return /(^|\n|\\n)\s+at /.test(stderr);
}

/** True when the error output is exactly one line of the CLI's shape and carries no stack trace anywhere. */
export function isOneLineError(stderr: string): boolean {
  return errorLines(stderr).length === 1 && !hasStackTrace(stderr);
}

// ───────────────────────────── crash and resume ─────────────────────────────

/** Hidden temp files (`.<name>.tmp`, `.<name>.<tag>.tmp`) currently below `dir` (recursive). */
export async function tempFiles(dir: string): Promise<string[]> {
  return (await walk(dir)).filter((f) => /(^|\/)\.[^/]*\.tmp$/.test(f.split(path.sep).join('/')));
}

/** Names of the final Parquet part files currently in `dataDir`. */
export async function parquetParts(dataDir: string): Promise<Set<string>> {
  return new Set((await walk(path.join(dataDir, 'parquet'))).filter((f) => /part-\d+\.parquet$/.test(f)));
}

/** A way to SIGKILL one CLI run: a named crash point (`EIA_STREAM_CRASH_AT`) or a kill from outside. */
export interface CrashPlan {
  /** For reports: `page-written:2`, `time:1234ms`, `event:raw-temp`, … */
  label: string;
  crashAt?: string;
  /** Build the outside kill for a run into `dataDir` (called right before the run starts). */
  kill?: (dataDir: string) => Promise<KillPlan>;
}

/** Named crash point `name:n`. */
export const atPoint = (spec: string): CrashPlan => ({ label: spec, crashAt: spec });

/** SIGKILL `ms` after the process started. */
export const atTime = (ms: number): CrashPlan => ({ label: `time:${Math.round(ms)}ms`, kill: async () => ({ afterMs: ms }) });

/** name → mtime of the files `list` returns (to notice files that appear or change after a snapshot). */
async function mtimes(root: string, files: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const f of files) {
    const st = await stat(path.join(root, f)).catch(() => null);
    if (st) out.set(f, st.mtimeMs);
  }
  return out;
}

/** True once `list()` holds a file that was not in `before`, or whose mtime changed. */
function appeared(root: string, list: () => Promise<string[]>, before: Map<string, number>): () => Promise<boolean> {
  return async () => {
    for (const [f, m] of await mtimes(root, await list())) if (before.get(f) !== m) return true;
    return false;
  };
}

/** SIGKILL while a page is being written: as soon as a staged (hidden temp) raw page file appears or is rewritten. */
export const whileWritingPages = (): CrashPlan => ({
  label: 'event:raw-page-staged',
  kill: async (dataDir) => {
    const root = path.join(dataDir, 'raw');
    const list = () => tempFiles(root);
    return { when: appeared(root, list, await mtimes(root, await list())) };
  },
});

/** SIGKILL while a unit is being committed: a new commit journal or Parquet temp file appears (stale ones ignored). */
export const whileCommittingFiles = (): CrashPlan => ({
  label: 'event:file-commit',
  kill: async (dataDir) => {
    const list = async () => [
      ...(await walk(path.join(dataDir, '.journal'))).filter((f) => f.endsWith('.json')).map((f) => path.join('.journal', f)),
      ...(await tempFiles(path.join(dataDir, 'parquet'))).map((f) => path.join('parquet', f)),
    ];
    return { when: appeared(dataDir, list, await mtimes(dataDir, await list())), pollMs: 2 };
  },
});

/** SIGKILL while a commit journal is being written (its hidden temp file exists in `.journal/`). */
export const whileWritingJournal = (): CrashPlan => ({
  label: 'event:journal-temp',
  kill: async (dataDir) => ({ when: async () => (await tempFiles(path.join(dataDir, '.journal'))).length > 0, pollMs: 1 }),
});

/**
 * SIGKILL during the DuckDB commit (approximately): as soon as a new Parquet part file appears, i.e. a unit's
 * Parquet commit just finished and the quarantine and DuckDB commits (ledger row) follow.
 */
export const whileCommittingDuckDb = (): CrashPlan => ({
  label: 'event:duckdb-commit',
  kill: async (dataDir) => {
    const before = await parquetParts(dataDir);
    return { when: async () => [...(await parquetParts(dataDir))].some((p) => !before.has(p)), pollMs: 2 };
  },
});

/** Outcome of a crash-and-resume sequence. */
export interface ResumeOutcome {
  /** One entry per CLI run: the plan label (or `resume`) and how it ended. */
  runs: { label: string; code: number | null; signal: string | null; killed: boolean; ms: number }[];
  /** Runs that really died by SIGKILL. */
  kills: number;
  /** Plans whose run ended before the kill landed (the point was not reached). */
  missed: string[];
  /** Ledger inconsistencies seen after any kill (see `ledgerProblems`). */
  problems: string[];
}

/**
 * Apply `plans` to consecutive runs of the same command (each dies by SIGKILL, or completes if the point is not
 * reached), then re-run the same command until it exits 0 (at most `maxResumes` times). After every kill the
 * ledger is checked against the sinks.
 */
export async function crashAndResume(
  args: string[],
  env: Record<string, string>,
  dataDir: string,
  plans: readonly CrashPlan[],
  opts: { maxResumes?: number; checkLedger?: boolean } = {},
): Promise<ResumeOutcome> {
  const out: ResumeOutcome = { runs: [], kills: 0, missed: [], problems: [] };
  for (const plan of plans) {
    const kill = plan.kill ? await plan.kill(dataDir) : undefined;
    const r = await runCli(args, { env, crashAt: plan.crashAt, kill });
    const killed = r.signal === 'SIGKILL';
    out.runs.push({ label: plan.label, code: r.code, signal: r.signal, killed, ms: r.ms });
    if (killed) {
      out.kills++;
      if (opts.checkLedger !== false) out.problems.push(...(await ledgerProblems(dataDir)).map((p) => `after ${plan.label}: ${p}`));
    } else {
      out.missed.push(plan.label);
      if (r.code !== 0) throw new Error(`run with plan ${plan.label} failed: code ${r.code}: ${r.stderr.slice(-2000)}`);
    }
  }
  for (let i = 0; i < (opts.maxResumes ?? 4); i++) {
    const r = await runCli(args, { env });
    out.runs.push({ label: 'resume', code: r.code, signal: r.signal, killed: false, ms: r.ms });
    if (r.code === 0) return out;
    if (r.signal !== null || r.code !== 1) throw new Error(`resume ended with ${r.signal ?? r.code}: ${r.stderr.slice(-2000)}`);
  }
  throw new Error(`no resume completed: ${JSON.stringify(out.runs)}`);
}

/**
 * Units the ledger marks done that some sink does not fully hold: the raw manifest must exist with the ledger's
 * row count, Parquet and DuckDB must hold the unit's records (rows whose `source_page` is one of its pages).
 * Only call when no run is live (it opens the warehouse).
 */
export async function ledgerProblems(dataDir: string): Promise<string[]> {
  const problems: string[] = [];
  const wh = await openWarehouse(dataDir);
  let ledger: { id: string; dataset: string; year: number; rows: number; records: number; stored: number }[];
  try {
    const conn = await wh.connect();
    try {
      ledger = (
        await conn.runAndReadAll(
          `SELECT u.unit_id, u.dataset, u.year, u.rows, u.records,
             (SELECT count(*) FROM observations o WHERE starts_with(o.source_page, u.unit_id || '-p'))::BIGINT
           FROM units u`,
        )
      )
        .getRows()
        .map(([id, dataset, year, rows, records, stored]) => ({
          id: String(id), dataset: String(dataset), year: Number(year), rows: Number(rows), records: Number(records), stored: Number(stored),
        }));
    } finally {
      conn.closeSync();
    }
  } finally {
    await wh.close();
  }
  const parquetRows = new Map<string, number>();
  const files = (await walk(path.join(dataDir, 'parquet'))).filter((f) => /part-\d+\.parquet$/.test(f)).map((f) => path.join(dataDir, 'parquet', f));
  if (files.length) {
    const db = await DuckDBInstance.create(':memory:', { threads: '1' });
    const conn = await db.connect();
    try {
      const list = `[${files.map((f) => `'${f.replace(/'/g, "''")}'`).join(', ')}]`;
      for (const [page, n] of (
        await conn.runAndReadAll(`SELECT regexp_replace(source_page, '-p[0-9]+$', ''), count(*)::BIGINT FROM read_parquet(${list}) GROUP BY 1`)
      ).getRows()) {
        parquetRows.set(String(page), Number(n));
      }
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  }
  for (const u of ledger) {
    if (u.stored !== u.records) problems.push(`unit ${u.id}: ledger says ${u.records} records, DuckDB holds ${u.stored}`);
    if ((parquetRows.get(u.id) ?? 0) !== u.records) problems.push(`unit ${u.id}: ledger says ${u.records} records, Parquet holds ${parquetRows.get(u.id) ?? 0}`);
    const manifest = path.join(dataDir, 'raw', 'eia', u.dataset, String(u.year), `${u.id}.manifest.json`);
    try {
      const m = JSON.parse(await readFile(manifest, 'utf8')) as { rows_received: number };
      if (m.rows_received !== u.rows) problems.push(`unit ${u.id}: ledger says ${u.rows} rows, raw manifest ${m.rows_received}`);
    } catch {
      problems.push(`unit ${u.id}: in the ledger but no raw manifest`);
    }
  }
  return problems;
}

/** 3 respondents × (demand, net-generation, generation, interchange) over three months: 6 units, 15 pages, ~70k rows. */
export const MEDIUM_JOB: Job = {
  start: '2023-11-01',
  end: '2024-02-01',
  regions: ['PACW', 'ERCO', 'MISO'],
  types: ['demand', 'net-generation', 'generation', 'interchange'],
};

/** A small seeded PRNG (mulberry32) so chaos runs can be replayed: uniform [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Sink names of the fan-out, in commit order (the `commit:<sink>` crash points). */
export const SINK_NAMES = ['raw-archive', 'parquet', 'quarantine-files', 'duckdb'] as const;

/** A random crash plan: a named point with a small n, an event-triggered kill, or a kill at a random moment. */
export function randomCrashPlan(random: () => number, runMs: number): CrashPlan {
  const n = 1 + Math.floor(random() * 3);
  const pick = Math.floor(random() * 9);
  switch (pick) {
    case 0:
      return atPoint(`page-written:${1 + Math.floor(random() * 6)}`);
    case 1:
      return atPoint(`before-commit:${n}`);
    case 2:
      return atPoint(`after-commit:${n}`);
    case 3:
      return atPoint(`commit:${SINK_NAMES[Math.floor(random() * SINK_NAMES.length)]}:${n}`);
    case 4:
      return whileWritingPages();
    case 5:
      return whileCommittingFiles();
    case 6:
      return whileCommittingDuckDb();
    default:
      return atTime(runMs * (0.3 + random() * 0.7));
  }
}

/**
 * The data directory holds exactly the simulator's ground truth for `job`: rows per dataset (Σ countRows) in DuckDB
 * and Parquet, the same keys and values, no duplicate key, Parquet read by DuckDB and by hyparquet row for row
 * equal to the warehouse, every planned unit in the ledger, the raw archive intact, nothing left behind.
 */
export async function expectGroundTruth(dataDir: string, job: Job): Promise<Fingerprint> {
  const units = plannedUnits(job);
  const truth = groundTruth(units);
  const fp = await fingerprint(dataDir);
  expect(fp.warehouse.perDataset).toEqual(truth.perDataset);
  expect(fp.parquet.perDataset).toEqual(truth.perDataset);
  const got = new Map(fp.warehouse.obs.map((o) => [obsKey(o), o.value]));
  expect(got.size).toBe(truth.rows.size);
  expect(got).toEqual(truth.rows);
  expect(fp.warehouse.duplicateKeys).toBe(0);
  expect(fp.parquet.duplicateKeys).toBe(0);
  expect(fp.parquet.hyparquet.length).toBe(truth.rows.size);
  expect(lines(fp.parquet.hyparquet)).toEqual(lines(fp.parquet.duckdb));
  expect(lines(fp.parquet.duckdb)).toEqual(lines(fp.warehouse.obs));
  expect(fp.parquet.checksum).toBe(fp.warehouse.checksum);
  expect(Object.keys(fp.warehouse.units).sort()).toEqual(units.map((u) => u.id).sort());
  expect(fp.raw.rows).toBe(truth.rows.size);
  expect(fp.raw.duplicateKeys).toBe(0);
  expect(fp.raw.corrupt).toEqual([]);
  expect(fp.raw.orphans).toEqual([]);
  expect(fp.leftovers).toEqual([]);
  return fp;
}

/**
 * Faults injected, by kind: the simulator's request log `fault` field, plus what only the proxy saw — 429s it
 * answered itself, and requests the simulator's log misses (latency faults the client gave up on, oversized bodies
 * it stopped reading: see the it.fails in faults.test.ts). `share` = faulted requests / all requests.
 */
export function faultFigures(sim: SimulatorHandle, proxy: Proxy, maxBodyBytes: number) {
  const byKind = faultTally(sim.requestLog);
  const proxy429 = proxy.arrivals.filter((a) => a.scripted429).length;
  if (proxy429) byKind['429 (scripted)'] = proxy429;
  const forwarded = proxy.arrivals.filter((a) => !a.scripted429);
  const requests = proxy.arrivals.length;
  const faulted = requests - (byKind.none ?? 0);
  return {
    requests,
    faulted,
    share: +(faulted / requests).toFixed(3),
    byKind,
    unloggedBySimulator: forwarded.length - sim.requestLog.length,
    proxySaw: { clientGaveUp: forwarded.filter((a) => a.clientGaveUp).length, oversized: forwarded.filter((a) => a.contentLength > maxBodyBytes).length },
  };
}
