/**
 * A simulated clock that runs `speed` times real time from a starting instant, so a follower sees new hours
 * published every few real seconds (`--clock-speed 3600`: one simulated hour per real second). Pure apart from
 * the real clock it is given.
 */
import type { SimulatorOptions } from './options.js';

/** Simulated now = `fromMs` + (real elapsed since this call) × `speed`. */
export function scaledClock(fromMs: number, speed: number, realNow: () => number = Date.now): () => number {
  const real0 = realNow();
  return () => fromMs + Math.floor((realNow() - real0) * speed);
}

/**
 * Options with `clockSpeed` applied: `nowMs` becomes a scaled clock starting at the given now (or the real one).
 * A speed of 1 (the default) leaves the options as they are.
 */
export function withClockSpeed(opts: Partial<SimulatorOptions>, realNow: () => number = Date.now): Partial<SimulatorOptions> {
  const speed = opts.clockSpeed ?? 1;
  if (speed === 1) return opts;
  const from = typeof opts.nowMs === 'function' ? opts.nowMs() : (opts.nowMs ?? realNow());
  return { ...opts, nowMs: scaledClock(from, speed, realNow) };
}
