/**
 * The Parquet tree as standard readers see it: Hive partitions (`dataset=…/year=…` in the path, never a column
 * inside a file), one logical schema for every file of a dataset and for `_common_metadata`, and whole-tree reads
 * with the partitions by DuckDB (`hive_partitioning = true`) and by hyparquet (partition values from the path).
 *
 * The tree is built through every write path of the sink: a first file (ENUM text), merges of small files
 * (VARCHAR text), rewrites of large files, units that span two years, two datasets, null values, and a second
 * sink instance over the same tree.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, type FileMetaData, type SchemaElement } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { describe, expect, it } from 'vitest';
import type { ObservationRecord, PageBatch } from '../../../src/core/contracts.js';
import { createParquetSink } from '../../../src/sinks/parquet/sink.js';
import { fixtureBatch, fixtureRecords, fixtureUnit, useTempDir, writeUnit } from '../../support/sink-contract.js';

/** Every file below `root`, relative, with `/` separators. */
async function walk(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(path.join(root, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await walk(root, r)));
    else out.push(r);
  }
  return out.sort();
}

/** `k=v` directory segments of a relative path (the Hive partition values of the file). */
function partitionsOf(rel: string): Record<string, string> {
  return Object.fromEntries(rel.split('/').slice(0, -1).filter((s) => s.includes('=')).map((s) => [s.slice(0, s.indexOf('=')), s.slice(s.indexOf('=') + 1)]));
}

/** The logical schema of a file: every leaf with its physical type, repetition, converted and logical type. */
function logicalSchema(meta: FileMetaData): string[] {
  return meta.schema.slice(1).map((s: SchemaElement) =>
    JSON.stringify({ name: s.name, type: s.type, repetition: s.repetition_type, converted: s.converted_type, logical: s.logical_type ?? null }),
  );
}

const metaOf = async (file: string) => parquetMetadataAsync(await asyncBufferFromFile(file));

/** Build a tree through every write path; returns the expected rows (last copy of each key wins). */
async function buildTree(dataDir: string): Promise<Map<string, ObservationRecord>> {
  const expected = new Map<string, ObservationRecord>();
  const put = (batches: readonly PageBatch[]) => {
    for (const b of batches) for (const r of b.records) expected.set(`${r.dataset}|${r.respondent}|${r.series}|${r.period}`, r);
  };
  const unitOf = async (sink: ReturnType<typeof createParquetSink>, batches: PageBatch[]) => {
    await writeUnit(sink, batches);
    put(batches);
  };
  const first = createParquetSink({ dataDir, fsync: false, minFileRows: 30 });
  // A unit whose window starts before New Year 2024 UTC: rows land in year=2023 and year=2024.
  const boundary = { ...fixtureUnit(0), id: 'region-data-2024-boundary', startMs: Date.UTC(2023, 11, 31, 20) };
  await unitOf(first, [fixtureBatch(boundary, 0, fixtureRecords(boundary, 0, 40, (i) => (i % 7 === 0 ? null : i + 0.5)))]);
  // Large files, then re-deliveries of some of their keys: rewrite path.
  const big = fixtureUnit(2);
  await unitOf(first, [fixtureBatch(big, 0, fixtureRecords(big, 0, 80))]);
  await unitOf(first, [fixtureBatch(big, 0, fixtureRecords(big, 0, 80, (i) => (i < 10 ? -1 : i * 10 + 0.5)))]);
  // Small units: merged with the tail (VARCHAR path).
  for (const n of [3, 4, 5]) {
    const u = fixtureUnit(n, { respondents: ['CCC'] });
    await unitOf(first, [fixtureBatch(u, 0, fixtureRecords(u, 0, 6))]);
  }
  // Another dataset.
  const fuel = fixtureUnit(6, { dataset: 'fuel-type-data' });
  await unitOf(first, [fixtureBatch(fuel, 0, fixtureRecords(fuel, 0, 50, () => null))]);
  await first.close();
  // A later run over the same tree.
  const second = createParquetSink({ dataDir, fsync: false, minFileRows: 30 });
  const later = fixtureUnit(7, { respondents: ['DDD'] });
  await unitOf(second, [fixtureBatch(later, 0, fixtureRecords(later, 0, 12))]);
  await second.close();
  return expected;
}

