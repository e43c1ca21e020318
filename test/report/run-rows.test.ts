import { describe, expect, it } from 'vitest';
import { toRunRow, type RunsQueryRow } from '../../src/report/run-rows.js';

const row = (over: Partial<RunsQueryRow>): RunsQueryRow => ({
  run_id: 'r1', command: 'historical', source: 'simulator', status: 'ok', started_ms: 0, duration_ms: 1000,
  range: '2024-01-01T00 → 2024-01-02T00', regions: 'PACW,ERCO', types: 'demand', units: 2, rows_received: 48,
  rows_loaded: 48, rows_quarantined: 0, arguments: '{"requestsPerHour":5000}', summary: null, ...over,
});

describe('runs rows', () => {
  it('reads rows/s, requests, the busiest hour against the budget and 429s counted as retries', () => {
    const r = toRunRow(row({ summary: JSON.stringify({ rowsPerSecond: 24, requests: 7, maxRequestsInAnyHour: 7, retriesByCause: { ETL_RATE_LIMITED: 3, ETL_TIMEOUT: 1 } }) }));
    expect(r).toMatchObject({ rowsPerSecond: 24, requests: 7, maxRequestsInAnyHour: 7, requestsPerHour: 5000, throttled: 3, regions: ['PACW', 'ERCO'] });
  });

  it('prefers the summary’s own throttled count, as a number or with a total', () => {
    expect(toRunRow(row({ summary: '{"throttled":5,"retriesByCause":{}}' })).throttled).toBe(5);
    expect(toRunRow(row({ summary: '{"throttled":{"total":2,"byWindow":{}}}' })).throttled).toBe(2);
    expect(toRunRow(row({ summary: '{"retriesByCause":{}}' })).throttled).toBe(0);
  });

  it('leaves what is not recorded null: no summary, a running run, a replay (no requests)', () => {
    const none = toRunRow(row({ summary: null, arguments: null, status: 'running' }));
    expect(none).toMatchObject({ rowsPerSecond: null, requests: null, maxRequestsInAnyHour: null, requestsPerHour: null, throttled: null });
    const replay = toRunRow(row({ source: 'raw-archive', summary: '{"rowsPerSecond":900,"requests":0,"retriesByCause":{}}' }));
    expect(replay).toMatchObject({ rowsPerSecond: 900, requests: null, throttled: null });
    expect(toRunRow(row({ summary: 'not json' })).rowsPerSecond).toBeNull();
  });
});
