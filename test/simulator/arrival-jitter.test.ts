/**
 * Arrival jitter: each request is stamped and counted a seeded random 0…J ms after it arrived.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../src/simulator/cli-args.js';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/index.js';

const KEY = 'JITTERKEY0123456789abcdef';
let sim: SimulatorHandle | null = null;
afterEach(async () => {
  await sim?.close();
  sim = null;
});

async function burst(n: number): Promise<{ sentAt: number; stamps: number[] }> {
  const url = `${sim!.baseUrl}/electricity/rto/region-data/data/?api_key=${KEY}&frequency=hourly&data[0]=value&facets[respondent][]=PACW&start=2024-01-01T00&end=2024-01-01T03&length=5`;
  const sentAt = Date.now();
  await Promise.all(Array.from({ length: n }, () => fetch(url).then((r) => r.arrayBuffer())));
  return { sentAt, stamps: sim!.requestLog.map((e) => e.t).sort((a, b) => a - b) };
}

describe('simulator arrival jitter', () => {
  it('spreads the stamps of a burst over 0…J ms after arrival', async () => {
    sim = await startSimulator({ keys: [KEY], budget: null, nowMs: Date.UTC(2026, 1, 1), arrivalJitterMs: 400 });
    const j = await burst(20);
    expect(j.stamps).toHaveLength(20);
    expect(j.stamps[0]).toBeGreaterThanOrEqual(j.sentAt);
    // 20 draws from 0…400 ms: the spread is wide (the chance that all fall within 150 ms is negligible).
    expect(j.stamps[19] - j.stamps[0]).toBeGreaterThan(150);
    // No request is stamped later than it was answered: each log entry's latency starts at its stamp.
    for (const e of sim.requestLog) expect(e.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('--arrival-jitter-ms sets it; a bad value names the flag', () => {
    expect(parseCliArgs(['--arrival-jitter-ms', '50']).options.arrivalJitterMs).toBe(50);
    expect(() => parseCliArgs(['--arrival-jitter-ms', 'x'])).toThrow(/--arrival-jitter-ms expects a non-negative number/);
  });
});
