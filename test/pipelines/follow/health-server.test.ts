import { afterEach, describe, expect, it } from 'vitest';
import { startHealthServer, type HealthServer } from '../../../src/pipelines/follow/health-server.js';
import { FollowMetrics } from '../../../src/pipelines/follow/metrics.js';
import type { Health } from '../../../src/pipelines/follow/schedule.js';

let server: HealthServer | undefined;
afterEach(async () => { await server?.close(); server = undefined; });

const get = async (path: string) => {
  const r = await fetch(`http://127.0.0.1:${server!.port}${path}`);
  return { status: r.status, type: r.headers.get('content-type') ?? '', text: await r.text() };
};

describe('follow health server', () => {
  it('serves Prometheus metrics fed from cycles, and /healthz that follows the health function', async () => {
    const metrics = new FollowMetrics({ defaultMetrics: false });
    let health: Health = { healthy: true, ageMs: 1000, reason: 'last successful cycle 1 s ago' };
    server = await startHealthServer({ port: 0, metrics, health: () => health });

    metrics.recordCycle({ rowsLoaded: 120, rowsQuarantined: 2, rowsRevised: 5, requestsByStatus: { '200': 7, '429': 1 }, throttled: 1, durationMs: 2500, ok: true }, Date.UTC(2026, 11, 4, 12));
    metrics.recordCycle({ rowsLoaded: 30, rowsQuarantined: 0, rowsRevised: 0, requestsByStatus: { '200': 2 }, throttled: 0, durationMs: 800, ok: false }, Date.UTC(2026, 11, 4, 13));
    metrics.setBudgetUsed(42);
    metrics.setFreshness([{ dataset: 'region-data', newestStoredMs: Date.UTC(2026, 11, 4, 10), frontierMs: Date.UTC(2026, 11, 4, 11) }]);

    const m = await get('/metrics');
    expect(m.status).toBe(200);
    expect(m.type).toMatch(/^text\/plain/);
    expect(m.text).toContain('eia_rows_total{outcome="loaded"} 150');
    expect(m.text).toContain('eia_rows_total{outcome="revised"} 5');
    expect(m.text).toContain('eia_requests_total{status="200"} 9');
    expect(m.text).toContain('eia_requests_total{status="429"} 1');
    expect(m.text).toContain('eia_throttled_responses_total 1');
    expect(m.text).toContain('eia_cycles_total{result="failed"} 1');
    expect(m.text).toContain('eia_cycle_duration_seconds_count 2');
    expect(m.text).toContain('eia_budget_requests_in_rolling_hour 42');
    expect(m.text).toContain('eia_frontier_lag_seconds{dataset="region-data"} 3600');
    expect(m.text).toContain(`eia_last_success_timestamp_seconds ${Date.UTC(2026, 11, 4, 12) / 1000}`);

    expect((await get('/healthz')).status).toBe(200);
    health = { healthy: false, ageMs: 9000, reason: 'last successful cycle 9 s ago (limit 4 s)' };
    const h = await get('/healthz');
    expect(h.status).toBe(503);
    expect(JSON.parse(h.text)).toEqual({ status: 'stale', ageSeconds: 9, reason: 'last successful cycle 9 s ago (limit 4 s)' });
    expect((await get('/nope')).status).toBe(404);
  });
});
