import { afterEach, describe, expect, it } from 'vitest';
import { EtlError, isEtlError } from '../../../src/core/errors.js';
import { createRateLimiter } from '../../../src/sources/eia/rate-limiter.js';
import { createEiaClient, createEiaSource } from '../../../src/sources/eia/index.js';
import { probeSeriesEstimator } from '../../../bench/lib/plan-probe.js';
import { planUnits } from '../../../src/sources/eia/planner.js';
import { maxRequestsInWindow, startSimulator, type SimulatorOptions } from '../../../src/simulator/index.js';
import { seriesTruth } from '../../../src/simulator/truth.js';
import { JOB, JOB_END, JOB_START, KEY, SIM_BASE, jobUnits, runJob, truth, type RunResult } from './helpers/sim-job.js';

const sims: Array<{ close(): Promise<void> }> = [];
async function sim(opts: Partial<SimulatorOptions> = {}) {
  const s = await startSimulator({ ...SIM_BASE, ...opts });
  sims.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

/**
 * Every unit delivered exactly the simulator's rows, each key once, and ended with rows = total; and all units
 * together delivered the job's ground truth over [JOB_START, endMs), computed per respondent × series over the whole
 * range (not from the units, so a range the planner left out would show).
 */
function expectExact(r: RunResult, units = jobUnits(), endMs = JOB_END): void {
  const all = new Set(units.flatMap((u) => (r.keys.get(u.id) ?? []).map((k) => `${u.dataset}|${k}`)));
  expect(all.size).toBe(seriesTruth(JOB, JOB_START, endMs, SIM_BASE).total);
  expect(r.duplicates).toBe(0);
  const ends = r.items.filter((i) => i.kind === 'unit-end');
  expect(ends.map((e) => e.unit.id).sort()).toEqual(units.map((u) => u.id).sort());
  for (const u of units) {
    const t = truth(u);
    expect(r.keys.get(u.id)?.length ?? 0, u.id).toBe(t.count);
    expect(new Set(r.keys.get(u.id) ?? [])).toEqual(new Set(t.keys));
    const end = ends.find((e) => e.unit.id === u.id)!;
    expect(end.kind === 'unit-end' && [end.total, end.rowsReceived]).toEqual([t.count, t.count]);
  }
}

describe('EIA source run-ahead (maxReadyPages)', () => {
  /** Pull every item, waiting `consumerMs` after each; the most requests the simulator had seen beyond the pages pulled. */
  async function runAhead(maxReadyPages: number | undefined, consumerMs: number, latency: SimulatorOptions['latency']) {
    const s = await sim({ budget: null, latency });
    const units = planUnits(JOB, JOB_START, JOB_END, { maxUnitRows: 40_000 }); // units of 4–8 pages
    const config = { apiKey: KEY, baseUrl: s.baseUrl, requestsPerSecond: 1000, requestsPerHour: 1_000_000, concurrency: 4, maxReadyPages };
    const source = createEiaSource(config, { units, client: createEiaClient(config) });
    let pulled = 0;
    let ahead = 0;
    for await (const it of source.read(new AbortController().signal)) {
      if (it.kind === 'page') pulled++;
      ahead = Math.max(ahead, s.requestLog.length - pulled);
      if (consumerMs) await new Promise((r) => setTimeout(r, consumerMs));
    }
    await source.close();
    return { pulled, ahead, log: s.requestLog };
  }

  it('a slow consumer of a fast API: at most 2 fetched pages wait (3 ahead), where the buffer cap alone allowed 6', async () => {
    // The consumer is slow enough (250 ms a page) that the API's answers (a few ms on loopback) outrun it even
    // when the machine is loaded; at 80 ms a busy CI machine let the uncapped source fall behind its consumer.
    const capped = await runAhead(undefined, 250, null);
    const uncapped = await runAhead(100, 250, null);
    expect(capped.pulled).toBe(uncapped.pulled);
    expect(capped.ahead).toBeLessThanOrEqual(3);
    expect(uncapped.ahead).toBeGreaterThan(3); // the test can tell the two apart
  });

  it('a fast consumer of a slow API: every one of the 4 requests stays in flight', async () => {
    const { log } = await runAhead(undefined, 0, { baseMs: 150, perRowMs: 0, jitterMs: 0 });
    // Arrivals come in waves of `concurrency`: some 4 requests arrive within 50 ms of each other.
    const t = log.map((e) => e.t).sort((a, b) => a - b);
    expect(t.some((x, i) => i + 3 < t.length && t[i + 3] - x < 50)).toBe(true);
  });
});

describe('EIA source against the simulator', () => {
  it('fetches every expected row exactly once over a multi-unit, multi-page job', async () => {
    const s = await sim({ budget: null });
    const units = jobUnits();
    expect(units.length).toBeGreaterThan(5);
    const r = await runJob(s.baseUrl, units);
    expectExact(r, units);
    const pages = r.items.filter((i) => i.kind === 'page');
    expect(pages.some((p) => p.kind === 'page' && p.page.offset >= 5000)).toBe(true);
    // Pages are full except each unit's last.
    for (const p of pages) {
      if (p.kind !== 'page') continue;
      const env = p.page.envelope!;
      if (p.page.offset + 5000 < env.total) expect(env.rows.length).toBe(5000);
    }
    expect(r.client.counters.snapshot().requests).toBe(s.requestLog.length);
    expect(s.unknownPathCount).toBe(0);
    // Raw bodies keep no key.
    for (const p of pages) if (p.kind === 'page') expect(p.page.body.includes(KEY)).toBe(false);
  });

  it('stays exact when the server breaks ties at random (the full sort leaves no ties)', async () => {
    const s = await sim({ budget: null, unstableTies: true });
    expectExact(await runJob(s.baseUrl, jobUnits()));
  });

  it('accepts 2023-style envelopes (numbers, warnings inside response)', async () => {
    const s = await sim({ budget: null, compatMode: '2023', warnPlacement: 'inside-response' });
    const r = await runJob(s.baseUrl, jobUnits());
    expectExact(r);
    const first = r.items.find((i) => i.kind === 'page');
    expect(first?.kind === 'page' && first.page.envelope!.warnings.length).toBeGreaterThan(0);
  });

  it('an HTTP 200 with an error body is classified by its code: a 400 is never retried', async () => {
    const s = await sim({ budget: null, faults: { script: { 3: 'error200' } } });
    let err: unknown;
    try {
      await runJob(s.baseUrl, jobUnits(), { concurrency: 1 });
    } catch (e) {
      err = e;
    }
    expect(isEtlError(err, 'ETL_BAD_REQUEST')).toBe(true);
    expect((err as EtlError).message).toContain('api_key=REDACTED');
    expect(s.requestLog).toHaveLength(3);
  });

  it('never exceeds the budget at the server, even in a 429 storm (server budget below the client\'s)', async () => {
    // The server refills 2 tokens/s; the client may send 8/s with 5 in flight: its first burst is throttled for sure.
    const s = await sim({ budget: { perSecond: 2, perHour: 9000 } });
    const units = planUnits(JOB, JOB_START, Date.UTC(2024, 5, 21), { maxUnitRows: 8000 });
    const r = await runJob(s.baseUrl, units, {
      requestsPerSecond: 8,
      requestsPerHour: 1000,
      retry: { baseDelayMs: 50, maxDelayMs: 400, maxAttempts: 20 },
    });
    expectExact(r, units, Date.UTC(2024, 5, 21));
    const throttled = s.requestLog.filter((e) => e.status === 429).length;
    expect(throttled).toBeGreaterThan(0);
    expect(maxRequestsInWindow(s.requestLog, 1000)).toBeLessThanOrEqual(8);
    expect(maxRequestsInWindow(s.requestLog, 3_600_000)).toBeLessThanOrEqual(1000);
    expect(r.client.counters.snapshot().retriesByCause.ETL_RATE_LIMITED).toBe(throttled);
  });

  it('keeps a rolling "hour" window at the server (window shrunk to 1.5 s to run fast)', async () => {
    const s = await sim({ budget: null });
    // A wide margin: the in-process server timestamps requests when its (shared, busy) event loop gets to them.
    const limiter = createRateLimiter({ requestsPerSecond: 20, requestsPerHour: 6, longWindowMs: 1500, concurrency: 5, marginMs: 250 });
    const r = await runJob(s.baseUrl, jobUnits(), {}, { limiter });
    expectExact(r);
    expect(maxRequestsInWindow(s.requestLog, 1500)).toBeLessThanOrEqual(6);
    expect(maxRequestsInWindow(s.requestLog, 1000)).toBeLessThanOrEqual(20);
  });

  it('honours Retry-After: a throttled request is not re-sent before it has passed', async () => {
    // 1 token/s at the server and 3 requests in flight: the first burst is throttled for sure.
    const s = await sim({ budget: { perSecond: 1, perHour: 9000 }, retryAfterSecs: 1 });
    const units = planUnits(JOB, JOB_START, Date.UTC(2024, 5, 15), { maxUnitRows: 8000 });
    const r = await runJob(s.baseUrl, units, { requestsPerSecond: 10, concurrency: 3 });
    expectExact(r, units, Date.UTC(2024, 5, 15));
    const log = [...s.requestLog].sort((a, b) => a.t - b.t);
    const throttled = log.filter((e) => e.status === 429);
    expect(throttled.length).toBeGreaterThan(0);
    for (const e of throttled) {
      const same = JSON.stringify(e.params);
      const retry = log.find((x) => x.t > e.t && JSON.stringify(x.params) === same);
      expect(retry, 'the throttled request is retried').toBeDefined();
      expect(retry!.t - e.t).toBeGreaterThanOrEqual(950);
    }
    expect(r.client.counters.snapshot().retriesByCause.ETL_RATE_LIMITED).toBe(throttled.length);
  });

  it('an invalid key ends the run after exactly one request, one line, no key', async () => {
    const s = await sim({ keys: ['THEONLYVALIDKEY000000000'] });
    let err: unknown;
    try {
      await runJob(s.baseUrl, jobUnits(), { concurrency: 5 });
    } catch (e) {
      err = e;
    }
    expect(isEtlError(err, 'ETL_API_KEY_INVALID')).toBe(true);
    const e = err as EtlError;
    expect(s.requestLog).toHaveLength(1);
    expect(e.message).toMatch(/^EIA rejected the API key \(403 API_KEY_INVALID\): check EIA_API_KEY; GET http:\/\/127\.0\.0\.1:\d+\/v2\/\S+api_key=REDACTED \(\S+\)$/);
    expect(`${e.message}${JSON.stringify(e.details)}`).not.toContain(KEY);
  });

  it('yields the identical row set under 5xx, resets, truncated and malformed bodies and timeouts', async () => {
    const s = await sim({
      budget: null,
      faults: {
        rates: { '500': 0.05, '502': 0.03, '503': 0.05, '504': 0.02, reset: 0.05, truncate: 0.05, malformed: 0.05, html200: 0.03, latency: 0.03 },
        script: { 1: '503', 2: 'reset', 3: 'truncate', 4: 'malformed', 5: 'latency', 6: 'empty200', 7: 'wrong-content-type', 14: '403' },
        delayMs: 5000,
      },
    });
    const r = await runJob(s.baseUrl, jobUnits(), {
      headersTimeoutMs: 250,
      bodyTimeoutMs: 250,
      retry: { baseDelayMs: 20, maxDelayMs: 200, maxAttempts: 12, suspensionCooldownMs: 100 },
    });
    expectExact(r);
    const causes = r.client.counters.snapshot().retriesByCause;
    for (const c of ['ETL_HTTP_STATUS', 'ETL_NETWORK', 'ETL_BODY_TRUNCATED', 'ETL_BODY_MALFORMED', 'ETL_TIMEOUT', 'ETL_KEY_SUSPENDED']) {
      expect(causes[c], c).toBeGreaterThan(0);
    }
  });

  it('cools down after a 403 suspension that follows success, then completes', async () => {
    const s = await sim({ budget: { perSecond: 2, perHour: 9000 }, throttleMode: '403-suspend', suspendMs: 300 });
    const r = await runJob(s.baseUrl, jobUnits(), { requestsPerSecond: 5, retry: { suspensionCooldownMs: 300 } });
    expectExact(r);
    expect(s.requestLog.filter((e) => e.status === 403).length).toBeGreaterThan(0);
    expect(r.client.counters.snapshot().retriesByCause.ETL_KEY_SUSPENDED).toBeGreaterThan(0);
  });

  it('probeTotal equals the simulator\'s count; a probe-sized plan fits maxUnitRows', async () => {
    const s = await sim({ budget: null });
    const client = createEiaClient({ apiKey: KEY, baseUrl: s.baseUrl, requestsPerSecond: null, requestsPerHour: null });
    try {
      const [u] = jobUnits();
      expect(await client.probeTotal(u)).toBe(truth(u).count);
      // AVRN is not in the built-in table: the planner probes it per year.
      const sel = [{ dataset: 'fuel-type-data' as const, facets: { respondent: ['AVRN'] } }];
      const estimate = await probeSeriesEstimator(sel, { startMs: Date.UTC(2023, 0, 1), endMs: Date.UTC(2025, 0, 1) }, client.probeTotal);
      expect(client.counters.snapshot().probes).toBe(1 + 2);
      const units = planUnits(sel, Date.UTC(2023, 0, 1), Date.UTC(2025, 0, 1), { estimateSeries: estimate, maxUnitRows: 5000 });
      for (const year of [2023, 2024]) {
        const mine = units.filter((x) => x.year === year);
        const yearRows = mine.reduce((n, x) => n + truth(x).count, 0);
        expect(yearRows).toBeGreaterThan(5000);
        // The fewest equal windows whose rows stay within maxUnitRows (up to the hour-to-hour variation).
        expect(mine).toHaveLength(Math.ceil(yearRows / 5000));
        for (const x of mine) expect(truth(x).count).toBeLessThanOrEqual(5000 * 1.02);
      }
    } finally {
      await client.close();
    }
  });
});
