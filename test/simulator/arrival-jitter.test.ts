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

/** Send `n` requests one after the other; the stamp of each minus its send time, ms. */
async function delays(n: number): Promise<number[]> {
  const url = `${sim!.baseUrl}/electricity/rto/region-data/data/?api_key=${KEY}&frequency=hourly&data[0]=value&facets[respondent][]=PACW&start=2024-01-01T00&end=2024-01-01T03&length=5`;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const sentAt = Date.now();
    await fetch(url).then((r) => r.arrayBuffer());
    out.push(sim!.requestLog[i].t - sentAt);
  }
  return out;
}

describe('simulator arrival jitter', () => {
  it('stamps each request 0…J ms after it arrived (mean ≈ J/2)', async () => {
    sim = await startSimulator({ keys: [KEY], budget: null, nowMs: Date.UTC(2026, 1, 1), arrivalJitterMs: 400 });
    const d = await delays(12);
    const mean = d.reduce((a, x) => a + x, 0) / d.length;
    for (const x of d) expect(x).toBeGreaterThanOrEqual(-1); // never before it was sent (ms clock rounding)
    // Uniform 0…400: the mean of 12 draws is 200 ± ~33 (1 sd); a loopback request alone takes a few ms.
    expect(mean).toBeGreaterThan(90);
    expect(Math.max(...d) - Math.min(...d)).toBeGreaterThan(100);
  });

  it('--arrival-jitter-ms sets it; a bad value names the flag', () => {
    expect(parseCliArgs(['--arrival-jitter-ms', '50']).options.arrivalJitterMs).toBe(50);
    expect(() => parseCliArgs(['--arrival-jitter-ms', 'x'])).toThrow(/--arrival-jitter-ms expects a non-negative number/);
  });
});
