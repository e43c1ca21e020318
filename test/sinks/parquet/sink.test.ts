import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObservationRecord, PageBatch } from '../../../src/core/contracts.js';
import { HOUR_MS } from '../../../src/core/time.js';
import { createParquetSink } from '../../../src/sinks/parquet/sink.js';
import { fixtureBatch, fixtureRecords, fixtureUnit, fixtureUnitBatches, testSink, useTempDir, writeUnit } from '../../support/sink-contract.js';

let db: DuckDBInstance;
beforeAll(async () => {
  db = await DuckDBInstance.create(':memory:', { threads: '1', memory_limit: '256MB' });
});
afterAll(() => db.closeSync());

/** All parquet files of a data dir. */
async function parquetFiles(dataDir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.endsWith('.parquet')) out.push(p);
    }
  };
  await walk(path.join(dataDir, 'parquet'));
  return out.sort();
}

async function duckRows(dataDir: string, sql: (files: string) => string): Promise<unknown[][]> {
  const files = await parquetFiles(dataDir);
  if (files.length === 0) return [];
  const c = await db.connect();
  try {
    return (await c.runAndReadAll(sql(`read_parquet([${files.map((f) => `'${f}'`).join(',')}], hive_partitioning = true)`))).getRows();
  } finally {
    c.closeSync();
  }
}

const recId = (r: { respondent: string; series: string; period: number; value: number | null }) =>
  `${r.respondent}|${r.series}|${r.period}|${r.value}`;
const idsOfRecords = (batches: readonly PageBatch[]) => batches.flatMap((b) => b.records.map(recId));

/** Every row of every file, read by hyparquet (independent of DuckDB). */
async function hyRows(dataDir: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (const f of await parquetFiles(dataDir)) for (const r of await parquetReadObjects({ file: await asyncBufferFromFile(f) })) out.push(r);
  return out;
}
/** Rows of each Parquet file of the tree, from its footer. */
async function fileRowCounts(dataDir: string): Promise<number[]> {
  const out: number[] = [];
  for (const f of await parquetFiles(dataDir)) out.push(Number((await parquetMetadataAsync(await asyncBufferFromFile(f))).num_rows));
  return out;
}

const ms = (v: unknown) => (v instanceof Date ? v.getTime() : Number(v));

testSink('parquet (zstd, read by DuckDB)', async (dataDir) => ({
  sink: createParquetSink({ dataDir, fsync: false, memoryLimit: '64MB', threads: 1 }),
  persisted: async () =>
    (await duckRows(dataDir, (src) => `SELECT respondent, series, epoch_ms(period)::DOUBLE, value FROM ${src}`)).map(
      ([respondent, series, period, value]) => recId({ respondent: String(respondent), series: String(series), period: Number(period), value: value as number | null }),
    ),
  idsOf: idsOfRecords,
}));

testSink('parquet (snappy, read by hyparquet)', async (dataDir) => ({
  sink: createParquetSink({ dataDir, fsync: false, compression: 'snappy', threads: 1 }),
  persisted: async () =>
    (await hyRows(dataDir)).map((r) =>
      recId({ respondent: String(r.respondent), series: String(r.series), period: ms(r.period), value: r.value as number | null }),
    ),
  idsOf: idsOfRecords,
}));

