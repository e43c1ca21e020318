import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { isEtlError } from '../../../src/core/errors.js';
import { HOUR_MS } from '../../../src/core/time.js';
import { LOCK_FILE, pidAlive } from '../../../src/store/lock.js';
import { VIEW_NAMES } from '../../../src/store/duckdb/schema.js';
import { openWarehouse, WAREHOUSE_FILE, type Warehouse } from '../../../src/pipelines/warehouse.js';
import type { PageBatch } from '../../../src/core/contracts.js';
import { fixtureBatch, fixtureEnd, fixtureRecords, fixtureUnit, fixtureUnitBatches, testSink, useTempDir, writeUnit } from '../../support/sink-contract.js';

async function rows(w: Warehouse, sql: string): Promise<unknown[][]> {
  const c = await w.connect();
  try {
    return (await c.runAndReadAll(sql)).getRows();
  } finally {
    c.closeSync();
  }
}

const recId = (r: { respondent: string; series: string; period: number; value: number | null }) =>
  `${r.respondent}|${r.series}|${r.period}|${r.value}`;

testSink('duckdb', async (dataDir) => {
  const w = await openWarehouse(dataDir, { memoryLimit: '64MB', threads: 1 });
  return {
    sink: w.sink,
    persisted: async () =>
      (await rows(w, 'SELECT respondent, series, epoch_ms(period)::DOUBLE, value FROM observations')).map(([r, s, p, v]) =>
        recId({ respondent: String(r), series: String(s), period: Number(p), value: v as number | null }),
      ),
    idsOf: (batches: readonly PageBatch[]) => batches.flatMap((b) => b.records.map(recId)),
    dispose: () => w.close(),
  };
});

/** A process that lives until killed, and one that has exited (its pid is dead). */
function liveChild() {
  return spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
}
async function deadPid(): Promise<number> {
  const c = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((r) => c.on('exit', r));
  return c.pid!;
}

