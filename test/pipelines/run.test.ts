/**
 * The commands end to end against a real simulator on loopback and real files: historical is complete and exact,
 * a re-run resumes (fetches nothing), --fresh and replay reproduce the same content, incremental upserts and
 * records revisions, plan writes nothing. Issue 6.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCli, type PipelineConfig } from '../../src/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { HOUR_MS } from '../../src/core/time.js';
import { runCommand } from '../../src/pipelines/run.js';
import type { TypeName } from '../../src/core/catalog.js';
import { selectionsFor } from '../../src/pipelines/selections.js';
import { openWarehouse } from '../../src/store/duckdb/warehouse.js';
import { countRows, startSimulator, type SimulatorHandle, type SimulatorOptions } from '../../src/simulator/index.js';
import { seriesTruth } from '../../src/simulator/truth.js';

const KEY = 'RUNTESTKEY0123456789ABCDEFGHIJKLMNOPQRS';

let dir: string;
let sim: SimulatorHandle | null = null;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'eia-run-'));
});
afterEach(async () => {
  await sim?.close();
  sim = null;
  await rm(dir, { recursive: true, force: true });
});

function capture(): NodeJS.WriteStream & { text(): string } {
  let buf = '';
  const w = new Writable({
    write(chunk, _enc, cb) {
      buf += String(chunk);
      cb();
    },
  }) as unknown as NodeJS.WriteStream & { text(): string };
  w.text = () => buf;
  return w;
}

async function simulator(opts: Partial<SimulatorOptions> = {}): Promise<SimulatorHandle> {
  sim = await startSimulator({ budget: null, ...opts });
  return sim;
}

function configFor(args: string[], s: SimulatorHandle | null): PipelineConfig {
  const env: Record<string, string> = s ? { EIA_API_KEY: KEY, EIA_BASE_URL: s.baseUrl } : {};
  const r = parseCli([...args, '--data-dir', dir, '--no-progress', '--requests-per-second', '50', '--requests-per-hour', '100000'], env);
  if (r.kind !== 'run') throw new Error('expected a run');
  return r.config;
}

async function run(args: string[], s: SimulatorHandle | null, now?: () => number) {
  const stdout = capture();
  const stderr = capture();
  const result = await runCommand(configFor(args, s), {
    logger: silentLogger(),
    signal: new AbortController().signal,
    stdout,
    stderr,
    now,
    sourceOptions: { retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 8, suspensionCooldownMs: 20 } },
  });
  return { result, stdout: stdout.text(), stderr: stderr.text() };
}

async function warehouseFacts() {
  const wh = await openWarehouse(dir);
  try {
    const conn = await wh.connect();
    const q = async (sql: string) => (await conn.runAndReadAll(sql)).getRows();
    const [[rows, keys]] = await q('SELECT count(*), count(DISTINCT (dataset, respondent, series, period)) FROM observations');
    const [[pq]] = await q(`SELECT count(*) FROM read_parquet('${dir}/parquet/**/*.parquet', hive_partitioning = true)`);
    const [[pqKeys]] = await q(`SELECT count(DISTINCT (dataset, respondent, series, period)) FROM read_parquet('${dir}/parquet/**/*.parquet', hive_partitioning = true)`);
    const runs = await q('SELECT command, source, status FROM runs ORDER BY started_at');
    const revisions = Number((await q('SELECT count(*) FROM revisions'))[0][0]);
    const units = Number((await q('SELECT count(*) FROM units'))[0][0]);
    conn.closeSync();
    return { rows: Number(rows), keys: Number(keys), parquetRows: Number(pq), parquetKeys: Number(pqKeys), runs, revisions, units, checksum: await wh.checksum() };
  } finally {
    await wh.close();
  }
}

/** Ground truth: the simulator's rows per respondent × series over the whole range (not per planned unit). */
function truth(types: TypeName[], regions: string[], startMs: number, endMs: number, opts: Partial<SimulatorOptions> = {}): number {
  return seriesTruth(selectionsFor(types, regions), startMs, endMs, opts).total;
}

const JOB = ['historical', '--start', '2023-12-20', '--end', '2024-01-10', '--regions', 'PACW,ERCO,MISO', '--types', 'demand,generation'];