describe('parquet files', () => {
  const dataDir = useTempDir();

  it('writes hive-style data-time partitions: parquet/dataset=<route>/year=<YYYY>/part-NNNNNN.parquet', async () => {
    const sink = createParquetSink({ dataDir: dataDir(), fsync: false });
    const unit = fixtureUnit(0);
    const recs = fixtureRecords(unit, 0, 8).map((r, i) => (i < 4 ? { ...r, period: Date.UTC(2023, 5, 1, i) } : r));
    await writeUnit(sink, [fixtureBatch(unit, 0, recs)]);
    await sink.close();
    const rel = (await parquetFiles(dataDir())).map((f) => path.relative(dataDir(), f));
    expect(rel).toEqual([
      'parquet/dataset=region-data/year=2023/part-000001.parquet',
      'parquet/dataset=region-data/year=2024/part-000001.parquet',
    ]);
  });

  it('DuckDB and hyparquet read the same rows: count, columns, sum(value), unique keys, sort order, row groups ≥ the minimum', async () => {
    // 25k rows with a 10k row-group minimum exercise the same sizing as 250k rows with the 100k default.
    const sink = createParquetSink({ dataDir: dataDir(), fsync: false, compression: 'snappy', minRowGroupRows: 10_000 });
    const unit = fixtureUnit(1, { respondents: Array.from({ length: 18 }, (_, i) => `R${String(i).padStart(2, '0')}`) });
    // 25k rows (36 series × ~700 hours, all in 2024) in 50 pages, written in shuffled page order, some null values.
    const batches: PageBatch[] = [];
    for (let p = 0; p < 50; p++) batches.push(fixtureBatch(unit, p * 500, fixtureRecords(unit, p * 500, 500, (i) => (i % 101 === 0 ? null : (i % 977) + 0.25)), { quarantined: 0 }));
    batches.reverse();
    await writeUnit(sink, batches);
    await sink.close();
    const files = await parquetFiles(dataDir());
    expect(files.length).toBe(1);
    const [file] = files;
    const expectedSum = batches.flatMap((b) => b.records).reduce((s, r) => s + (r.value ?? 0), 0);

    const [[n, keys, sum, nulls]] = await duckRows(dataDir(), (src) =>
      `SELECT count(*)::INTEGER, count(DISTINCT (dataset, respondent, series, period))::INTEGER, sum(value), count(*) FILTER (WHERE value IS NULL)::INTEGER FROM ${src}`,
    );
    expect(n).toBe(25_000);
    expect(keys).toBe(25_000);
    expect(sum).toBeCloseTo(expectedSum, 3);

    const rows = await hyRows(dataDir());
    expect(rows.length).toBe(25_000);
    expect(Object.keys(rows[0])).toEqual([
      'respondent', 'respondent_name', 'series', 'series_name', 'period', 'value', 'units', 'flags', 'source_page', 'ingested_at',
    ]);
    expect(rows.reduce((s, r) => s + ((r.value as number | null) ?? 0), 0)).toBeCloseTo(expectedSum, 3);
    expect(rows.filter((r) => r.value === null).length).toBe(nulls);
    expect(new Set(rows.map((r) => `${r.respondent}|${r.series}|${ms(r.period)}`)).size).toBe(25_000);
    // sorted by (respondent, series, period)
    for (let i = 1; i < rows.length; i++) {
      const a = rows[i - 1], b = rows[i];
      const cmp = a.respondent !== b.respondent ? (String(a.respondent) < String(b.respondent) ? -1 : 1)
        : a.series !== b.series ? (String(a.series) < String(b.series) ? -1 : 1) : ms(a.period) - ms(b.period);
      if (cmp >= 0) throw new Error(`row ${i} out of order`);
    }
    // period is a UTC-adjusted microsecond timestamp and reads back as the record's instant
    const meta = await parquetMetadataAsync(await asyncBufferFromFile(file));
    const period = meta.schema.find((s) => s.name === 'period')!;
    expect(period.logical_type).toMatchObject({ type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' });
    expect(ms(rows[0].period)).toBe(Math.min(...batches.flatMap((b) => b.records.filter((r) => r.respondent === 'R00' && r.series === 'D').map((r) => r.period))));
    const groups = meta.row_groups.map((g) => Number(g.num_rows));
    expect(groups.length).toBe(2);
    expect(groups.every((g) => g >= 10_000)).toBe(true);
    const [[dGroups]] = await duckRows(dataDir(), () => `SELECT list(DISTINCT row_group_num_rows ORDER BY row_group_num_rows) FROM parquet_metadata('${file}')`);
    expect(String(dGroups)).toContain(String(groups[0]));
  }, 60_000);

  it('zstd files declare ZSTD with dictionary-encoded strings (footer read by hyparquet)', async () => {
    const sink = createParquetSink({ dataDir: dataDir(), fsync: false });
    await writeUnit(sink, fixtureUnitBatches(fixtureUnit(2), 2, 50));
    await sink.close();
    const [file] = await parquetFiles(dataDir());
    const meta = await parquetMetadataAsync(await asyncBufferFromFile(file));
    const cols = meta.row_groups[0].columns.map((c) => c.meta_data!);
    expect(new Set(cols.map((c) => c.codec))).toEqual(new Set(['ZSTD']));
    const resp = cols.find((c) => c.path_in_schema.join('.') === 'respondent')!;
    expect(resp.encodings.some((e) => e.includes('DICTIONARY'))).toBe(true);
    expect(Number(meta.num_rows)).toBe(100);
    // The content too, decompressed by hyparquet-compressors: same rows as the records, sorted by the key.
    const got = await parquetReadObjects({ file: await asyncBufferFromFile(file), compressors });
    const recs = fixtureUnitBatches(fixtureUnit(2), 2, 50).flatMap((b) => b.records);
    expect(got.map((r) => recId({ respondent: String(r.respondent), series: String(r.series), period: ms(r.period), value: r.value as number | null }))).toEqual(
      [...recs].sort((a, b) => (a.respondent < b.respondent ? -1 : a.respondent > b.respondent ? 1 : a.series < b.series ? -1 : a.series > b.series ? 1 : a.period - b.period)).map(recId),
    );
    expect(got.every((r) => typeof r.respondent_name === 'string' && r.units === 'MWh')).toBe(true);
  });

  it('a later run over other regions replaces overlapping keys: no duplicate key across the dataset', async () => {
    const a = fixtureUnit(3, { respondents: ['AAA', 'BBB'] });
    const b = { ...fixtureUnit(3, { respondents: ['BBB', 'CCC'] }), id: 'region-data-2024-other' };
    const s1 = createParquetSink({ dataDir: dataDir(), fsync: false, minFileRows: 10 });
    await writeUnit(s1, fixtureUnitBatches(a, 2, 40, () => 1));
    await s1.close();
    const s2 = createParquetSink({ dataDir: dataDir(), fsync: false, minFileRows: 10 });
    await writeUnit(s2, fixtureUnitBatches(b, 2, 40, () => 2));
    await s2.close();
    const rows = await duckRows(dataDir(), (src) =>
      `SELECT respondent, count(*)::INTEGER, count(DISTINCT (series, period))::INTEGER, min(value), max(value) FROM ${src} GROUP BY 1 ORDER BY 1`,
    );
    expect(rows).toEqual([
      ['AAA', 40, 40, 1, 1],
      ['BBB', 40, 40, 2, 2],
      ['CCC', 40, 40, 2, 2],
    ]);
  });

  it('a unit over many files (a bulk respondent-year over API units) merges at most maxMergeRows in one file; the rest are rewritten alone; every key once', async () => {
    const regions = ['AAA', 'BBB', 'CCC'];
    const sink = createParquetSink({ dataDir: dataDir(), fsync: false, minFileRows: 50, maxMergeRows: 100 });
    // Three "API" units, 60 rows each (10 hours × 3 respondents × D, NG): three files of 60.
    for (let n = 0; n < 3; n++) await writeUnit(sink, fixtureUnitBatches(fixtureUnit(n, { respondents: regions }), 1, 60, () => 1));
    // A "bulk" unit re-delivers BBB's 20 rows of each window: each file keeps 40 (< 50, small).
    const bulk = { ...fixtureUnit(0, { respondents: ['BBB'] }), id: 'bulk-region-data-2024-x', endMs: fixtureUnit(2).endMs };
    const batches = [0, 1, 2].map((n) =>
      fixtureBatch(bulk, n * 20, fixtureRecords({ ...fixtureUnit(n, { respondents: ['BBB'] }), id: bulk.id }, 0, 20, () => 2).map((r) => ({ ...r, source_page: `${bulk.id}-p${n * 20}` })), { quarantined: 0 }),
    );
    await writeUnit(sink, batches);
    await sink.close();
    const counts = await fileRowCounts(dataDir());
    // The unit's 60 rows with one file's 40 kept (100 = the cap); the two others rewritten alone with their 40.
    expect(counts.sort((a, b) => a - b)).toEqual([40, 40, 100]);
    const rows = await duckRows(dataDir(), (src) =>
      `SELECT respondent, count(*)::INTEGER, count(DISTINCT (series, period))::INTEGER, min(value), max(value) FROM ${src} GROUP BY 1 ORDER BY 1`,
    );
    expect(rows).toEqual([
      ['AAA', 60, 60, 1, 1],
      ['BBB', 60, 60, 2, 2],
      ['CCC', 60, 60, 1, 1],
    ]);
  });

  it('a re-run of a unit drops its earlier copy: whole files of the copy, and only the copy’s rows of a file it shares', async () => {
    const sink = createParquetSink({ dataDir: dataDir(), fsync: false, minFileRows: 25 });
    const a = fixtureUnit(1, { respondents: ['AAA', 'BBB'] });
    const b = { ...fixtureUnit(1, { respondents: ['CCC'] }), id: 'region-data-2024-b' };
    const d = fixtureUnit(4, { respondents: ['AAA', 'BBB'] });
    await writeUnit(sink, fixtureUnitBatches(a, 1, 20, () => 1)); // a small tail
    await writeUnit(sink, fixtureUnitBatches(b, 1, 8, () => 2)); // merged with it: one file of a's and b's rows
    await writeUnit(sink, fixtureUnitBatches(d, 1, 40, () => 3)); // a file of d's rows only
    expect((await fileRowCounts(dataDir())).sort((x, y) => x - y)).toEqual([28, 40]);
    await writeUnit(sink, fixtureUnitBatches(a, 1, 12, () => 7)); // fewer rows than before
    await writeUnit(sink, fixtureUnitBatches(d, 1, 32, () => 9));
    await sink.close();
    const rows = await duckRows(dataDir(), (src) =>
      `SELECT source_page, count(*)::INTEGER, count(DISTINCT (respondent, series, period))::INTEGER, min(value), max(value) FROM ${src} GROUP BY 1 ORDER BY 1`,
    );
    expect(rows).toEqual([
      [`${b.id}-p0`, 8, 8, 2, 2],
      [`${a.id}-p0`, 12, 12, 7, 7],
      [`${d.id}-p0`, 32, 32, 9, 9],
    ]);
  });

  it('keeps at most one small file per partition (tails merge into the next commit)', async () => {
    const sink = createParquetSink({ dataDir: dataDir(), fsync: false, minFileRows: 30 });
    for (let u = 0; u < 6; u++) await writeUnit(sink, fixtureUnitBatches(fixtureUnit(u), 1, 12));
    await sink.close();
    const sizes = await duckRows(dataDir(), () => 'SELECT 1');
    expect(sizes.length).toBe(1);
    const counts = await fileRowCounts(dataDir());
    expect(counts.reduce((x, y) => x + y, 0)).toBe(72);
    expect(counts.filter((c) => c < 30).length).toBeLessThanOrEqual(1);
  });

  it('a unit in another window leaves the existing large files untouched (same name, not rewritten)', async () => {
    const sink = createParquetSink({ dataDir: dataDir(), fsync: false, minFileRows: 10 });
    await writeUnit(sink, fixtureUnitBatches(fixtureUnit(1), 1, 20));
    await writeUnit(sink, fixtureUnitBatches(fixtureUnit(5), 1, 20));
    await sink.close();
    const dir = path.join(dataDir(), 'parquet', 'dataset=region-data', 'year=2024');
    expect((await readdir(dir)).sort()).toEqual(['part-000001.parquet', 'part-000002.parquet']);
  });

  it('leaves no temp files and no journal after commits', async () => {
    const sink = createParquetSink({ dataDir: dataDir(), fsync: false });
    const unit = fixtureUnit(9);
    await writeUnit(sink, fixtureUnitBatches(unit, 1, 10));
    await writeUnit(sink, fixtureUnitBatches(unit, 1, 10));
    await sink.close();
    const dir = path.join(dataDir(), 'parquet', 'dataset=region-data', 'year=2024');
    expect(await readdir(dir)).toEqual(['part-000002.parquet']);
    expect(await readdir(path.join(dataDir(), '.journal'))).toEqual([]);
  });

  it('stores null values as null and periods as the records’ instants (round trip)', async () => {
    const sink = createParquetSink({ dataDir: dataDir(), fsync: false, compression: 'snappy' });
    const unit = fixtureUnit(10);
    const recs: ObservationRecord[] = fixtureRecords(unit, 0, 4, (i) => (i === 2 ? null : -i - 0.5));
    await writeUnit(sink, [fixtureBatch(unit, 0, recs)]);
    await sink.close();
    const rows = await hyRows(dataDir());
    const byKey = new Map(rows.map((r) => [`${r.respondent}|${r.series}|${ms(r.period)}`, r]));
    for (const r of recs) {
      const got = byKey.get(`${r.respondent}|${r.series}|${r.period}`)!;
      expect(got.value).toBe(r.value);
      expect(got.flags).toBe(r.flags);
      expect(got.source_page).toBe(r.source_page);
      expect(ms(got.ingested_at)).toBe(r.ingested_at);
    }
    expect(recs[0].period % HOUR_MS).toBe(0);
  });
});
