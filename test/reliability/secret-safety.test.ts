/**
 * docs/parts/reliability.md §5 — secret safety: a run with a canary key (40 letters and digits) through a simulator
 * that accepts it, with faults on and `--log-level debug`, then a search for the canary in every output: stdout,
 * stderr, every file under the data directory (raw `.json.gz` gunzipped, Parquet as bytes and through DuckDB, the
 * DuckDB file as bytes), every DuckDB table and view (every column cast to text), and the simulator's request log
 * (memory and JSONL file). Zero hits. The same for an invalid canary key's error path.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { openWarehouse } from '../../src/store/duckdb/warehouse.js';
import type { SimulatorHandle } from '../../src/simulator/index.js';
import { KEY, SMALL_JOB, errorLines, faultTally, jobArgs, runCli, startSim, useTempDirs, walk, type CliResult } from './helpers.js';

const CANARY = 'CANARYq7W2eR9tY4uI8oP3aS6dF1gH5jK0lZxCvb';
const tmp = useTempDirs('eia-rel-secret-');
const open: SimulatorHandle[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

/** Hits of `needle` in `haystack` (non-overlapping). */
function hits(haystack: string | Buffer, needle: string): number {
  const b = typeof haystack === 'string' ? Buffer.from(haystack) : haystack;
  let n = 0;
  for (let at = b.indexOf(needle); at >= 0; at = b.indexOf(needle, at + needle.length)) n++;
  return n;
}

