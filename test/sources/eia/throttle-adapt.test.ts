/**
 * What the client does about throttled answers, against the simulator: a 429 widens the limiter's margin for the
 * rest of the run and holds every start (counted in the summary figures); a key suspension pauses the whole run,
 * says when it resumes, resumes, and loses nothing; the progress line shows the pause.
 */
import { createStatusLine } from '../../../src/core/status-line.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/core/logger.js';
import { createProgress } from '../../../src/pipelines/progress.js';
import { maxRequestsInWindow, startSimulator, type SimulatorOptions } from '../../../src/simulator/index.js';
import { widenedMargin } from '../../../src/sources/eia/rate-limiter.js';
import { SIM_BASE, jobUnits, runJob, truth } from './helpers/sim-job.js';

const sims: Array<{ close(): Promise<void> }> = [];
async function sim(opts: Partial<SimulatorOptions> = {}) {
  const s = await startSimulator({ ...SIM_BASE, ...opts });
  sims.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

function capture() {
  const chunks: string[] = [];
  const stream = { write: (c: string | Buffer) => (chunks.push(String(c)), true) };
  return { stream, statusLine: createStatusLine((c) => void chunks.push(c)), text: () => chunks.join('') };
}

const rowsOf = (r: Awaited<ReturnType<typeof runJob>>) => [...r.keys.values()].reduce((n, k) => n + k.length, 0);
const truthRows = () => jobUnits().reduce((n, u) => n + truth(u).count, 0);

describe('throttled answers', { timeout: 120_000 }, () => {
  it('the margin widens 50 → 100 → 200 … up to 1,000 ms', () => {
    const seen = [50];
    for (let i = 0; i < 6; i++) seen.push(widenedMargin(seen[seen.length - 1]));
    expect(seen).toEqual([50, 100, 200, 400, 800, 1000, 1000]);
  });

  it('429s: every start is held, the margin widens for the rest of the run, each is counted, no row is lost', async () => {
    // The simulator allows 2/s; the client believes in 5/s.
    const s = await sim({ budget: { perSecond: 2, perHour: 9000 }, throttleMode: '429' });
    const r = await runJob(s.baseUrl, jobUnits(), { requestsPerSecond: 5, retry: { baseDelayMs: 50, maxDelayMs: 400, maxAttempts: 20 } });
    const c = r.client.counters.snapshot();
    const server429 = s.requestLog.filter((e) => e.status === 429).length;
    expect(server429).toBeGreaterThan(0);
    expect(c.throttled).toBe(server429);
    expect(c.limiterMarginChanges).toBeGreaterThan(0);
    expect(c.limiterMarginMs).toBe(Math.min(1000, 50 * 2 ** c.limiterMarginChanges));
    expect(rowsOf(r)).toBe(truthRows());
    expect(r.duplicates).toBe(0);
    // Never a burst after a pause: the client's own 5/s holds at the server throughout.
    expect(maxRequestsInWindow(s.requestLog, 1000)).toBeLessThanOrEqual(5);
  });

  it('a key suspension pauses every request, says until when, resumes by itself and loses nothing', async () => {
    const s = await sim({ budget: { perSecond: 2, perHour: 9000 }, throttleMode: '403-suspend', suspendMs: 1200 });
    const log = capture();
    const logger = createLogger({ level: 'warn', destination: log.stream as unknown as NodeJS.WritableStream, pretty: false });
    const r = await runJob(s.baseUrl, jobUnits(), { requestsPerSecond: 5, retry: { suspensionCooldownMs: 1300, maxAttempts: 2 } }, { logger });
    const c = r.client.counters.snapshot();
    const suspended = s.requestLog.filter((e) => e.status === 403);
    expect(suspended.length).toBeGreaterThan(0);
    expect(c.retriesByCause.ETL_KEY_SUSPENDED).toBeGreaterThan(0);
    // maxAttempts 2 would have failed the run if a suspension counted as an attempt.
    expect(rowsOf(r)).toBe(truthRows());
    expect(c.pausedUntil).toBeGreaterThan(0);
    const line = log.text().split('\n').find((l) => l.includes('pausing every request until'));
    expect(line).toBeDefined();
    const until = Date.parse(/until (\S+Z)/.exec(line!)![1]);
    // Nothing arrived at the server between the first suspension answer and the announced resume time but the
    // requests already in flight when it came.
    const first = Math.min(...suspended.map((e) => e.t));
    const during = s.requestLog.filter((e) => e.t > first + 200 && e.t < until - 50);
    expect(during).toEqual([]);
  });

  it('the progress line shows the pause and when it ends', () => {
    const out = capture();
    const t = Date.UTC(2026, 0, 1, 12, 0, 0);
    const p = createProgress({ enabled: true, tty: true, logger: createLogger({ level: 'silent' }), statusLine: out.statusLine, now: () => t });
    p.update({ unitsDone: 1, unitsTotal: 4, rows: 10, requests: 3, budgetUsed: 3, budgetPerHour: 5000, pausedUntil: t + 75_000 });
    p.stop();
    expect(out.text()).toContain('PAUSED until 12:01:15 UTC (1m15s)');
    const q = capture();
    const p2 = createProgress({ enabled: true, tty: true, logger: createLogger({ level: 'silent' }), statusLine: q.statusLine, now: () => t });
    p2.update({ unitsDone: 1, unitsTotal: 4, rows: 10, requests: 3, budgetUsed: 3, budgetPerHour: 5000, pausedUntil: t - 1 });
    p2.stop();
    expect(q.text()).not.toContain('PAUSED');
  });
});
