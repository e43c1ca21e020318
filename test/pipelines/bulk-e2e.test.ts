/**
 * `historical --source bulk` end to end, offline: the simulator serves its API and its bulk file from the same
 * generator, so the bulk run must store exactly the API run's observations; the download resumes with Range after
 * an interruption and ends with the server's bytes; a corrupt `--bulk-file` is a one-line usage error that writes
 * nothing.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCli } from '../../src/config.js';
import { isEtlError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { runCommand } from '../../src/pipelines/run.js';
import { openWarehouse } from '../../src/pipelines/warehouse.js';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/index.js';
import { ebaBuildAt, ebaLines } from '../../src/simulator/bulk-eba.js';
import { downloadEbaZip } from '../../src/sources/bulk/download.js';

const KEY = 'BULKTESTKEY0123456789ABCDEFGHIJKLMNOPQR';
const NOW = Date.UTC(2025, 2, 1, 12, 30);
// The default regions, plus two the job does not ask for (their lines must be skipped).
const BULK_RESPONDENTS = ['PACW', 'ERCO', 'CAL', 'TEX', 'MISO', 'BPAT', 'ISNE'];
const RANGE = ['--start', '2024-12-01', '--end', '2025-02-01'];

let root: string;
let sim: SimulatorHandle;
let bulkUrl: string;
// The download and bad-file tests need a file, not a job: one respondent's keeps them to a few seconds.
let smallSim: SimulatorHandle;
let smallUrl: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'eia-bulk-'));
  sim = await startSimulator({ nowMs: NOW, budget: null, bulkRespondents: BULK_RESPONDENTS });
  bulkUrl = `${new URL(sim.baseUrl).origin}/bulk/EBA.zip`;
  smallSim = await startSimulator({ nowMs: NOW, budget: null, bulkRespondents: ['PACW'] });
  smallUrl = `${new URL(smallSim.baseUrl).origin}/bulk/EBA.zip`;
});
afterAll(async () => {
  await sim?.close();
  await smallSim?.close();
  await rm(root, { recursive: true, force: true });
});

const sink = () => new Writable({ write: (_c, _e, cb) => cb() }) as unknown as NodeJS.WriteStream;

async function run(args: string[], dir: string, env: Record<string, string>) {
  let out = '';
  const stdout = new Writable({ write: (c, _e, cb) => ((out += String(c)), cb()) }) as unknown as NodeJS.WriteStream;
  const parsed = parseCli([...args, '--json', '--data-dir', dir, '--no-progress', '--requests-per-second', '50'], env);
  if (parsed.kind !== 'run') throw new Error('expected a run');
  await runCommand(parsed.config, { logger: silentLogger(), signal: new AbortController().signal, stdout, stderr: sink(), now: () => NOW });
  return JSON.parse(out) as Record<string, unknown>;
}

async function observations(dir: string) {
  const wh = await openWarehouse(dir);
  try {
    const conn = await wh.connect();
    const rows = (
      await conn.runAndReadAll(
        `SELECT dataset, respondent, respondent_name, series, series_name, epoch_ms(period)::DOUBLE, value FROM observations ORDER BY 1, 2, 4, 6`,
      )
    ).getRows();
    const runs = (await conn.runAndReadAll(`SELECT source, status FROM runs ORDER BY started_at`)).getRows();
    conn.closeSync();
    return { rows: rows.map((r) => r.map((x) => (typeof x === 'bigint' ? Number(x) : x))), runs };
  } finally {
    await wh.close();
  }
}

describe('historical --source bulk (simulator)', () => {
  it('stores exactly the observations the API run stores over the same range, without an API request', { timeout: 300_000 }, async () => {
    const apiDir = path.join(root, 'api');
    const bulkDir = path.join(root, 'bulk');
    await run(['historical', ...RANGE], apiDir, { EIA_API_KEY: KEY, EIA_BASE_URL: sim.baseUrl });
    const apiRequests = sim.requestLog.length;
    const summary = await run(['historical', ...RANGE, '--source', 'bulk'], bulkDir, { EIA_BULK_URL: bulkUrl });
    expect(sim.requestLog.length).toBe(apiRequests); // the bulk facility is not the API: nothing logged, no budget
    expect(summary.status).toBe('ok');

    const api = await observations(apiDir);
    const bulk = await observations(bulkDir);
    expect(api.rows.length).toBeGreaterThan(50_000);
    expect(bulk.rows.length).toBe(api.rows.length);
    expect(bulk.rows).toEqual(api.rows); // keys, names and values
    expect(bulk.runs).toEqual([['bulk', 'ok']]);
    expect(new Set(bulk.rows.map((r) => r[1]))).toEqual(new Set(['PACW', 'ERCO', 'CAL', 'TEX', 'MISO']));

    // The raw archive keeps the zip as received, named by its sha256, with its manifest entry; no page bodies.
    const kept = (await readdir(path.join(bulkDir, 'raw', 'bulk'))).sort();
    const zipName = kept.find((f) => /^EBA-[0-9a-f]{12}\.zip$/.test(f))!;
    const manifest = JSON.parse(await readFile(path.join(bulkDir, 'raw', 'bulk', `${zipName}.json`), 'utf8')) as Record<string, unknown>;
    const bytes = await readFile(path.join(bulkDir, 'raw', 'bulk', zipName));
    expect(manifest.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect((manifest.manifest_entry as { last_updated: string }).last_updated).toBe('2025-03-01T12:00:00+00:00');
    expect(existsSync(path.join(bulkDir, 'raw', 'eia'))).toBe(false);

    // Re-running with the same (unchanged, 304) file finds every unit done.
    const again = await run(['historical', ...RANGE, '--source', 'bulk'], bulkDir, { EIA_BULK_URL: bulkUrl });
    expect(again.rowsLoaded).toBe(0);
    expect(again.units).toBe(0);
    expect(again.unitsSkipped).toBe(summary.units); // the summary says so, not "0 already done"
    expect((await observations(bulkDir)).rows).toEqual(api.rows);
  });

  it('--bulk-clock local reads the HL twins: the same observations as the UTC lines, and no revision over them', { timeout: 300_000 }, async () => {
    const env = { EIA_BULK_URL: smallUrl };
    const job = ['historical', ...RANGE, '--source', 'bulk', '--regions', 'PACW', '--types', 'demand'];
    const utcDir = path.join(root, 'clock-utc');
    const localDir = path.join(root, 'clock-local');
    await run(job, utcDir, env);
    const local = await run([...job, '--bulk-clock', 'local'], localDir, env);
    expect(local.status).toBe('ok');
    const utcRows = (await observations(utcDir)).rows;
    // 2024-12-01 → 2025-02-01 is 1,488 hours; the simulator leaves a few out as missing.
    expect(utcRows.length).toBeGreaterThan(1_400);
    expect((await observations(localDir)).rows).toEqual(utcRows);
    // Over the UTC load: every key re-delivered by the local lines (their own unit ids), none with another value.
    const over = await run([...job, '--bulk-clock', 'local'], utcDir, env);
    expect(over.rowsLoaded).toBe(utcRows.length);
    expect(over.rowsRevised).toBe(0);
    expect((await observations(utcDir)).rows).toEqual(utcRows);
  });

  it('--types co2 loads the file\'s CO2 series as their own dataset, exactly as the file holds them; other runs skip them', { timeout: 300_000 }, async () => {
    const env = { EIA_BULK_URL: smallUrl };
    const dir = path.join(root, 'co2');
    const summary = await run(['historical', ...RANGE, '--source', 'bulk', '--regions', 'PACW', '--types', 'demand,co2'], dir, env);
    expect(summary.status).toBe('ok');
    // Truth: the CO2 line of the file the simulator serves, read as plain JSON (not by the pipeline's parser).
    const co2Line = [...ebaLines(ebaBuildAt({}, NOW), new Set(['PACW']))].find((l) => l.includes('.CO2.'))!;
    const parsed = JSON.parse(co2Line) as { series_id: string; units: string; data: [string, string | null][] };
    expect(parsed.series_id).toBe('EBA.PACW.CO2.CER.H');
    const [lo, hi] = [Date.UTC(2024, 11, 1), Date.UTC(2025, 1, 1)];
    const want = parsed.data
      .map(([stamp, v]) => [Date.UTC(+stamp.slice(0, 4), +stamp.slice(4, 6) - 1, +stamp.slice(6, 8), +stamp.slice(9, 11)), v === null ? null : Number(v)] as const)
      .filter(([t]) => t >= lo && t < hi)
      .sort((a, b) => a[0] - b[0]);
    expect(want.length).toBeGreaterThan(1_000);
    const rows = (await observations(dir)).rows;
    const co2 = rows.filter((r) => r[0] === 'co2-emissions');
    expect(co2.map((r) => [r[5], r[6]])).toEqual(want);
    expect(new Set(co2.map((r) => `${r[1]}|${r[3]}|${r[4]}`))).toEqual(new Set(['PACW|CER|CO2 Emissions Intensity Consumed']));
    expect(rows.filter((r) => r[0] === 'region-data').length).toBeGreaterThan(1_400);
    // Units and the Parquet partition: the dataset is a directory of its own, in metric tons.
    const wh = await openWarehouse(dir);
    try {
      const conn = await wh.connect();
      const units = (await conn.runAndReadAll(`SELECT dataset, units, count(*)::INTEGER FROM observations GROUP BY ALL ORDER BY 1`)).getRows();
      const pq = (
        await conn.runAndReadAll(
          `SELECT count(*)::INTEGER, count(value)::INTEGER, min(units), max(units) FROM read_parquet('${path.join(dir, 'parquet', 'dataset=co2-emissions', '**', '*.parquet')}')`,
        )
      ).getRows();
      conn.closeSync();
      expect(units).toEqual([['co2-emissions', 'CO2 metric tons', want.length], ['region-data', 'MWh', rows.length - want.length]]);
      expect(pq).toEqual([[want.length, want.filter(([, v]) => v !== null).length, 'CO2 metric tons', 'CO2 metric tons']]);
    } finally {
      await wh.close();
    }
    // Without `co2` in --types, the same file's CO2 lines are skipped.
    const plain = path.join(root, 'co2-not-asked');
    await run(['historical', ...RANGE, '--source', 'bulk', '--regions', 'PACW', '--types', 'demand'], plain, env);
    expect((await observations(plain)).rows.filter((r) => r[0] === 'co2-emissions')).toEqual([]);
    expect(existsSync(path.join(plain, 'parquet', 'dataset=co2-emissions'))).toBe(false);
  });

  it('after a bulk back-fill, historical from the API fetches only what the file lacked', { timeout: 300_000 }, async () => {
    const apiDir = path.join(root, 'api'); // the first test's API run over the default regions
    if (!existsSync(apiDir)) await run(['historical', ...RANGE], apiDir, { EIA_API_KEY: KEY, EIA_BASE_URL: sim.baseUrl });
    const dir = path.join(root, 'one-ledger');
    await run(['historical', ...RANGE, '--source', 'bulk', '--regions', 'PACW,ERCO'], dir, { EIA_BULK_URL: bulkUrl });
    const before = sim.requestLog.length;
    const summary = await run(['historical', ...RANGE, '--regions', 'PACW,ERCO,CAL'], dir, { EIA_API_KEY: KEY, EIA_BASE_URL: sim.baseUrl });
    expect(summary.status).toBe('ok');
    const data = sim.requestLog.slice(before).filter((e) => /\/data\/?$/.test(e.path));
    expect(data.length).toBeGreaterThan(0);
    // Only CAL is asked for: PACW and ERCO came from the file for the whole range.
    for (const e of data) {
      const asked = JSON.stringify(e.params);
      expect(asked).toContain('CAL');
      expect(asked).not.toMatch(/PACW|ERCO/);
    }
    const want = (await observations(apiDir)).rows.filter((r) => ['PACW', 'ERCO', 'CAL'].includes(String(r[1])));
    const got = await observations(dir);
    expect(got.rows).toEqual(want);
    expect(got.runs).toEqual([
      ['bulk', 'ok'],
      ['eia', 'ok'],
    ]);
  });

  it('resumes an interrupted download with Range and ends with the server\'s bytes', { timeout: 300_000 }, async () => {
    const dir = path.join(root, 'resume');
    const head = await fetch(smallUrl, { method: 'HEAD' });
    const size = Number(head.headers.get('content-length'));
    const serverSha = head.headers.get('x-sim-sha256');
    // Interrupt the first download once a third of the file is on disk.
    const ac = new AbortController();
    let seen = 0;
    const first = downloadEbaZip({
      url: smallUrl,
      dataDir: dir,
      signal: ac.signal,
      progressMs: 0,
      onProgress: (p) => {
        seen = p.bytes;
        if (p.bytes > size / 3) ac.abort();
      },
    });
    await expect(first).rejects.toSatisfy((e: unknown) => isEtlError(e, 'ETL_ABORTED'));
    const part = path.join(dir, 'raw', 'bulk', 'EBA.zip.part');
    const partial = (await stat(part)).size;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(size);
    expect(seen).toBeGreaterThan(size / 3);

    const second = await downloadEbaZip({ url: smallUrl, dataDir: dir, signal: new AbortController().signal });
    expect(second.resumedFrom).toBe(partial);
    expect(second.manifest.bytes).toBe(size);
    expect(second.manifest.sha256).toBe(serverSha);
    expect(createHash('sha256').update(await readFile(second.file)).digest('hex')).toBe(serverSha);
    expect(existsSync(part)).toBe(false);
  });

  it('a corrupt --bulk-file is a one-line usage error naming the flag, and nothing is written', async () => {
    const dir = path.join(root, 'corrupt');
    const bad = path.join(root, 'bad.zip');
    await writeFile(bad, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(4096, 7)]));
    const err = await run(['historical', ...RANGE, '--source', 'bulk', '--bulk-file', bad], dir, {}).catch((e: unknown) => e);
    expect(isEtlError(err, 'ETL_CONFIG_INVALID')).toBe(true);
    expect((err as Error).message).toMatch(/^--bulk-file '.*bad\.zip' is not a readable EBA\.zip: /);
    expect((err as Error).message).not.toContain('\n');
    expect(existsSync(dir)).toBe(false);

    // A truncated real file too: its central directory is gone.
    const good = path.join(root, 'good.zip');
    await writeFile(good, Buffer.from(await (await fetch(smallUrl)).arrayBuffer()));
    await truncate(good, 10_000);
    const err2 = await run(['historical', ...RANGE, '--source', 'bulk', '--bulk-file', good], dir, {}).catch((e: unknown) => e);
    expect(isEtlError(err2, 'ETL_CONFIG_INVALID')).toBe(true);
    expect(existsSync(dir)).toBe(false);

    const missing = await run(['historical', '--source', 'bulk', '--bulk-file', path.join(root, 'nope.zip')], dir, {}).catch((e: unknown) => e);
    expect((missing as Error).message).toMatch(/^--bulk-file '.*nope\.zip' cannot be read \(ENOENT\)$/);
    const unknown = await run(['historical', '--source', 'csv'], dir, {}).catch((e: unknown) => e);
    expect((unknown as Error).message).toBe("--source must be one of api, bulk, grid-monitor (got 'csv')");
  });
});