describe('DuckDB warehouse', () => {
  const dataDir = useTempDir();

  it('upserting a unit whose values changed records revisions (old → new) and keeps one row per key', async () => {
    const w = await openWarehouse(dataDir(), { now: () => Date.UTC(2025, 0, 1) });
    const unit = fixtureUnit(0);
    await writeUnit(w.sink, fixtureUnitBatches(unit, 2, 10, (i) => i));
    await writeUnit(w.sink, fixtureUnitBatches(unit, 2, 10, (i) => (i === 3 ? 333 : i === 5 ? null : i)));
    const rev = await rows(w, 'SELECT respondent, series, epoch_ms(period)::DOUBLE, old_value, new_value, unit_id FROM revisions ORDER BY new_value NULLS FIRST');
    const recs = fixtureRecords(unit, 0, 20);
    expect(rev).toEqual([
      [recs[5].respondent, recs[5].series, recs[5].period, 5, null, unit.id],
      [recs[3].respondent, recs[3].series, recs[3].period, 3, 333, unit.id],
    ]);
    expect(await rows(w, 'SELECT count(*)::INTEGER, count(DISTINCT (dataset, respondent, series, period))::INTEGER FROM observations')).toEqual([[20, 20]]);
    expect(w.sink.stats().revisions).toBe(2);
    await w.close();
  });

  it('units of two datasets over the same window keep each other’s rows; a re-run replaces only its own dataset', async () => {
    const w = await openWarehouse(dataDir(), { now: () => Date.UTC(2025, 0, 1) });
    const region = fixtureUnit(11);
    const fuel = { ...fixtureUnit(11), id: 'fuel-type-data-2024-u0011', dataset: 'fuel-type-data' as const };
    const asFuel = (bs: PageBatch[]) => bs.map((b) => fixtureBatch(fuel, b.page.offset, b.records.map((r) => ({ ...r, dataset: 'fuel-type-data' as const, source_page: `${fuel.id}-p${b.page.offset}` }))));
    await writeUnit(w.sink, fixtureUnitBatches(region, 2, 10, (i) => i));
    await writeUnit(w.sink, asFuel(fixtureUnitBatches(region, 2, 10, (i) => 100 + i)));
    await writeUnit(w.sink, fixtureUnitBatches(region, 2, 10, (i) => (i === 4 ? 444 : i)));
    expect(await rows(w, 'SELECT dataset, count(*)::INTEGER, sum(value) FROM observations GROUP BY 1 ORDER BY 1')).toEqual([
      ['fuel-type-data', 20, 20 * 100 + 190],
      ['region-data', 20, 190 - 4 + 444],
    ]);
    expect(await rows(w, 'SELECT dataset, old_value, new_value FROM revisions')).toEqual([['region-data', 4, 444]]);
    await w.close();
  });

  it('units of one respondent each over one window (a bulk file’s units): a re-run touches only its respondent; copies are found with and without facets', async () => {
    const w = await openWarehouse(dataDir(), { now: () => Date.UTC(2025, 0, 1) });
    const one = (id: string, respondent: string) => ({ ...fixtureUnit(12, { respondents: [respondent] }), id });
    const a = one('region-data-2024-a', 'AAA');
    const b = one('region-data-2024-b', 'BBB');
    await writeUnit(w.sink, fixtureUnitBatches(a, 1, 10, (i) => i));
    await writeUnit(w.sink, fixtureUnitBatches(b, 1, 10, (i) => 100 + i));
    // A's re-run: value 2 changed, the last two rows no longer sent (the earlier copy's rows go).
    await writeUnit(w.sink, fixtureUnitBatches(a, 1, 8, (i) => (i === 2 ? 222 : i)));
    expect(await rows(w, 'SELECT respondent, count(*)::INTEGER, sum(value) FROM observations GROUP BY 1 ORDER BY 1')).toEqual([
      ['AAA', 8, 28 - 2 + 222],
      ['BBB', 10, 1045],
    ]);
    expect(await rows(w, 'SELECT respondent, old_value, new_value FROM revisions')).toEqual([['AAA', 2, 222]]);
    // Another form of the data meets AAA's keys (facets) and, with no facets at all, BBB's (no source yields a
    // facet-less unit today; the sink must still find its copies, unfiltered).
    await writeUnit(w.sink, fixtureUnitBatches(one('bulk-region-data-2024-a', 'AAA'), 1, 8, (i) => (i === 2 ? 222 : i)));
    const gm = fixtureUnitBatches(one('gm-region-data-2024-b', 'BBB'), 1, 10, (i) => 100 + i);
    await writeUnit(w.sink, gm.map((batch) => ({ ...batch, page: { ...batch.page, unit: { ...batch.page.unit, facets: Object.freeze({}) } } })));
    expect(await rows(w, `SELECT respondent, stored_source, loaded_source, count(*)::INTEGER, count(*) FILTER (WHERE stored_value = loaded_value)::INTEGER
      FROM source_copies GROUP BY ALL ORDER BY 1`)).toEqual([
      ['AAA', 'api', 'bulk', 8, 8],
      ['BBB', 'api', 'grid-monitor', 10, 10],
    ]);
    expect(await rows(w, 'SELECT count(*)::INTEGER, count(DISTINCT (dataset, respondent, series, period))::INTEGER FROM observations')).toEqual([[18, 18]]);
    // A re-run that no longer sends one of its facets' respondents at all: that respondent's earlier rows go too.
    const c = fixtureUnit(13, { respondents: ['AAA', 'CCC'] });
    await writeUnit(w.sink, fixtureUnitBatches(c, 1, 8));
    const onlyAaa = fixtureUnitBatches(c, 1, 8).map((batch) => fixtureBatch(c, 0, batch.records.filter((r) => r.respondent === 'AAA')));
    await writeUnit(w.sink, onlyAaa);
    expect(await rows(w, `SELECT respondent, count(*)::INTEGER FROM observations WHERE epoch_ms(period) >= ${c.startMs} GROUP BY 1`)).toEqual([['AAA', 4]]);
    await w.close();
  });

  it('writes the ledger row, pages and quarantine in the commit; completedUnitIds lists committed units only', async () => {
    const w = await openWarehouse(dataDir());
    const a = fixtureUnit(1);
    const batches = fixtureUnitBatches(a, 3, 4);
    await writeUnit(w.sink, batches);
    await w.sink.write(fixtureUnitBatches(fixtureUnit(2), 1, 4)[0]); // staged, never committed
    expect([...(await w.completedUnitIds())]).toEqual([a.id]);
    expect(await rows(w, `SELECT dataset, epoch_ms(window_start)::DOUBLE, total::INTEGER, rows::INTEGER, pages, records::INTEGER, quarantined::INTEGER FROM units`)).toEqual([
      ['region-data', a.startMs, 15, 15, 3, 12, 3],
    ]);
    expect(await rows(w, 'SELECT page_id, page_offset, status, rows, api_version FROM pages ORDER BY page_offset')).toEqual(
      batches.map((b) => [b.page.pageId, b.page.offset, 200, 5, '2.1.8']),
    );
    expect(await rows(w, `SELECT count(*)::INTEGER FROM quarantine WHERE unit_id = '${a.id}' AND reason = 'BAD_VALUE'`)).toEqual([[3]]);
    await writeUnit(w.sink, fixtureUnitBatches(a, 1, 4)); // re-run: fewer pages
    expect(await rows(w, 'SELECT count(*)::INTEGER FROM pages')).toEqual([[1]]);
    expect(await rows(w, 'SELECT count(*)::INTEGER FROM quarantine')).toEqual([[1]]);
    expect(await rows(w, 'SELECT count(*)::INTEGER FROM observations')).toEqual([[4]]);
    await w.close();
  });

  it('latestPeriods gives the newest stored period per respondent|series', async () => {
    const w = await openWarehouse(dataDir());
    const unit = fixtureUnit(3);
    await writeUnit(w.sink, fixtureUnitBatches(unit, 1, 8)); // 2 hours × AAA/BBB × D/NG
    const m = await w.latestPeriods('region-data', ['AAA']);
    expect(Object.fromEntries(m)).toEqual({ 'AAA|D': unit.startMs + HOUR_MS, 'AAA|NG': unit.startMs + HOUR_MS });
    expect((await w.latestPeriods('fuel-type-data', ['AAA'])).size).toBe(0);
    await w.close();
  });

  it('records runs: startRun inserts a running row without the key, finishRun completes it', async () => {
    let t = Date.UTC(2025, 0, 1);
    const w = await openWarehouse(dataDir(), { now: () => t });
    const id = await w.startRun({
      command: 'historical',
      args: { start: '2024-01-01T00', url: 'https://x/?api_key=SECRET123&a=1', apiKey: 'SECRET123' },
      source: 'simulator',
      startMs: Date.UTC(2024, 0, 1),
      endMs: Date.UTC(2024, 1, 1),
      regions: ['PJM', 'MISO'],
      types: ['region-data'],
    });
    t += 1500;
    await w.finishRun(id, { status: 'ok', durationMs: 1500, units: 3, pages: 4, rowsReceived: 10, rowsLoaded: 9, rowsQuarantined: 1 });
    const [[status, args, regions, dur, loaded, summary]] = await rows(w, `SELECT status, arguments::VARCHAR, regions::VARCHAR, duration_ms::INTEGER, rows_loaded::INTEGER, summary::VARCHAR FROM runs WHERE run_id = '${id}'`);
    expect([status, regions, dur, loaded]).toEqual(['ok', '[PJM, MISO]', 1500, 9]);
    expect(String(args)).not.toContain('SECRET123');
    expect(JSON.parse(String(summary)).units).toBe(3);
    await w.close();
  });

  it('markKilledRuns marks only the runs left running as killed, and returns their ids', async () => {
    const w = await openWarehouse(dataDir());
    const run = (command: string) => ({ command, args: {}, source: 'simulator', startMs: Date.UTC(2024, 0, 1), endMs: Date.UTC(2024, 0, 2) });
    const finished = await w.startRun({ ...run('historical'), runId: 'r-finished' });
    await w.finishRun(finished, { status: 'ok', durationMs: 1, units: 0, pages: 0, rowsReceived: 0, rowsLoaded: 0, rowsQuarantined: 0 });
    await w.startRun({ ...run('incremental'), runId: 'r-left-running' });
    expect(await w.markKilledRuns()).toEqual(['r-left-running']);
    expect(await rows(w, 'SELECT run_id, status FROM runs ORDER BY run_id')).toEqual([
      ['r-finished', 'ok'],
      ['r-left-running', 'killed'],
    ]);
    expect(await w.markKilledRuns()).toEqual([]);
    await w.close();
  });

  it('checksum is independent of load order and of ingested_at', async () => {
    const a = fixtureUnitBatches(fixtureUnit(4), 2, 10);
    const b = fixtureUnitBatches(fixtureUnit(5), 2, 10);
    const w1 = await openWarehouse(path.join(dataDir(), 'one'));
    await writeUnit(w1.sink, a);
    await writeUnit(w1.sink, b);
    const c1 = await w1.checksum();
    await w1.close();
    const w2 = await openWarehouse(path.join(dataDir(), 'two'));
    const later = (bs: PageBatch[]) => bs.map((x) => fixtureBatch(x.page.unit, x.page.offset, x.records.map((r) => ({ ...r, ingested_at: r.ingested_at + 999_000 }))));
    await writeUnit(w2.sink, later(b));
    await writeUnit(w2.sink, later(a));
    const c2 = await w2.checksum();
    expect(c2).toEqual(c1);
    expect(c1.rows).toBe(40);
    await writeUnit(w2.sink, fixtureUnitBatches(fixtureUnit(5), 2, 10, (i) => i + 0.25));
    expect((await w2.checksum()).checksum).not.toBe(c1.checksum);
    await w2.close();
  });

  it('views answer: hourly_demand, generation_mix shares, daily_summary (24 h days), data_quality flags, coverage gaps', async () => {
    const w = await openWarehouse(dataDir());
    const unit = { ...fixtureUnit(6, { respondents: ['AAA'] }), startMs: Date.UTC(2024, 6, 1, 1) };
    // 48 hours of AAA D and NG, with hours 10..12 of D missing and one null
    const recs = fixtureRecords(unit, 0, 96, (i) => (i === 6 ? null : 100)).filter((r) => !(r.series === 'D' && [10, 11, 12].includes((r.period - unit.startMs) / HOUR_MS)));
    await writeUnit(w.sink, [fixtureBatch(unit, 0, recs)]);
    const fuel = { ...fixtureUnit(6, { respondents: ['AAA'] }), id: 'fuel-type-data-2024-x', dataset: 'fuel-type-data' as const };
    const fr = fixtureRecords(fuel, 0, 2, () => 0).map((r, i) => ({ ...r, dataset: 'fuel-type-data' as const, series: i ? 'SUN' : 'NG', value: i ? 30 : 70, period: Date.UTC(2024, 6, 1, 1) }));
    await writeUnit(w.sink, [fixtureBatch(fuel, 0, fr)]);
    for (const v of VIEW_NAMES) await rows(w, `SELECT * FROM ${v} LIMIT 1`);
    expect(await rows(w, 'SELECT count(*)::INTEGER, count(demand_mwh)::INTEGER FROM hourly_demand')).toEqual([[45, 44]]);
    expect(await rows(w, 'SELECT fuel, share FROM generation_mix ORDER BY fuel')).toEqual([['NG', 0.7], ['SUN', 0.3]]);
    expect(await rows(w, `SELECT day_utc::VARCHAR, hours::INTEGER FROM daily_summary WHERE series = 'NG' AND dataset = 'region-data' ORDER BY day_utc`)).toEqual([
      ['2024-07-01', 24],
      ['2024-07-02', 24],
    ]);
    expect(await rows(w, `SELECT month::VARCHAR, missing_value::INTEGER FROM data_quality WHERE series = 'D' AND dataset = 'region-data'`)).toEqual([['2024-07-01', 1]]);
    expect(await rows(w, `SELECT epoch_ms(gap_start)::DOUBLE, hours::INTEGER FROM coverage_gaps WHERE dataset = 'region-data'`)).toEqual([[unit.startMs + 10 * HOUR_MS, 3]]);
    expect(await rows(w, `SELECT expected_hours::INTEGER, present_hours::INTEGER, missing_hours::INTEGER, gap_runs::INTEGER FROM coverage WHERE series = 'D' AND dataset = 'region-data'`)).toEqual([[48, 45, 3, 1]]);
    await w.close();
  });

  it('a second open of the same data dir fails with ETL_LOCKED until the first closes', async () => {
    const w = await openWarehouse(dataDir());
    const e = await openWarehouse(dataDir()).then(() => null, (x: unknown) => x);
    expect(isEtlError(e, 'ETL_LOCKED')).toBe(true);
    await w.close();
    const w2 = await openWarehouse(dataDir());
    await w2.close();
  });

  it('a lock held by another live process gives ETL_LOCKED; a dead pid’s lock is taken over', async () => {
    const child = liveChild();
    try {
      await writeFile(path.join(dataDir(), LOCK_FILE), JSON.stringify({ pid: child.pid, host: (await import('node:os')).hostname() }));
      const e = await openWarehouse(dataDir()).then(() => null, (x: unknown) => x);
      expect(isEtlError(e, 'ETL_LOCKED')).toBe(true);
      expect((e as Error).message).toContain(String(child.pid));
    } finally {
      child.kill();
    }
    await writeFile(path.join(dataDir(), LOCK_FILE), JSON.stringify({ pid: await deadPid() }));
    const w = await openWarehouse(dataDir());
    await w.close();
  });

  it('a zombie (killed, not yet reaped) holder counts as dead, so a restart right after kill -9 takes the lock over', async () => {
    // `sleep 0.1` becomes a zombie: its parent exec'd into `sleep 5`, which never waits for it.
    const parent = spawn('sh', ['-c', 'sleep 0.1 & echo $!; exec sleep 5'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const zombie = Number(await new Promise<string>((r) => parent.stdout!.once('data', (d) => r(String(d).trim()))));
      await new Promise((r) => setTimeout(r, 400));
      expect(process.platform !== 'linux' || /\) Z /.test(readFileSync(`/proc/${zombie}/stat`, 'utf8'))).toBe(true);
      expect(pidAlive(zombie)).toBe(false);
      expect(pidAlive(parent.pid!)).toBe(true);
      await writeFile(path.join(dataDir(), LOCK_FILE), JSON.stringify({ pid: zombie, host: (await import('node:os')).hostname() }));
      const w = await openWarehouse(dataDir());
      await w.close();
    } finally {
      parent.kill();
    }
  });

  it('after close the file opens read-only in a fresh DuckDB with every table (checkpointed, no WAL needed)', async () => {
    const w = await openWarehouse(dataDir());
    await writeUnit(w.sink, fixtureUnitBatches(fixtureUnit(7), 1, 6));
    await w.close();
    const db = await DuckDBInstance.create(path.join(dataDir(), WAREHOUSE_FILE), { access_mode: 'READ_ONLY' });
    const c = await db.connect();
    expect((await c.runAndReadAll('SELECT count(*)::INTEGER FROM observations')).getRows()).toEqual([[6]]);
    expect((await c.runAndReadAll('SELECT count(*)::INTEGER FROM units')).getRows()).toEqual([[1]]);
    c.closeSync();
    db.closeSync();
    const { existsSync } = await import('node:fs');
    expect(existsSync(path.join(dataDir(), `${WAREHOUSE_FILE}.wal`))).toBe(false);
  });

  it('a failed commit rolls back: no ledger row, earlier units intact', async () => {
    const w = await openWarehouse(dataDir());
    const ok = fixtureUnitBatches(fixtureUnit(8), 1, 4);
    await writeUnit(w.sink, ok);
    const bad = fixtureUnitBatches(fixtureUnit(9), 1, 4);
    await w.sink.write(bad[0]);
    const c = await w.connect();
    await c.run('ALTER TABLE units ADD COLUMN extra INTEGER'); // the ledger INSERT (12 values) now fails
    c.closeSync();
    const e = await w.sink.commitUnit(fixtureEnd(bad[0].page.unit, bad)).then(() => null, (x: unknown) => x);
    expect(isEtlError(e, 'ETL_SINK_WRITE')).toBe(true);
    expect([...(await w.completedUnitIds())]).toEqual([ok[0].page.unit.id]);
    expect(await rows(w, 'SELECT count(*)::INTEGER FROM observations')).toEqual([[4]]);
    await w.close();
  });
});