/** Every place searched → hits. Only an empty result (all zero) passes. */
async function searchEverywhere(needle: string, run: CliResult, dataDir: string, sim: SimulatorHandle, simLogFile: string) {
  const found: Record<string, number> = {};
  const count = (where: string, text: string | Buffer) => {
    found[where] = (found[where] ?? 0) + hits(text, needle);
  };
  count('stdout', run.stdout);
  count('stderr', run.stderr);
  const files = await walk(dataDir);
  const places = { files: files.length, gz: 0, parquet: 0, tables: 0, cells: 0 };
  for (const f of files) {
    const bytes = await readFile(path.join(dataDir, f));
    count('file bytes', bytes);
    if (f.endsWith('.gz')) {
      places.gz++;
      count('gunzipped raw pages', gunzipSync(bytes));
    }
  }
  // Parquet through DuckDB: every column of every file as text.
  const parquet = files.filter((f) => f.endsWith('.parquet')).map((f) => path.join(dataDir, f));
  if (parquet.length) {
    places.parquet = parquet.length;
    const db = await DuckDBInstance.create(':memory:', { threads: '1' });
    const conn = await db.connect();
    try {
      const list = `[${parquet.map((f) => `'${f}'`).join(', ')}]`;
      const rows = (await conn.runAndReadAll(`SELECT COLUMNS(*)::VARCHAR FROM read_parquet(${list}, hive_partitioning = false)`)).getRows();
      for (const r of rows) for (const c of r) count('parquet via DuckDB', String(c));
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  }
  // Every DuckDB table and view, every column cast to text.
  if (files.includes('eia.duckdb')) {
    const wh = await openWarehouse(dataDir);
    const conn = await wh.connect();
    try {
      const tables = (await conn.runAndReadAll(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'`)).getRows().map(([t]) => String(t));
      places.tables = tables.length;
      for (const t of tables) {
        for (const r of (await conn.runAndReadAll(`SELECT COLUMNS(*)::VARCHAR FROM "${t}"`)).getRows()) {
          for (const c of r) {
            places.cells++;
            count('DuckDB tables', String(c));
          }
        }
      }
    } finally {
      conn.closeSync();
      await wh.close();
    }
  }
  count('simulator log (memory)', JSON.stringify(sim.requestLog));
  await sim.close(); // flushes the JSONL file
  count('simulator log (file)', await readFile(simLogFile).catch(() => Buffer.alloc(0)));
  return { found, places };
}

describe('the key never leaks', { timeout: 300_000 }, () => {
  it('a canary key through a faulty simulator with --log-level debug: zero hits in every output', async () => {
    const root = await tmp.dir();
    const dataDir = path.join(root, 'data');
    const simLog = path.join(root, 'requests.jsonl');
    const sim = await startSim({
      keys: [CANARY],
      requestLogPath: simLog,
      budget: { perSecond: 3, perHour: 100_000 },
      faults: {
        rates: { '500': 0.05, '503': 0.05, reset: 0.05, truncate: 0.05, malformed: 0.05, html200: 0.03, 'wrong-content-type': 0.03, latency: 0.03 },
        delayMs: 2_000,
      },
    });
    open.push(sim);
    const run = await runCli(jobArgs(SMALL_JOB, dataDir, ['--log-level', 'debug', '--timeout-ms', '1000', '--json']), {
      env: { EIA_API_KEY: CANARY, EIA_BASE_URL: sim.baseUrl },
    });
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    const tally = faultTally(sim.requestLog);
    // The run did meet faults, and the debug log did talk about requests (so there was something to leak).
    expect(sim.requestLog.length - (tally.none ?? 0)).toBeGreaterThan(0);
    expect(run.stderr).toMatch(/"level":20/);
    expect(run.stderr).toContain('api_key=REDACTED');
    const { found, places } = await searchEverywhere(CANARY, run, dataDir, sim, simLog);
    console.info(`[reliability] secret (valid canary): ${JSON.stringify({ found, places, faults: tally })}`);
    expect(places.gz).toBeGreaterThan(0);
    expect(places.parquet).toBeGreaterThan(0);
    expect(places.tables).toBeGreaterThanOrEqual(7);
    expect(found).toEqual(Object.fromEntries(Object.keys(found).map((k) => [k, 0])));
  });

  it('an invalid canary key: exit 1 after one request, and zero hits in every output', async () => {
    const root = await tmp.dir();
    const dataDir = path.join(root, 'data');
    const simLog = path.join(root, 'requests.jsonl');
    const sim = await startSim({ keys: [KEY], requestLogPath: simLog });
    open.push(sim);
    const run = await runCli(jobArgs(SMALL_JOB, dataDir, ['--log-level', 'debug']), { env: { EIA_API_KEY: CANARY, EIA_BASE_URL: sim.baseUrl } });
    expect(run.code, run.stderr).toBe(1);
    // One error line (the debug log also carries the error, with its stack: --log-level debug asks for it).
    expect(errorLines(run.stderr), run.stderr).toHaveLength(1);
    expect(sim.requestLog).toHaveLength(1);
    const { found, places } = await searchEverywhere(CANARY, run, dataDir, sim, simLog);
    console.info(`[reliability] secret (invalid canary): ${JSON.stringify({ found, places })}`);
    expect(found).toEqual(Object.fromEntries(Object.keys(found).map((k) => [k, 0])));
  });

  it('the search finds a planted canary in each kind of place (so zero hits mean something)', async () => {
    const root = await tmp.dir();
    const dataDir = path.join(root, 'data');
    const simLog = path.join(root, 'requests.jsonl');
    const sim = await startSim({ keys: [KEY], requestLogPath: simLog });
    open.push(sim);
    await mkdir(path.join(dataDir, 'raw'), { recursive: true });
    await writeFile(path.join(dataDir, 'raw', 'page.json.gz'), gzipSync(`{"request":{"params":{"api_key":"${CANARY}"}}}`));
    const wh = await openWarehouse(dataDir);
    const conn = await wh.connect();
    await conn.run(`INSERT INTO meta VALUES ('leak', '${CANARY}')`);
    await conn.run(`COPY (SELECT '${CANARY}' AS k) TO '${path.join(dataDir, 'leak.parquet')}' (FORMAT PARQUET, COMPRESSION ZSTD)`);
    conn.closeSync();
    await wh.close();
    const fake: CliResult = { code: 0, signal: null, stdout: CANARY, stderr: `x ${CANARY}`, killedByTest: false, ms: 0 };
    const { found } = await searchEverywhere(CANARY, fake, dataDir, sim, simLog);
    expect(found).toMatchObject({ stdout: 1, stderr: 1, 'gunzipped raw pages': 1, 'parquet via DuckDB': 1, 'DuckDB tables': 1 });
  });
});
