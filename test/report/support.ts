/**
 * A small real warehouse for the report tests: a short historical run of the pipeline against its built-in
 * simulator (no key, so the run is recorded as `source=simulator`), with demand, forecast and generation for three
 * respondents. The simulator revises only hours near its "now" and sends no row that fails a hard check, so a few
 * `revisions` and `quarantine` rows are then added through the warehouse, as an incremental run and a bad page
 * would have written them.
 */
import { Writable } from 'node:stream';
import { parseCli } from '../../src/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { runCommand } from '../../src/pipelines/run.js';
import { openWarehouse } from '../../src/store/duckdb/warehouse.js';

export const FIXTURE = {
  start: '2024-01-01',
  end: '2024-01-22',
  regions: ['PACW', 'MISO', 'ERCO'],
  types: ['demand', 'forecast', 'generation'],
} as const;

const sink = () => new Writable({ write: (_c, _e, cb) => cb() }) as unknown as NodeJS.WriteStream;

export async function buildSimulatedWarehouse(dataDir: string): Promise<void> {
  const parsed = parseCli(
    ['historical', '--start', FIXTURE.start, '--end', FIXTURE.end, '--regions', FIXTURE.regions.join(','), '--types', FIXTURE.types.join(','),
      '--data-dir', dataDir, '--no-progress', '--log-level', 'silent'],
    {},
  );
  if (parsed.kind !== 'run') throw new Error('expected a run config');
  const result = await runCommand(parsed.config, { logger: silentLogger(), signal: new AbortController().signal, stdout: sink(), stderr: sink() });
  if (result.exitCode !== 0) throw new Error(`fixture run failed: ${result.summary?.error}`);

  const wh = await openWarehouse(dataDir);
  const conn = await wh.connect();
  try {
    await conn.run(`
      INSERT INTO revisions VALUES
        ('region-data', 'PACW', 'D', TIMESTAMPTZ '2024-01-20 05:00:00+00', 3000, 3010, TIMESTAMPTZ '2024-01-25 12:00:00+00', 'u1'),
        ('region-data', 'PACW', 'D', TIMESTAMPTZ '2024-01-20 06:00:00+00', 3100, 3400, TIMESTAMPTZ '2024-01-25 12:00:00+00', 'u1'),
        ('region-data', 'MISO', 'DF', TIMESTAMPTZ '2024-01-21 01:00:00+00', 70000, 70001, TIMESTAMPTZ '2024-01-26 12:00:00+00', 'u2'),
        ('fuel-type-data', 'ERCO', 'WND', TIMESTAMPTZ '2024-01-19 10:00:00+00', NULL, 12000, TIMESTAMPTZ '2024-01-26 12:00:00+00', 'u3')`);
    await conn.run(`
      INSERT INTO quarantine VALUES
        ('u1', 'region-data', 'BAD_VALUE', 'value is not a number', '{}', 'u1-p0', 3, now()),
        ('u1', 'region-data', 'BAD_VALUE', 'value is not a number', '{}', 'u1-p0', 4, now()),
        ('u3', 'fuel-type-data', 'UNKNOWN_TYPE', 'CO2.EM', '{}', 'u3-p0', 1, now())`);
    // A six-month CSV load over three stored PACW demand hours: two equal, one 12 MWh apart; EIA adjusted one.
    await conn.run(`
      INSERT INTO source_copies VALUES
        ('region-data', 'PACW', 'D', TIMESTAMPTZ '2024-01-10 01:00:00+00', 'api', 3000, 'grid-monitor', 3000, TIMESTAMPTZ '2024-02-01 00:00:00+00', 'gm-a'),
        ('region-data', 'PACW', 'D', TIMESTAMPTZ '2024-01-10 02:00:00+00', 'api', 3100, 'grid-monitor', 3100, TIMESTAMPTZ '2024-02-01 00:00:00+00', 'gm-a'),
        ('region-data', 'PACW', 'D', TIMESTAMPTZ '2024-01-10 03:00:00+00', 'api', 3200, 'grid-monitor', 3212, TIMESTAMPTZ '2024-02-01 00:00:00+00', 'gm-a')`);
    await conn.run(`
      INSERT INTO bulk_variants VALUES
        ('region-data', 'PACW', 'D', TIMESTAMPTZ '2024-01-10 01:00:00+00', 3000, NULL, 'gm-a'),
        ('region-data', 'PACW', 'D', TIMESTAMPTZ '2024-01-10 02:00:00+00', 3150, 3150, 'gm-a'),
        ('region-data', 'PACW', 'D', TIMESTAMPTZ '2024-01-10 03:00:00+00', 3212, NULL, 'gm-a')`);
  } finally {
    conn.closeSync();
    await wh.close();
  }
}
