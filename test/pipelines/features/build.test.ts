/**
 * `features` end to end on a real warehouse built by a short simulator run: the grid is complete, values equal
 * `observations`, splits are disjoint, train statistics ignore the test period, "not reported" differs from
 * "missing", the files have the documented schema for DuckDB and hyparquet, and a re-run is byte-identical.
 * Every expectation is derived from the warehouse (`observations`) or from the calendar, never from the builder.
 */
import { cp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCli } from '../../../src/config.js';
import { silentLogger } from '../../../src/core/logger.js';
import { HOUR_MS } from '../../../src/core/time.js';
import { Status, VALUE_COLUMNS, featureSchema } from '../../../src/pipelines/features/spec.js';
import { runCommand } from '../../../src/pipelines/run.js';
import { openWarehouse } from '../../../src/store/duckdb/warehouse.js';
import type { SimulatorHandle } from '../../../src/simulator/index.js';
import { isOneLineError, runCli } from '../../reliability/support/runs.js';
import { KEY, startSim, useTempDirs } from '../../reliability/support/setup.js';

const START = Date.UTC(2023, 11, 1);
const END = Date.UTC(2024, 1, 1);
const SPLIT_A = Date.UTC(2024, 0, 1);
const SPLIT_B = Date.UTC(2024, 0, 20);
const REGIONS = ['ERCO', 'MISO', 'PACW'];
const HOURS = (END - START) / HOUR_MS;

const temp = useTempDirs('eia-feat-');
let sim: SimulatorHandle;
let dataDir: string;
let db: DuckDBInstance;
let conn: DuckDBConnection;

const sink = () => new Writable({ write: (_c, _e, cb) => cb() }) as unknown as NodeJS.WriteStream;

async function cli(args: string[]): Promise<void> {
  const r = parseCli([...args, '--no-progress', '--requests-per-second', '50'], { EIA_API_KEY: KEY, EIA_BASE_URL: sim.baseUrl });
  if (r.kind !== 'run') throw new Error('expected a run');
  await runCommand(r.config, { logger: silentLogger(), signal: new AbortController().signal, stdout: sink(), stderr: sink() });
}

const featureArgs = (dir: string, out: string, extra: string[] = []) => [
  'features', '--data-dir', dir, '--out', out, '--start', '2023-12-01', '--end', '2024-02-01', '--split', '2024-01-01,2024-01-20', ...extra,
];

const q = async (sql: string) => (await conn.runAndReadAll(sql)).getRows();
const files = (out: string, split = '*') => `read_parquet('${out}/${split}-*.parquet')`;

beforeAll(async () => {
  sim = await startSim();
  dataDir = await temp.shared();
  await cli(['historical', '--start', '2023-12-01', '--end', '2024-02-01', '--regions', REGIONS.join(','), '--types', 'demand,generation', '--data-dir', dataDir]);
  await cli(featureArgs(dataDir, path.join(dataDir, 'features')));
  db = await DuckDBInstance.create(':memory:');
  conn = await db.connect();
  await conn.run(`ATTACH '${path.join(dataDir, 'eia.duckdb')}' AS wh (READ_ONLY)`);
}, 120_000);

afterAll(async () => {
  conn?.closeSync();
  db?.closeSync();
  await sim?.close();
});

