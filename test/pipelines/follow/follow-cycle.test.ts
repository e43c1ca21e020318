/** follow's pure helpers: a cycle's figures from its run summary, and which failures only mean "warehouse busy". */
import { describe, expect, it } from 'vitest';
import { EtlError } from '../../../src/core/errors.js';
import { cycleFigures, isWarehouseBusy } from '../../../src/pipelines/commands/follow-cycle.js';
import type { RunResult } from '../../../src/pipelines/run.js';

describe('cycleFigures', () => {
  it('takes rows from the summary and splits requests into answered and retried by cause', () => {
    const summary = { rowsLoaded: 100, rowsNew: 7, rowsQuarantined: 2, rowsRevised: 5, requests: 12, retriesByCause: { ETL_RATE_LIMITED: 2, ETL_HTTP_STATUS: 1 } };
    const f = cycleFigures({ exitCode: 0, summary } as unknown as RunResult, 1500);
    expect(f).toEqual({
      rowsLoaded: 100, rowsNew: 7, rowsQuarantined: 2, rowsRevised: 5,
      requestsByStatus: { ok: 9, ETL_RATE_LIMITED: 2, ETL_HTTP_STATUS: 1 }, throttled: 2, durationMs: 1500, ok: true,
    });
  });

  it('is all zeros and not ok without a run', () => {
    expect(cycleFigures(null, 10)).toMatchObject({ rowsLoaded: 0, requestsByStatus: {}, ok: false, durationMs: 10 });
  });
});

describe('isWarehouseBusy', () => {
  it('is true for the data dir lock and for DuckDB file lock conflicts only', () => {
    expect(isWarehouseBusy(new EtlError('ETL_LOCKED', 'sink', 'data directory d is in use by pid 1'))).toBe(true);
    const duck = new Error('IO Error: Could not set lock on file "data/eia.duckdb": Conflicting lock is held in node (PID 7)');
    expect(isWarehouseBusy(new EtlError('ETL_SINK_WRITE', 'sink', `cannot open DuckDB warehouse: ${duck.message}`, { cause: duck }))).toBe(true);
    expect(isWarehouseBusy(new EtlError('ETL_SINK_WRITE', 'sink', 'disk full'))).toBe(false);
    expect(isWarehouseBusy(new EtlError('ETL_NETWORK', 'source', 'ECONNREFUSED'))).toBe(false);
  });
});
