/**
 * Time conventions where users look: every README query answers the same whatever the client's TimeZone, the
 * local-day view counts DST days as 23/25 hours, and the comments state the hour-ending convention.
 *
 * The fixture spans a month boundary and the 2024 US spring-forward (10 March), where a query that groups by
 * `period` in the session zone answers differently in Los Angeles and in UTC (checked as a control).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { openWarehouse, WAREHOUSE_FILE } from '../../../src/pipelines/warehouse.js';
import { fixtureBatch, fixtureRecords, fixtureUnit, writeUnit } from '../../support/sink-contract.js';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';

const README = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../README.md');

/** The SQL of every `npm run query -- … "SELECT …"` line of the README (not the usage line `"SQL"`). */
function readmeQueries(): string[] {
  return readFileSync(README, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('npm run query -- '))
    .map((l) => /"((?:[^"\\]|\\.)*)"\s*(#.*)?$/.exec(l)?.[1])
    .filter((q): q is string => q !== undefined && /^(SELECT|WITH)\b/i.test(q));
}

let dir = '';
let db: DuckDBInstance;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'eia-time-'));
  // PACW and ERCO, D and NG, every hour from 2024-03-09T01 to 2024-04-02T00 (UTC period stamps).
  const unit = { ...fixtureUnit(2, { respondents: ['PACW', 'ERCO'] }), startMs: Date.UTC(2024, 2, 9, 1), endMs: Date.UTC(2024, 3, 2, 1) };
  const hours = (unit.endMs - unit.startMs) / 3_600_000;
  const w = await openWarehouse(dir);
  await writeUnit(w.sink, [fixtureBatch(unit, 0, fixtureRecords(unit, 0, hours * 4, (i) => 100 + (i % 97)))]);
  // What a grid-monitor load after an API load leaves beside the records (the README queries read both): EIA's
  // figures for every 10th PACW hour, imputed on every 20th, and the copies those hours met, every 30th different.
  const c = await w.connect();
  await c.run(`INSERT INTO bulk_variants SELECT dataset, respondent, series, period, value + 1, CASE WHEN n % 20 = 0 THEN value + 2 END, 'gm-x'
    FROM (SELECT *, row_number() OVER (ORDER BY period, series) AS n FROM observations WHERE respondent = 'PACW') WHERE n % 10 = 0`);
  await c.run(`INSERT INTO source_copies SELECT dataset, respondent, series, period, 'api', value + CASE WHEN n % 30 = 0 THEN 5 ELSE 0 END,
      'grid-monitor', value, period, 'gm-x'
    FROM (SELECT *, row_number() OVER (ORDER BY period, series) AS n FROM observations WHERE respondent = 'PACW') WHERE n % 10 = 0`);
  c.closeSync();
  await w.close();
  db = await DuckDBInstance.create(path.join(dir, WAREHOUSE_FILE), { access_mode: 'READ_ONLY' });
}, 60_000);

afterAll(async () => {
  db?.closeSync();
  await rm(dir, { recursive: true, force: true });
});

/** Rows of `sql` as text (DuckDB's own casts, which render TIMESTAMPTZ in the session zone), in a session zone. */
async function answer(sql: string, timeZone: string): Promise<string[]> {
  const c = await db.connect();
  try {
    await c.run(`SET TimeZone = '${timeZone}'`);
    const rows = (await c.runAndReadAll(`SELECT COLUMNS(*)::VARCHAR FROM (${sql})`)).getRows();
    return rows.map((r) => r.map(String).join('|')).sort();
  } finally {
    c.closeSync();
  }
}

describe('time conventions', () => {
  it('every README query gives the same answer with TimeZone UTC and America/Los_Angeles', async () => {
    const queries = readmeQueries();
    expect(queries.length).toBeGreaterThanOrEqual(4);
    for (const q of queries) {
      const utc = await answer(q, 'UTC');
      expect(utc.length, q).toBeGreaterThan(0);
      expect(await answer(q, 'America/Los_Angeles'), q).toEqual(utc);
      expect(await answer(q, 'Asia/Kolkata'), q).toEqual(utc);
    }
  });

  it('control: grouping by period in the session zone does differ (so the check above can fail)', async () => {
    const naive = `SELECT respondent, date_trunc('month', period) m, count(*) FROM hourly_demand GROUP BY ALL`;
    expect(await answer(naive, 'America/Los_Angeles')).not.toEqual(await answer(naive, 'UTC'));
  });

  it('daily_summary counts 24 hours per UTC day; daily_summary_local counts 23 on the spring-forward day', async () => {
    const utc = await answer(`SELECT day_utc, hours FROM daily_summary WHERE respondent = 'PACW' AND series = 'D' AND day_utc BETWEEN DATE '2024-03-09' AND DATE '2024-03-11'`, 'UTC');
    expect(utc).toEqual(['2024-03-09|24', '2024-03-10|24', '2024-03-11|24']);
    const local = await answer(
      `SELECT respondent, time_zone, day_local, hours FROM daily_summary_local WHERE series = 'D' AND day_local BETWEEN DATE '2024-03-09' AND DATE '2024-03-11'`,
      'UTC',
    );
    expect(local).toEqual([
      'ERCO|America/Chicago|2024-03-09|24', 'ERCO|America/Chicago|2024-03-10|23', 'ERCO|America/Chicago|2024-03-11|24',
      'PACW|America/Los_Angeles|2024-03-09|24', 'PACW|America/Los_Angeles|2024-03-10|23', 'PACW|America/Los_Angeles|2024-03-11|24',
    ]);
  });

  it('the hour-ending convention is in the comments of observations, its period column and the views', async () => {
    const c = await db.connect();
    try {
      const rows = (await c.runAndReadAll(
        `SELECT table_name, column_name, comment FROM duckdb_columns() WHERE column_name = 'period' AND table_name IN ('observations', 'hourly_demand', 'generation_mix')`,
      )).getRows();
      expect(rows).toHaveLength(3);
      for (const [, , comment] of rows) expect(String(comment)).toContain('UTC instant ENDING the hour');
      const missing = (await c.runAndReadAll(
        `SELECT view_name FROM duckdb_views() WHERE NOT internal AND schema_name = 'main' AND comment IS NULL
         UNION ALL SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND comment IS NULL`,
      )).getRows();
      expect(missing).toEqual([]);
    } finally {
      c.closeSync();
    }
  });
});