describe('features', () => {
  it('has every (respondent, hour) of the range exactly once, sorted, split by hour_end_utc with no hour in two splits', async () => {
    const out = path.join(dataDir, 'features');
    expect((await readdir(out)).sort()).toEqual([
      'README.md', 'dataset_info.json', 'test-00000-of-00001.parquet', 'train-00000-of-00001.parquet', 'validation-00000-of-00001.parquet',
    ]);
    const [[rows, keys]] = await q(`SELECT count(*), count(DISTINCT (respondent, hour_end_utc)) FROM ${files(out)}`);
    expect(Number(rows)).toBe(REGIONS.length * HOURS);
    expect(Number(keys)).toBe(Number(rows));
    const perResp = await q(`SELECT respondent, count(*), epoch_ms(min(hour_end_utc))::DOUBLE, epoch_ms(max(hour_end_utc))::DOUBLE
      FROM ${files(out)} GROUP BY 1 ORDER BY 1`);
    expect(perResp.map((r) => [String(r[0]), Number(r[1]), Number(r[2]), Number(r[3])])).toEqual(
      REGIONS.map((r) => [r, HOURS, START, END - HOUR_MS]));
    const bounds: Record<string, [number, number]> = { train: [START, SPLIT_A], validation: [SPLIT_A, SPLIT_B], test: [SPLIT_B, END] };
    for (const [split, [a, b]] of Object.entries(bounds)) {
      const [[n, lo, hi]] = await q(`SELECT count(*), epoch_ms(min(hour_end_utc))::DOUBLE, epoch_ms(max(hour_end_utc))::DOUBLE FROM ${files(out, split)}`);
      expect([Number(n), Number(lo), Number(hi)]).toEqual([REGIONS.length * ((b - a) / HOUR_MS), a, b - HOUR_MS]);
    }
    const [[shared]] = await q(`SELECT count(*) FROM (SELECT hour_end_utc FROM ${files(out, 'train')} INTERSECT SELECT hour_end_utc FROM ${files(out, 'validation')}
      UNION ALL (SELECT hour_end_utc FROM ${files(out, 'validation')} INTERSECT SELECT hour_end_utc FROM ${files(out, 'test')}))`);
    expect(Number(shared)).toBe(0);
    // Each file is sorted by (respondent, hour_end_utc): row order equals the sorted order.
    for (const split of Object.keys(bounds)) {
      const [[unsorted]] = await q(`SELECT count(*) FROM (SELECT respondent, hour_end_utc, row_number() OVER () AS i,
        row_number() OVER (ORDER BY respondent, hour_end_utc) AS j FROM ${files(out, split)}) WHERE i <> j`);
      expect(Number(unsorted)).toBe(0);
    }
  });

  it('holds the values of observations in every split, with statuses that match the rows and their flags', async () => {
    const out = path.join(dataDir, 'features');
    for (const c of VALUE_COLUMNS) {
      // The warehouse's truth for this column: the row (if any) of every (respondent, hour).
      const [[wrongValue, wrongStatus, checked]] = await q(`
        WITH o AS (SELECT respondent, period, value, flags FROM wh.observations WHERE dataset = '${c.dataset}' AND series = '${c.series}'),
             present AS (SELECT DISTINCT respondent FROM o WHERE period >= to_timestamp(${START / 1000}) AND period < to_timestamp(${END / 1000}))
        SELECT count(*) FILTER (WHERE f.${c.name} IS DISTINCT FROM o.value),
               count(*) FILTER (WHERE f.${c.name}_status <> CASE WHEN p.respondent IS NULL THEN ${Status.NOT_REPORTED}
                 WHEN o.value IS NULL THEN ${Status.MISSING} WHEN o.flags <> 0 THEN ${Status.FLAGGED} ELSE ${Status.REPORTED} END),
               count(*)
        FROM ${files(out)} f LEFT JOIN o ON o.respondent = f.respondent AND o.period = f.hour_end_utc
        LEFT JOIN present p ON p.respondent = f.respondent`);
      expect([c.name, Number(wrongValue), Number(wrongStatus)]).toEqual([c.name, 0, 0]);
      expect(Number(checked)).toBe(REGIONS.length * HOURS);
    }
    // The data has each status this test distinguishes.
    const [[missing, flagged, reported]] = await q(`SELECT count(*) FILTER (WHERE demand_mwh_status = ${Status.MISSING}),
      count(*) FILTER (WHERE generation_ng_mwh_status = ${Status.FLAGGED} OR demand_mwh_status = ${Status.FLAGGED}),
      count(*) FILTER (WHERE demand_mwh_status = ${Status.REPORTED}) FROM ${files(out)}`);
    expect(Number(missing)).toBeGreaterThan(0);
    expect(Number(flagged)).toBeGreaterThan(0);
    expect(Number(reported)).toBeGreaterThan(0);
  });

  it('marks a fuel the BA never reports as "not reported" and a missing hour of a reported fuel as "missing"', async () => {
    const out = path.join(dataDir, 'features');
    const [[pacwNuc]] = await q(`SELECT count(*) FROM wh.observations WHERE respondent = 'PACW' AND series = 'NUC'`);
    expect(Number(pacwNuc)).toBe(0);
    const statuses = await q(`SELECT DISTINCT generation_nuc_mwh_status FROM ${files(out)} WHERE respondent = 'PACW'`);
    expect(statuses.map((r) => Number(r[0]))).toEqual([Status.NOT_REPORTED]);
    // A reported fuel with an hour the warehouse lacks (no row, or a null value): that hour is "missing".
    const [gap] = await q(`SELECT s.respondent, s.series, epoch_ms(g.t)::DOUBLE
      FROM (SELECT DISTINCT respondent, series FROM wh.observations WHERE dataset = 'fuel-type-data') s,
           (SELECT to_timestamp(${START / 1000} + 3600 * i) AS t FROM range(${HOURS}) r(i)) g
      WHERE NOT EXISTS (SELECT 1 FROM wh.observations o WHERE o.respondent = s.respondent AND o.dataset = 'fuel-type-data'
        AND o.series = s.series AND o.period = g.t AND o.value IS NOT NULL) ORDER BY 1, 2, 3 LIMIT 1`);
    expect(gap).toBeDefined();
    const col = `generation_${String(gap[1]).toLowerCase()}_mwh`;
    const [[v, st]] = await q(`SELECT ${col}, ${col}_status FROM ${files(out)} WHERE respondent = '${String(gap[0])}'
      AND epoch_ms(hour_end_utc) = ${Number(gap[2])}`);
    expect([v, Number(st)]).toEqual([null, Status.MISSING]);
  });

  it('gives local calendar columns in the BA zone and flags U.S. federal holidays as observed', async () => {
    const out = path.join(dataDir, 'features');
    const rows = await q(`SELECT respondent, epoch_ms(hour_start_utc)::DOUBLE, strftime(local_time, '%Y-%m-%d %H'), local_hour, local_weekday,
      local_month, is_holiday FROM ${files(out)} USING SAMPLE 300 ROWS (reservoir, 7)`);
    const zones: Record<string, string> = { ERCO: 'America/Chicago', MISO: 'America/New_York', PACW: 'America/Los_Angeles' };
    // Observed federal holidays in the range (Christmas, New Year's, Martin Luther King Jr. Day 2024-01-15).
    const holidays = new Set(['2023-12-25', '2024-01-01', '2024-01-15']);
    for (const [resp, startMs, local, hour, weekday, month, holiday] of rows) {
      const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
        timeZone: zones[String(resp)], year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23', weekday: 'short',
      }).formatToParts(new Date(Number(startMs))).map((p) => [p.type, p.value]));
      const day = `${parts.year}-${parts.month}-${parts.day}`;
      expect(String(local)).toBe(`${day} ${parts.hour}`);
      expect(Number(hour)).toBe(Number(parts.hour));
      expect(Number(month)).toBe(Number(parts.month));
      expect(Number(weekday)).toBe(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(parts.weekday) + 1);
      expect(holiday).toBe(holidays.has(day));
    }
    const [[hol]] = await q(`SELECT count(*) FROM ${files(out)} WHERE is_holiday`);
    expect(Number(hol)).toBe(REGIONS.length * 3 * 24);
  });

  it('writes the documented schema, read alike by DuckDB and hyparquet', async () => {
    const out = path.join(dataDir, 'features');
    const schema = featureSchema();
    const described = await q(`DESCRIBE SELECT * FROM ${files(out, 'train')}`);
    const duckType: Record<string, string> = { string: 'VARCHAR', 'timestamp[us, tz=UTC]': 'TIMESTAMP WITH TIME ZONE', 'timestamp[us]': 'TIMESTAMP', int8: 'TINYINT', bool: 'BOOLEAN', float64: 'DOUBLE' };
    expect(described.map((r) => [String(r[0]), String(r[1])])).toEqual(schema.map((s) => [s.name, duckType[s.type]]));
    const file = path.join(out, 'validation-00000-of-00001.parquet');
    const meta = await parquetMetadataAsync(await asyncBufferFromFile(file));
    const leaves = meta.schema.slice(1);
    expect(leaves.map((s) => s.name)).toEqual(schema.map((s) => s.name));
    expect(leaves.find((s) => s.name === 'hour_end_utc')?.logical_type).toMatchObject({ type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' });
    expect(leaves.find((s) => s.name === 'local_time')?.logical_type).toMatchObject({ type: 'TIMESTAMP', isAdjustedToUTC: false });
    const objs = await parquetReadObjects({ file: await asyncBufferFromFile(file), compressors });
    const [[n, sum, firstResp]] = await q(`SELECT count(*), sum(demand_mwh), first(respondent) FROM ${files(out, 'validation')}`);
    expect(objs.length).toBe(Number(n));
    expect(objs.reduce((s, o) => s + ((o.demand_mwh as number | null) ?? 0), 0)).toBeCloseTo(Number(sum), 3);
    expect(objs[0].respondent).toBe(String(firstResp));
    const info = JSON.parse(await readFile(path.join(out, 'dataset_info.json'), 'utf8'));
    expect(Object.keys(info.features)).toEqual(schema.map((s) => s.name));
    expect(info.splits.validation.num_examples).toBe(Number(n));
  });

  it('names the source from runs.source in the card first line (simulated data says so) and lists the runs used', async () => {
    const out = path.join(dataDir, 'features');
    const info = JSON.parse(await readFile(path.join(out, 'dataset_info.json'), 'utf8'));
    const runs = await q(`SELECT run_id, source FROM wh.runs WHERE command = 'historical'`);
    expect(info.eia_stream.runs.map((r: { runId: string }) => r.runId)).toEqual(runs.map((r) => String(r[0])));
    // This warehouse was loaded with a key from a server on loopback: runs.source says eia.
    expect(runs.map((r) => String(r[1]))).toEqual(['eia']);
    expect((await readFile(path.join(out, 'README.md'), 'utf8')).split('\n')[0]).toMatch(/^# EIA-930 hourly features/);

    const copy = await temp.dir();
    await cp(path.join(dataDir, 'eia.duckdb'), path.join(copy, 'eia.duckdb'));
    const wh = await openWarehouse(copy);
    const c = await wh.connect();
    await c.run(`UPDATE runs SET source = 'simulator'`);
    c.closeSync();
    await wh.close();
    await cli(featureArgs(copy, path.join(copy, 'features')));
    const readme = await readFile(path.join(copy, 'features', 'README.md'), 'utf8');
    expect(readme.split('\n')[0]).toMatch(/^# SIMULATED DATA/);
  }, 120_000);

  it('re-runs byte-identically; a changed value in the test period leaves the train file and statistics unchanged', async () => {
    const out = path.join(dataDir, 'features');
    const again = await temp.dir();
    await cli(featureArgs(dataDir, again));
    const linear = await temp.dir();
    await cli(featureArgs(dataDir, linear, ['--impute', 'linear']));
    for (const f of await readdir(out)) expect([f, await readFile(path.join(again, f))]).toEqual([f, await readFile(path.join(out, f))]);

    const copy = await temp.dir();
    await cp(dataDir, copy, { recursive: true });
    await rm(path.join(copy, 'features'), { recursive: true, force: true });
    const wh = await openWarehouse(copy);
    const c = await wh.connect();
    await c.run(`UPDATE observation_facts SET value = value * 10 + 12345 WHERE period >= to_timestamp(${SPLIT_B / 1000}) AND value IS NOT NULL`);
    c.closeSync();
    await wh.close();
    const changed = path.join(copy, 'features');
    await cli(featureArgs(copy, changed, ['--impute', 'linear']));
    const out2 = linear;
    const before = JSON.parse(await readFile(path.join(out2, 'dataset_info.json'), 'utf8'));
    const after = JSON.parse(await readFile(path.join(changed, 'dataset_info.json'), 'utf8'));
    expect(after.eia_stream.train_statistics).toEqual(before.eia_stream.train_statistics);
    expect(after.eia_stream.train_statistics.demand_mwh.count).toBeGreaterThan(0);
    expect(await readFile(path.join(changed, 'train-00000-of-00001.parquet'))).toEqual(await readFile(path.join(out2, 'train-00000-of-00001.parquet')));
    expect(await readFile(path.join(changed, 'test-00000-of-00001.parquet'))).not.toEqual(await readFile(path.join(out2, 'test-00000-of-00001.parquet')));
  }, 120_000);

  it('--impute linear fills missing runs of ≤ 6 h between two values of the same split, linearly; longer runs stay null', async () => {
    const out = await temp.dir();
    await cli(featureArgs(dataDir, out, ['--impute', 'linear']));
    const bounds = [START, SPLIT_A, SPLIT_B, END];
    const splitOf = (t: number) => bounds.findIndex((b, i) => t >= b && t < bounds[i + 1]);
    let filled = 0;
    let kept = 0;
    for (const c of VALUE_COLUMNS.slice(0, 6)) {
      for (const resp of REGIONS) {
        // The warehouse's series on the hour grid, and the file's column.
        const obs = new Map((await q(`SELECT epoch_ms(period)::DOUBLE, value FROM wh.observations WHERE respondent = '${resp}'
          AND dataset = '${c.dataset}' AND series = '${c.series}' AND value IS NOT NULL`)).map((r) => [Number(r[0]), Number(r[1])]));
        if (obs.size === 0) continue;
        const got = await q(`SELECT epoch_ms(hour_end_utc)::DOUBLE, ${c.name}, ${c.name}_status FROM ${files(out)}
          WHERE respondent = '${resp}' ORDER BY hour_end_utc`);
        const t = got.map((r) => Number(r[0]));
        for (let i = 0; i < t.length; i++) {
          if (obs.has(t[i])) {
            expect(Number(got[i][1])).toBe(obs.get(t[i]));
            continue;
          }
          let a = i - 1;
          while (a >= 0 && !obs.has(t[a])) a--;
          let b = i + 1;
          while (b < t.length && !obs.has(t[b])) b++;
          const fill = a >= 0 && b < t.length && b - a - 1 <= 6 && splitOf(t[a]) === splitOf(t[i]) && splitOf(t[b]) === splitOf(t[i]);
          if (fill) {
            const [va, vb] = [obs.get(t[a])!, obs.get(t[b])!];
            expect(Number(got[i][1])).toBeCloseTo(va + ((vb - va) * (i - a)) / (b - a), 6);
            expect(Number(got[i][2])).toBe(Status.IMPUTED);
            filled++;
          } else {
            expect([got[i][1], Number(got[i][2])]).toEqual([null, Status.MISSING]);
            kept++;
          }
        }
      }
    }
    expect(filled).toBeGreaterThan(0);
    expect(kept).toBeGreaterThan(0);
  }, 120_000);

  it('rejects a split boundary outside the range with a one-line error naming --split, and writes nothing', async () => {
    const out = path.join(await temp.dir(), 'never');
    await expect(cli(['features', '--data-dir', dataDir, '--out', out, '--start', '2023-12-01', '--end', '2024-02-01', '--split', '2024-03-01']))
      .rejects.toMatchObject({ code: 'ETL_CONFIG_INVALID', message: expect.stringMatching(/^--split boundary 2024-03-01T00 is outside the range/) });
    await expect(readdir(out)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it.each([
    [['--split', '2030-01-01'], /--split boundary 2030-01-01T00 is outside the range: it must be after --start 2023-12-01T00 and before --end 2024-02-01T00 \[ETL_CONFIG_INVALID\]/],
    [['--impute', 'mean'], /--impute must be one of none, linear \(got 'mean'\) \[ETL_CONFIG_INVALID\]/],
  ])('the CLI answers %j with exit 2, one line naming the flag, and writes nothing', async (extra, message) => {
    const out = path.join(await temp.dir(), 'never');
    const r = await runCli(['features', '--data-dir', dataDir, '--out', out, '--start', '2023-12-01', '--end', '2024-02-01', ...extra], { env: {} });
    expect(r.code, r.stderr).toBe(2);
    expect(isOneLineError(r.stderr), r.stderr).toBe(true);
    expect(r.stderr).toMatch(message);
    await expect(readdir(out)).rejects.toMatchObject({ code: 'ENOENT' });
  }, 120_000);

  it('expands --regions ALL to the BAs the warehouse holds; REGIONS when it holds none is a one-line error', async () => {
    const out = path.join(await temp.dir(), 'all');
    await cli(featureArgs(dataDir, out, ['--regions', 'ALL']));
    const held = (await q(`SELECT DISTINCT respondent FROM wh.observations ORDER BY 1`)).map((r) => String(r[0]));
    expect(held).toEqual(REGIONS);
    const got = (await q(`SELECT DISTINCT respondent FROM ${files(out)} ORDER BY 1`)).map((r) => String(r[0]));
    expect(got).toEqual(held);
    const never = path.join(await temp.dir(), 'never');
    await expect(cli(featureArgs(dataDir, never, ['--regions', 'REGIONS'])))
      .rejects.toMatchObject({ code: 'ETL_CONFIG_INVALID', message: expect.stringMatching(/^--regions REGIONS: the warehouse holds no such respondent/) });
    await expect(readdir(never)).rejects.toMatchObject({ code: 'ENOENT' });
  }, 120_000);

  it('refuses an --out that holds something other than a features output, and leaves it alone', async () => {
    const out = await temp.dir();
    await writeFile(path.join(out, 'precious.txt'), 'keep me');
    await expect(cli(featureArgs(dataDir, out))).rejects.toMatchObject({ code: 'ETL_CONFIG_INVALID', message: expect.stringMatching(/^--out '.*' is not empty/) });
    expect(await readdir(out)).toEqual(['precious.txt']);
  });
});