describe('historical', () => {
  it('loads exactly the simulator total into DuckDB and Parquet, across a year boundary, with a JSON summary', async () => {
    const s = await simulator();
    const { stdout } = await run([...JOB, '--json'], s);
    const summary = JSON.parse(stdout.trim());
    const expected = truth(['demand', 'generation'], ['PACW', 'ERCO', 'MISO'], Date.UTC(2023, 11, 20), Date.UTC(2024, 0, 10));
    expect(expected).toBeGreaterThan(10_000);
    for (const k of ['command', 'source', 'start', 'end', 'regions', 'types', 'units', 'requests', 'retries', 'rowsReceived', 'rowsLoaded',
      'rowsQuarantined', 'rowsDuplicate', 'rowsPerRequest', 'filesWritten', 'durationMs', 'rowsPerSecond', 'requestsPerSecond',
      'maxRequestsInAnyHour', 'maxRequestsInAnySecond', 'status']) {
      expect(summary, k).toHaveProperty(k);
    }
    expect(summary).toMatchObject({ command: 'historical', source: 'eia', status: 'ok', rowsReceived: expected });
    expect(summary.rowsLoaded + summary.rowsQuarantined + summary.rowsDuplicate).toBe(expected);
    const f = await warehouseFacts();
    expect(f.rows).toBe(summary.rowsLoaded);
    expect(f.keys).toBe(f.rows);
    expect(f.parquetRows).toBe(f.rows);
    expect(f.parquetKeys).toBe(f.rows);
    expect(f.runs).toEqual([['historical', 'eia', 'ok']]);
    expect(s.unknownPathCount).toBe(0);
  });

  it('resumes: a re-run fetches nothing and changes nothing; --fresh refetches everything to the same content', async () => {
    const s = await simulator();
    await run(JOB, s);
    const first = await warehouseFacts();
    const requestsAfterFirst = s.requestLog.length;

    const again = await run([...JOB, '--json'], s);
    expect(JSON.parse(again.stdout).units).toBe(0);
    expect(JSON.parse(again.stdout).unitsSkipped).toBe(first.units);
    // Only the two routes' metadata (their latest published hour), no data page.
    expect(s.requestLog.slice(requestsAfterFirst).map((e) => e.path)).toEqual([
      '/v2/electricity/rto/region-data',
      '/v2/electricity/rto/fuel-type-data',
    ]);
    const second = await warehouseFacts();
    expect(second.checksum).toEqual(first.checksum);

    await run([...JOB, '--fresh'], s);
    const fresh = await warehouseFacts();
    expect(s.requestLog.length).toBeGreaterThan(requestsAfterFirst);
    expect(fresh.checksum).toEqual(first.checksum);
    expect(fresh.parquetRows).toBe(first.rows);
    expect(fresh.revisions).toBe(0);
  });
});

describe('replay', () => {
  it('rebuilds DuckDB and Parquet from the raw archive alone, equal to the original run', async () => {
    const s = await simulator();
    await run(JOB, s);
    const original = await warehouseFacts();
    await rm(path.join(dir, 'eia.duckdb'), { force: true });
    await rm(path.join(dir, 'eia.duckdb.wal'), { force: true });
    await rm(path.join(dir, 'parquet'), { recursive: true, force: true });
    const before = s.requestLog.length;
    await run(['replay'], null);
    expect(s.requestLog.length).toBe(before);
    const replayed = await warehouseFacts();
    expect(replayed.checksum).toEqual(original.checksum);
    expect(replayed.parquetRows).toBe(original.rows);
    expect(replayed.runs.at(-1)).toEqual(['replay', 'raw-archive', 'ok']);
  });
});

describe('incremental', () => {
  it('fetches from the latest stored hour minus the lookback up to now, upserts, and records revisions', async () => {
    let now = Date.UTC(2024, 5, 10, 12, 30);
    const quirks = { revision: 0.5, revisionHorizonHours: 24 * 7, revisionIntervalMs: 86_400_000 };
    const s = await simulator({ nowMs: () => now, lagHours: 0, quirks });
    await run(['historical', '--start', '2024-06-01', '--end', '2024-06-10', '--regions', 'PACW', '--types', 'demand'], s, () => now);
    const before = await warehouseFacts();
    const wh = await openWarehouse(dir);
    const latest = Math.max(...(await wh.latestPeriods('region-data', ['PACW'])).values());
    await wh.close();
    now += 2 * 86_400_000; // two simulated days later: new hours published, recent history revised
    const { stdout } = await run(['incremental', '--regions', 'PACW', '--types', 'demand', '--json'], s, () => now);
    const summary = JSON.parse(stdout);
    expect(summary.command).toBe('incremental');
    // It re-fetched from (latest stored − 72 h); the simulator's publication lag decides the latest stored hour.
    expect(summary.start).toBe(new Date(latest - 72 * HOUR_MS).toISOString().slice(0, 13));
    const after = await warehouseFacts();
    expect(after.keys).toBe(after.rows);
    expect(after.rows).toBeGreaterThan(before.rows);
    expect(after.revisions).toBeGreaterThan(0);
    expect(after.parquetRows).toBe(after.rows);
    const endMs = Math.floor(now / HOUR_MS) * HOUR_MS + HOUR_MS;
    const expected = countRows({ dataset: 'region-data', facets: { respondent: ['PACW'], type: ['D'] }, startMs: Date.UTC(2024, 5, 1), endMs }, { nowMs: now, lagHours: 0, quirks });
    expect(after.rows).toBe(expected);
  });
});

describe('plan', () => {
  it('prints units, requests, expected rows, budget and ETA, and writes nothing', async () => {
    await rm(dir, { recursive: true, force: true });
    const { stdout } = await run(['plan', '--json'], null);
    const plan = JSON.parse(stdout);
    expect(plan.units).toBeGreaterThan(0);
    expect(plan.rowsPerRequest).toBeGreaterThanOrEqual(4500);
    // configFor() runs at 50 requests/s with 8 in flight at ~1.2 s each: the ETA is bound by both.
    expect(plan.etaSeconds).toBeGreaterThanOrEqual(Math.floor(plan.requests / 50));
    expect(plan.etaSeconds).toBeGreaterThanOrEqual(Math.floor((plan.requests * 1.2) / 8));
    expect(existsSync(dir)).toBe(false);
  });
});

describe('built-in simulator', () => {
  it('runs without a key against the built-in simulator and records source=simulator', async () => {
    const { stdout } = await run(['quick', '--phase', 'connectivity', '--json'], null);
    const summary = JSON.parse(stdout);
    expect(summary).toMatchObject({ command: 'quick:connectivity', source: 'simulator', status: 'ok', rowsReceived: 24 });
    const f = await warehouseFacts();
    expect(f.runs).toEqual([['quick', 'simulator', 'ok']]);
    expect(f.rows).toBe(24);
  });
});
