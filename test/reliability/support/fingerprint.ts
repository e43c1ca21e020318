/**
 * Reliability test support: fingerprints of a data directory — DuckDB (`warehouse.checksum()`, ledger, pages),
 * Parquet read by DuckDB and by hyparquet, the raw archive's rows checked against the manifests, leftover files —
 * plus the ground-truth check and fault tallies.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { expect } from 'vitest';
import { DATASET_INFO, type Dataset } from '../../../src/core/catalog.js';
import { openWarehouse } from '../../../src/store/duckdb/warehouse.js';
import type { SimulatorHandle } from '../../../src/simulator/index.js';
import type { Proxy } from './proxy.js';
import { groundTruth, plannedUnits, type Job, type RowKey } from './setup.js';

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
 * and WAL, the locks, and anything unexpected in the layout. `eia.duckdb`, `budget.log` and the documented trees
 * are fine.
 */
export async function leftovers(dataDir: string): Promise<string[]> {
  const ok = [
    /^eia\.duckdb$/,
    /^raw\/eia\/[a-z-]+\/\d{4}\/[\w.-]+-p\d+\.json\.gz$/,
    /^raw\/eia\/[a-z-]+\/\d{4}\/[\w.-]+\.manifest\.json$/,
    /^parquet\/dataset=[a-z-]+\/year=\d{4}\/part-\d{6}\.parquet$/,
    /^parquet\/_common_metadata$/,
    /^budget\.log$/, // the key's send-time record (its lock file is a leftover)
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

/** ZSTD (and the other codecs) for hyparquet: a decoder that shares no code with DuckDB. */
export const zstdDecompress = compressors.ZSTD!;

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
  // The files hold no `dataset` column: it is the `dataset=` directory (Hive partitioning).
  const src = `read_parquet(${list}, hive_partitioning = true)`;
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
      const dataset = /(?:^|[\\/])dataset=([^\\/]+)[\\/]/.exec(f)?.[1];
      for (const r of await parquetReadObjects({ file: await asyncBufferFromFile(f), compressors: { ZSTD: zstdDecompress } })) {
        const p = r.period as unknown;
        hyparquet.push({
          dataset: String(dataset), respondent: String(r.respondent), series: String(r.series),
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

/**
 * The data directory holds exactly the simulator's ground truth for `job` (per selection over the whole range, not per
 * planned unit): rows per dataset in DuckDB and Parquet, the same keys and values, no duplicate key, Parquet read by
 * DuckDB and by hyparquet row for row equal to the warehouse, every planned unit in the ledger, the raw archive intact, nothing left behind.
 */
export async function expectGroundTruth(dataDir: string, job: Job): Promise<Fingerprint> {
  const units = plannedUnits(job);
  const truth = groundTruth(job);
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

