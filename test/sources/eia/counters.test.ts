import { describe, expect, it } from 'vitest';
import { createCounters, percentile } from '../../../src/sources/eia/counters.js';

describe('source counters', () => {
  it('counts requests, retries by cause, rows, bytes and rows per request', () => {
    const c = createCounters({ now: () => 10_000 });
    for (let i = 0; i < 4; i++) c.recordSend(1000 + i * 100, i === 0);
    c.recordRetry('ETL_HTTP_STATUS');
    c.recordRetry('ETL_HTTP_STATUS');
    c.recordRetry('ETL_RATE_LIMITED');
    c.recordPage(5000);
    c.recordPage(1000);
    c.recordResponse(100, 2048);
    c.recordRestart();
    expect(c.snapshot()).toMatchObject({
      requests: 4,
      probes: 1,
      retries: 3,
      retriesByCause: { ETL_HTTP_STATUS: 2, ETL_RATE_LIMITED: 1 },
      pages: 2,
      rows: 6000,
      bytes: 2048,
      rowsPerRequest: 1500,
      unitRestarts: 1,
      budgetUsed: 4,
    });
  });

  it('reports the densest 1-s and 3,600-s windows of the send log, by actual send time', () => {
    const c = createCounters({ now: () => 0 });
    const sent = [0, 500, 1200, 1300, 1400].map((t) => c.recordSend(t));
    expect(c.snapshot().maxRequestsInAnySecond).toBe(4);
    sent[0](1100); // its headers only went out at 1100 (slow connect): now 5 fall within [500, 1500)
    expect(c.snapshot().maxRequestsInAnySecond).toBe(5);
    expect(c.snapshot().maxRequestsInAnyHour).toBe(5);
  });

  it('latency percentiles are nearest-rank', () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(v, 50), percentile(v, 95), percentile(v, 99)]).toEqual([50, 95, 99]);
    expect(percentile([], 50)).toBe(0);
    const c = createCounters();
    for (const ms of [5, 1, 3, 2, 4]) c.recordResponse(ms, 0);
    expect(c.snapshot().latencyMs).toEqual({ p50: 3, p95: 5, p99: 5 });
  });
});
