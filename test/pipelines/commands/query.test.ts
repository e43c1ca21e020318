/**
 * `npm run query`: formats, the listing, read-only, one-line errors with their exit codes, and the busy-warehouse
 * message while another process has the warehouse open for writing.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { parseQueryArgs } from '../../../src/pipelines/commands/query-args.js';
import { queryMain } from '../../../src/pipelines/commands/query.js';
import { createParquetSink } from '../../../src/sinks/parquet/sink.js';
import { openWarehouse, WAREHOUSE_FILE } from '../../../src/pipelines/warehouse.js';
import { fixtureBatch, fixtureRecords, fixtureUnit, useTempDir, writeUnit } from '../../support/sink-contract.js';

/** A stream that keeps what is written. */
function sink(): Writable & { text(): string } {
  let buf = '';
  const w = new Writable({
    write(chunk, _enc, cb) {
      buf += String(chunk);
      cb();
    },
  }) as Writable & { text(): string };
  w.text = () => buf;
  return w;
}

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = sink();
  const stderr = sink();
  const code = await queryMain(args, { stdout, stderr });
  return { code, out: stdout.text(), err: stderr.text() };
}

/** 12 hours of PACW and ERCO demand and net generation from 2024-03-01T01 (UTC), into DuckDB and Parquet. */
async function load(dataDir: string): Promise<void> {
  const unit = { ...fixtureUnit(2, { respondents: ['PACW', 'ERCO'] }), startMs: Date.UTC(2024, 2, 1, 1) };
  const batches = [fixtureBatch(unit, 0, fixtureRecords(unit, 0, 48, (i) => (i === 5 ? null : i + 0.5)))];
  const w = await openWarehouse(dataDir);
  const pq = createParquetSink({ dataDir, duckdb: w.instance, fsync: false });
  await writeUnit(pq, batches);
  await pq.close();
  await writeUnit(w.sink, batches);
  await w.close();
}

