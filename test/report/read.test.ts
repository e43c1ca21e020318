/**
 * The report's aggregates against the warehouse's own views (independent SQL over `observations`) on a small
 * simulated warehouse, and the report's promise to read only: the data directory is byte-for-byte unchanged.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportData } from '../../src/report/model.js';
import { grainOf, readReportData } from '../../src/report/read.js';
import { buildSimulatedWarehouse, FIXTURE } from './support.js';

let dir = '';
let data: ReportData;
let conn: DuckDBConnection;
let db: DuckDBInstance;
let before: Map<string, string>;

async function snapshot(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const e of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const f = path.join(e.parentPath, e.name);
    const s = await stat(f);
    out.set(path.relative(root, f), `${s.size}:${s.mtimeMs}:${(await readFile(f)).subarray(0, 4096).toString('base64')}`);
  }
  return out;
}

const rows = async (sql: string) => (await conn.runAndReadAll(sql)).getRowObjectsJS();

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'eia-report-read-'));
  await buildSimulatedWarehouse(dir);
  before = await snapshot(dir);
  data = await readReportData(dir, () => 0);
  db = await DuckDBInstance.create(path.join(dir, 'eia.duckdb'), { access_mode: 'READ_ONLY' });
  conn = await db.connect();
  await conn.run(`SET TimeZone = 'UTC'`);
}, 180_000);

afterAll(async () => {
  conn?.closeSync();
  db?.closeSync();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('report data', () => {
  it('reads without writing anything in the data directory', async () => {
    expect(await snapshot(dir)).toEqual(before);
  });

  it('counts rows and respondents as observations does', async () => {
    const [o] = await rows('SELECT count(*)::DOUBLE AS n, count(DISTINCT respondent)::DOUBLE AS r FROM observations');
    expect(data.datasets.reduce((a, d) => a + d.rows, 0)).toBe(o.n);
    expect(data.respondents.map((r) => r.code)).toEqual([...FIXTURE.regions].sort());
    const cov = await rows(`SELECT dataset, respondent, strftime(month, '%Y-%m') AS month, sum(rows)::DOUBLE AS present
      FROM data_quality GROUP BY ALL ORDER BY ALL`);
    expect(data.coverage).toEqual(cov);
  });

  it('flag counts equal data_quality', async () => {
    const v = await rows(`SELECT dataset, respondent, sum(flagged)::DOUBLE AS flagged, sum(identical_run)::DOUBLE AS ir,
      sum(missing_value)::DOUBLE AS mv FROM data_quality GROUP BY ALL HAVING sum(flagged) > 0 ORDER BY ALL`);
    const mine = [...data.flagTotals]
      .sort((a, b) => a.dataset.localeCompare(b.dataset) || a.respondent.localeCompare(b.respondent))
      .map((t) => ({ dataset: t.dataset, respondent: t.respondent, flagged: t.flagged, ir: t.byRule.identical_run, mv: t.byRule.missing_value }));
    expect(mine).toEqual(v);
    expect(v.length).toBeGreaterThan(0);
  });

  it('gaps equal coverage_gaps', async () => {
    const [t] = await rows('SELECT count(*)::DOUBLE AS runs, coalesce(sum(hours), 0)::DOUBLE AS hours FROM coverage_gaps');
    expect(data.gapTotals).toEqual({ runs: t.runs, hours: t.hours });
    const [longest] = await rows('SELECT max(hours)::DOUBLE AS h FROM coverage_gaps');
    expect(data.longestGaps[0]?.hours ?? null).toBe(longest.h);
  });

  it('daily demand equals daily_summary on days without an excluded hour', async () => {
    const v = await rows(`SELECT respondent, strftime(day_utc, '%Y-%m-%d') AS day, avg_mwh AS mean, min_mwh AS min, max_mwh AS max
      FROM daily_summary d WHERE dataset = 'region-data' AND series = 'D' AND NOT EXISTS (
        SELECT 1 FROM observations o WHERE o.dataset = 'region-data' AND o.series = 'D' AND o.respondent = d.respondent
          AND CAST(timezone('UTC', o.period - INTERVAL 1 HOUR) AS DATE) = d.day_utc AND (o.value IS NULL OR o.flags & 11 <> 0))
      ORDER BY ALL`);
    const keys = new Set(v.map((r) => `${r.respondent}|${r.day}`));
    const mine = data.demand.filter((d) => keys.has(`${d.respondent}|${d.day}`));
    expect(mine).toHaveLength(v.length);
    expect(v.length).toBeGreaterThan(50);
    mine.forEach((d, i) => {
      expect(d.min).toBe(v[i].min);
      expect(d.max).toBe(v[i].max);
      expect(d.mean).toBeCloseTo(v[i].mean as number, 6);
    });
  });

  it('buckets the mix and the forecast error by day on short ranges, by month on long ones', () => {
    expect(data.grain).toBe('day');
    const extent = (days: number) => ({ dataset: 'x', respondents: 1, series: 1, rows: 1, firstMs: 0, lastMs: days * 86_400_000 });
    expect(grainOf([extent(120)])).toBe('day');
    expect(grainOf([extent(30), extent(121)])).toBe('month');
  });

  it('forecast error and mix come from the hours that have them', async () => {
    const [f] = await rows(`SELECT count(*)::DOUBLE AS n FROM hourly_demand d JOIN observations f ON f.dataset = 'region-data'
      AND f.series = 'DF' AND f.respondent = d.respondent AND f.period = d.period WHERE d.demand_mwh IS NOT NULL AND f.value IS NOT NULL`);
    expect(data.forecast.reduce((a, r) => a + r.hours, 0)).toBe(f.n);
    for (const r of FIXTURE.regions) {
      const days = new Set(data.mix.filter((m) => m.respondent === r).map((m) => m.bucket));
      // 3 weeks: daily buckets, 2023-12-31 (the first stamp's hour) to 2024-01-21.
      expect(days.size).toBe(22);
      for (const d of days) {
        const total = data.mix.filter((x) => x.respondent === r && x.bucket === d).reduce((a, x) => a + x.share, 0);
        expect(total).toBeCloseTo(1, 9);
      }
    }
    expect(data.revisions.total).toBe(4);
    expect(data.copies).toEqual({
      keys: 3,
      pairs: [{ aSource: 'api', bSource: 'grid-monitor', dataset: 'region-data', series: 'D', keys: 3, equal: 2, different: 1, maxAbsDifference: 12 }],
      // The one adjusted hour has the API on the reported figure.
      columns: [{ dataset: 'region-data', series: 'D', keys: 3, hoursAdjustedDiffers: 1, apiEqualsReported: 2, apiEqualsAdjusted: 1, verdict: 'reported' }],
      largest: [{ aSource: 'api', bSource: 'grid-monitor', dataset: 'region-data', respondent: 'PACW', series: 'D', periodMs: Date.UTC(2024, 0, 10, 3), aValue: 3200, bValue: 3212 }],
    });
    expect(data.quarantine).toEqual([
      { dataset: 'region-data', reason: 'BAD_VALUE', rows: 2 },
      { dataset: 'fuel-type-data', reason: 'UNKNOWN_TYPE', rows: 1 },
    ]);
    expect(data.runs).toHaveLength(1);
    expect(data.runs[0]).toMatchObject({ source: 'simulator', status: 'ok', command: 'historical', throttled: 0 });
  });
});
