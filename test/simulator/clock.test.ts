/** `--clock-speed`: simulated time runs N× real time from the given now, and the publication frontier moves with it. */
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../src/simulator/cli-args.js';
import { scaledClock, withClockSpeed } from '../../src/simulator/clock.js';
import { startSimulator } from '../../src/simulator/index.js';

const T0 = Date.UTC(2026, 0, 1);

describe('scaledClock', () => {
  it('runs speed × the real elapsed time from its start', () => {
    let real = 1_000;
    const clock = scaledClock(T0, 3600, () => real);
    expect(clock()).toBe(T0);
    real += 1_000;
    expect(clock()).toBe(T0 + 3_600_000);
    real += 500;
    expect(clock()).toBe(T0 + 5_400_000);
  });

  it('leaves options alone at speed 1 and anchors a fixed now otherwise', () => {
    const opts = { nowMs: T0 };
    expect(withClockSpeed(opts)).toBe(opts);
    let real = 0;
    const fast = withClockSpeed({ nowMs: T0, clockSpeed: 60 }, () => real);
    real = 60_000;
    expect((fast.nowMs as () => number)()).toBe(T0 + 3_600_000);
  });

  it('is a simulator flag that names itself on bad input', () => {
    expect(parseCliArgs(['--clock-speed', '3600']).options.clockSpeed).toBe(3600);
    expect(() => parseCliArgs(['--clock-speed', '0'])).toThrow(/--clock-speed/);
    expect(() => parseCliArgs(['--clock-speed', 'fast'])).toThrow(/--clock-speed/);
  });

  it('moves the route metadata endPeriod with the simulated clock', async () => {
    const sim = await startSimulator({ nowMs: T0, clockSpeed: 3600, budget: null });
    try {
      const end = async () => {
        const r = await fetch(`${sim.baseUrl}/electricity/rto/region-data?api_key=ABCDEFGHIJKLMNOPQRSTUV`);
        return String(((await r.json()) as { response: { endPeriod: string } }).response.endPeriod);
      };
      const first = await end();
      await new Promise((r) => setTimeout(r, 2_200));
      const later = await end();
      expect(Date.parse(`${later}:00:00Z`) - Date.parse(`${first}:00:00Z`)).toBeGreaterThanOrEqual(2 * 3_600_000);
    } finally {
      await sim.close();
    }
  });
});