describe('npm run query', () => {
  const dataDir = useTempDir('eia-query-');

  it('prints an aligned table with a row count; TIMESTAMPTZ in UTC; NULL shown', async () => {
    await load(dataDir());
    const r = await run(['--data-dir', dataDir(), `SELECT respondent, count(*) AS n, min(period) AS first, max(value) FILTER (WHERE value IS NULL) AS none FROM observations GROUP BY ALL ORDER BY ALL`]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      [
        'respondent   n  first                   none',
        '----------  --  ----------------------  ----',
        'ERCO        24  2024-03-01 01:00:00+00  NULL',
        'PACW        24  2024-03-01 01:00:00+00  NULL',
        '(2 rows)',
        '',
      ].join('\n'),
    );
  });

  it('caps a table at --max-rows and says how many rows there were', async () => {
    await load(dataDir());
    const r = await run(['--data-dir', dataDir(), '--max-rows', '3', 'SELECT * FROM observations']);
    expect(r.code).toBe(0);
    expect(r.out.trimEnd().split('\n')).toHaveLength(2 + 3 + 1);
    expect(r.out).toContain('(48 rows, first 3 shown;');
  });

  it('writes csv and json lines to stdout and to --out, and parquet to --out', async () => {
    await load(dataDir());
    const sql = `SELECT respondent, series, value, period FROM observations WHERE respondent = 'PACW' AND period <= TIMESTAMPTZ '2024-03-01 02:00:00+00' ORDER BY ALL`;
    const csv = await run(['--data-dir', dataDir(), '--format', 'csv', sql]);
    expect(csv.out).toBe(
      'respondent,series,value,period\n' +
        'PACW,D,0.5,2024-03-01 01:00:00+00\nPACW,D,4.5,2024-03-01 02:00:00+00\nPACW,NG,1.5,2024-03-01 01:00:00+00\nPACW,NG,,2024-03-01 02:00:00+00\n',
    );
    const json = await run(['--data-dir', dataDir(), '--format', 'json', `SELECT 'a,"b' AS s, 42::BIGINT AS n, NULL AS z`]);
    expect(json.out.trimEnd().split('\n').map((l) => JSON.parse(l))).toEqual([{ s: 'a,"b', n: 42, z: null }]);
    const out = path.join(dataDir(), 'out.csv');
    const toFile = await run(['--data-dir', dataDir(), '--format', 'csv', '--out', out, sql]);
    expect(toFile.out).toBe('');
    expect(toFile.err).toBe(`4 rows → ${out}\n`);
    expect(await readFile(out, 'utf8')).toBe(csv.out);
    const pq = path.join(dataDir(), 'out.parquet');
    const p = await run(['--data-dir', dataDir(), '--format', 'parquet', '--out', pq, sql]);
    expect(p.code).toBe(0);
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    expect((await c.runAndReadAll(`SELECT count(*)::INTEGER, sum(value) FROM '${pq}'`)).getRows()).toEqual([[4, 6.5]]);
    c.closeSync();
    db.closeSync();
  });

  it('with no SQL lists every table and view on one line each, with its comment', async () => {
    await load(dataDir());
    const r = await run(['--data-dir', dataDir(), '--format', 'csv']);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toBe('name,kind,comment');
    const byName = new Map(lines.slice(1).map((l) => [l.split(',')[0], l]));
    for (const name of ['observations', 'hourly_demand', 'daily_summary', 'daily_summary_local', 'respondents', 'runs', 'units', 'meta']) {
      expect(byName.has(name), name).toBe(true);
    }
    for (const l of lines.slice(1)) expect(l.split(',').slice(2).join(','), l).not.toBe('');
    expect(byName.get('observations')).toContain('UTC instant ENDING the hour');
  });

  it('is read-only: a write fails in one line with exit 1 and changes nothing', async () => {
    await load(dataDir());
    const r = await run(['--data-dir', dataDir(), 'DELETE FROM units']);
    expect(r.code).toBe(1);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/read-only/i);
    expect((await run(['--data-dir', dataDir(), '--format', 'csv', 'SELECT count(*) FROM units'])).out).toBe('count_star()\n1\n');
  });

  it('a SQL error is one line (no LINE/caret context, no stack), exit 1', async () => {
    await load(dataDir());
    for (const sql of ['SELEC 1', 'SELECT nope FROM observations', 'SELECT * FROM missing_table']) {
      const r = await run(['--data-dir', dataDir(), sql]);
      expect(r.code, sql).toBe(1);
      expect(r.out).toBe('');
      expect(r.err.trimEnd().split('\n'), sql).toHaveLength(1);
      expect(r.err).toMatch(/^eia-stream query: error: .*\[ETL_QUERY_FAILED\]$/m);
      expect(r.err).not.toMatch(/\bat .*\.(ts|js|mjs):\d+/);
    }
  });

  it('bad flags: one line naming the flag and the allowed values, exit 2, nothing written', async () => {
    const cases: [string[], RegExp][] = [
      [['--format', 'xml', 'SELECT 1'], /--format must be one of table, csv, json, parquet/],
      [['--format', 'parquet', 'SELECT 1'], /--format parquet needs --out/],
      [['--max-rows', '0', 'SELECT 1'], /--max-rows must be a positive integer/],
      [['--bogus'], /unknown or malformed option --bogus; allowed: --data-dir/],
    ];
    for (const [args, re] of cases) {
      const r = await run(['--data-dir', dataDir(), ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err.split('\n')[0]).toMatch(re);
      expect(r.err.split('\n')[0]).toContain('[ETL_CONFIG_INVALID]');
    }
    expect(await readdir(dataDir())).toEqual([]);
    expect(parseQueryArgs(['select', '1']).kind === 'run' && (parseQueryArgs(['select', '1']) as { options: { sql: string } }).options.sql).toBe('select 1');
  });

  it('no warehouse: one line naming the path, exit 1, nothing created', async () => {
    const r = await run(['--data-dir', dataDir(), 'SELECT 1']);
    expect(r.code).toBe(1);
    expect(r.err).toContain(path.join(dataDir(), WAREHOUSE_FILE));
    expect(existsSync(path.join(dataDir(), WAREHOUSE_FILE))).toBe(false);
  });

  it('while another process writes the warehouse: one line saying so and pointing to --parquet, which answers', async () => {
    await load(dataDir());
    const file = path.join(dataDir(), WAREHOUSE_FILE);
    // A writer in another process: DuckDB's file lock is per process.
    const child = spawn(
      process.execPath,
      ['--input-type=module', '-e', `import { DuckDBInstance } from '@duckdb/node-api'; const db = await DuckDBInstance.create(${JSON.stringify(file)}); await db.connect(); console.log('ready'); setInterval(() => {}, 1000);`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d) => String(d).includes('ready') && resolve());
        child.once('exit', (c) => reject(new Error(`writer exited ${c}`)));
      });
      const r = await run(['--data-dir', dataDir(), 'SELECT count(*) FROM observations']);
      expect(r.code).toBe(1);
      expect(r.err.trimEnd().split('\n')).toHaveLength(1);
      expect(r.err).toContain(`is open for writing by a pipeline run (pid ${child.pid})`);
      expect(r.err).toContain('npm run query -- --parquet');
      expect(r.err).toContain('[ETL_LOCKED]');
      const pq = await run(['--data-dir', dataDir(), '--parquet', '--format', 'csv', 'SELECT dataset, year, count(*) AS n FROM observations GROUP BY ALL']);
      expect(pq.err).toBe('');
      expect(pq.out).toBe('dataset,year,n\nregion-data,2024,48\n');
    } finally {
      child.kill();
    }
  }, 60_000);

  it('the views give each hour its start and end in UTC and in the BA local time', async () => {
    await load(dataDir());
    const r = await run([
      '--data-dir', dataDir(), '--format', 'csv',
      `SELECT respondent, hour_start_utc, hour_end_utc, time_zone, hour_start_local, hour_end_local FROM hourly_demand WHERE period = TIMESTAMPTZ '2024-03-01 01:00:00+00' ORDER BY 1`,
    ]);
    expect(r.out).toBe(
      'respondent,hour_start_utc,hour_end_utc,time_zone,hour_start_local,hour_end_local\n' +
        'ERCO,2024-03-01 00:00:00,2024-03-01 01:00:00,America/Chicago,2024-02-29 18:00:00,2024-02-29 19:00:00\n' +
        'PACW,2024-03-01 00:00:00,2024-03-01 01:00:00,America/Los_Angeles,2024-02-29 16:00:00,2024-02-29 17:00:00\n',
    );
  });
});