describe('parquet tree: Hive partitions and one schema', () => {
  const dataDir = useTempDir('eia-tree-');

  it('no file repeats a partition key as a column; every file of a dataset and _common_metadata share one logical schema', async () => {
    await buildTree(dataDir());
    const root = path.join(dataDir(), 'parquet');
    const all = await walk(root);
    const files = all.filter((f) => f.endsWith('.parquet'));
    expect(new Set(files.map((f) => partitionsOf(f).dataset))).toEqual(new Set(['region-data', 'fuel-type-data']));
    expect(new Set(files.map((f) => partitionsOf(f).year))).toEqual(new Set(['2023', '2024']));
    expect(all.filter((f) => !f.endsWith('.parquet'))).toEqual(['_common_metadata']);

    const schemaOf = new Map<string, string[]>();
    for (const f of files) {
      const meta = await metaOf(path.join(root, f));
      const keys = Object.keys(partitionsOf(f));
      expect(keys).toEqual(['dataset', 'year']);
      const columns = meta.schema.slice(1).map((s) => s.name);
      for (const k of keys) expect(columns, `${f} repeats the partition key ${k}`).not.toContain(k);
      const schema = logicalSchema(meta);
      const ds = partitionsOf(f).dataset;
      const seen = schemaOf.get(ds);
      if (seen) expect(schema, `${f} differs from the other files of ${ds}`).toEqual(seen);
      else schemaOf.set(ds, schema);
      for (const ts of ['period', 'ingested_at']) {
        expect(meta.schema.find((s) => s.name === ts)?.logical_type, `${f}: ${ts}`).toEqual({ type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' });
      }
    }
    const common = await metaOf(path.join(root, '_common_metadata'));
    expect(Number(common.num_rows)).toBe(0);
    expect(common.row_groups).toEqual([]);
    for (const schema of schemaOf.values()) expect(logicalSchema(common)).toEqual(schema);
  }, 60_000);

  it('DuckDB (hive_partitioning = true) and hyparquet (partitions from the path) read the whole tree with its partitions', async () => {
    const expected = await buildTree(dataDir());
    const root = path.join(dataDir(), 'parquet');
    const want = [...expected.values()]
      .map((r) => `${r.dataset}|${new Date(r.period).getUTCFullYear()}|${r.respondent}|${r.series}|${r.period}|${r.value}`)
      .sort();

    const db = await DuckDBInstance.create(':memory:', { threads: '1' });
    const conn = await db.connect();
    let duck: string[];
    try {
      duck = (
        await conn.runAndReadAll(
          `SELECT dataset, year, respondent, series, epoch_ms(period)::DOUBLE, value
           FROM read_parquet('${root}/**/*.parquet', hive_partitioning = true)`,
        )
      ).getRows().map(([d, y, r, s, p, v]) => `${d}|${y}|${r}|${s}|${p}|${v}`).sort();
    } finally {
      conn.closeSync();
      db.closeSync();
    }
    expect(duck).toEqual(want);

    const hy: string[] = [];
    for (const f of (await walk(root)).filter((x) => x.endsWith('.parquet'))) {
      const { dataset, year } = partitionsOf(f);
      for (const r of await parquetReadObjects({ file: await asyncBufferFromFile(path.join(root, f)), compressors })) {
        const p = r.period instanceof Date ? r.period.getTime() : Number(r.period);
        hy.push(`${dataset}|${year}|${r.respondent}|${r.series}|${p}|${r.value}`);
      }
    }
    expect(hy.sort()).toEqual(want);
  }, 60_000);
});

describe('parquet tree written by an older build (files with a dataset column)', () => {
  const dataDir = useTempDir('eia-tree-old-');

  it('re-delivered keys rewrite the old files without the column; reads and merges mix old and new files', async () => {
    const dir = path.join(dataDir(), 'parquet', 'dataset=region-data', 'year=2024');
    const unit = fixtureUnit(2);
    const old = fixtureRecords(unit, 0, 40);
    const db = await DuckDBInstance.create(':memory:', { threads: '1' });
    const conn = await db.connect();
    try {
      const { mkdir } = await import('node:fs/promises');
      await mkdir(dir, { recursive: true });
      const values = old
        .map((r) => `('region-data', '${r.respondent}', '${r.respondent_name}', '${r.series}', '${r.series_name}', make_timestamp(${r.period * 1000}::BIGINT) AT TIME ZONE 'UTC', ${r.value}, 'MWh', 0, '${r.source_page}', make_timestamp(${r.ingested_at * 1000}::BIGINT) AT TIME ZONE 'UTC')`)
        .join(', ');
      await conn.run(
        `COPY (SELECT * FROM (VALUES ${values}) t(dataset, respondent, respondent_name, series, series_name, period, value, units, flags, source_page, ingested_at))
         TO '${path.join(dir, 'part-000001.parquet')}' (FORMAT PARQUET)`,
      );
    } finally {
      conn.closeSync();
      db.closeSync();
    }
    // A small unit merges with the old tail (mixed schemas in one read), then the old unit is re-delivered.
    const sink = createParquetSink({ dataDir: dataDir(), fsync: false, minFileRows: 100 });
    const small = fixtureUnit(3, { respondents: ['CCC'] });
    await writeUnit(sink, [fixtureBatch(small, 0, fixtureRecords(small, 0, 6))]);
    await writeUnit(sink, [fixtureBatch(unit, 0, fixtureRecords(unit, 0, 40, () => 7))]);
    await sink.close();
    for (const f of (await readdir(dir)).filter((n) => n.endsWith('.parquet'))) {
      expect((await metaOf(path.join(dir, f))).schema.map((s) => s.name), f).not.toContain('dataset');
    }
    const rows = (await Promise.all((await readdir(dir)).filter((n) => n.endsWith('.parquet')).map(async (f) => parquetReadObjects({ file: await asyncBufferFromFile(path.join(dir, f)), compressors }))))
      .flat();
    expect(rows).toHaveLength(46);
    expect(rows.filter((r) => r.respondent !== 'CCC').every((r) => r.value === 7)).toBe(true);
  }, 60_000);
});
