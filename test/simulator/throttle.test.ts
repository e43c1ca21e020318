/** Per-key budget (docs/eia-api.md §15.8): token buckets, 429 OVER_RATE_LIMIT or a 403 suspension, Retry-After. */
import { describe, expect, it } from 'vitest';
import { startSimulator, type SimulatorOptions } from '../../src/simulator/index.js';
import { GATEWAY_BODY } from '../../src/simulator/messages.js';
import { Throttle } from '../../src/simulator/throttle.js';
import { KEY, NOW, get } from './helpers.js';

const Q = `/v2/electricity/rto/region-data/data/?data[]=value&facets[respondent][]=PACW&facets[type][]=D&start=2024-01-01T00&end=2024-01-01T02`;

describe('Throttle (token buckets, injected clock)', () => {
  it('allows a burst of perSecond, then refuses until tokens refill at perSecond per second', () => {
    let t = 0;
    const th = new Throttle({ perSecond: 5, perHour: 9000 }, '429', 60_000, () => t);
    expect(Array.from({ length: 7 }, () => th.take('k'))).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'over', 'over']);
    t += 200;
    expect(th.take('k')).toBe('ok');
    expect(th.take('k')).toBe('over');
    expect(th.take('other')).toBe('ok');
  });

  it('enforces the hourly budget over a sustained rate', () => {
    let t = 0;
    const th = new Throttle({ perSecond: 5, perHour: 10 }, '429', 60_000, () => t);
    let ok = 0;
    for (let i = 0; i < 100; i++, t += 1000) if (th.take('k') === 'ok') ok++;
    expect(ok).toBeGreaterThanOrEqual(10);
    expect(ok).toBeLessThanOrEqual(11);
  });

  it('suspends the key for suspendMs in 403-suspend mode, then lets it through again', () => {
    let t = 0;
    const th = new Throttle({ perSecond: 1, perHour: 9000 }, '403-suspend', 60_000, () => t);
    expect([th.take('k'), th.take('k')]).toEqual(['ok', 'suspended']);
    t += 30_000;
    expect(th.take('k')).toBe('suspended');
    t += 30_001;
    expect(th.take('k')).toBe('ok');
  });
});

describe('budget over HTTP', () => {
  const burst = async (o: Partial<SimulatorOptions>, n: number, key = KEY) => {
    const sim = await startSimulator({ nowMs: NOW, ...o });
    try {
      const out = [];
      for (let i = 0; i < n; i++) out.push(await get(sim.baseUrl, `${Q}&api_key=${key}`));
      return { out, log: [...sim.requestLog] };
    } finally {
      await sim.close();
    }
  };

  it('answers over-budget requests with 429 OVER_RATE_LIMIT and no Retry-After by default (burst 5/s)', async () => {
    const { out, log } = await burst({}, 12);
    expect(out.slice(0, 5).map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const refused = out.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0].text).toBe(GATEWAY_BODY.overRateLimit);
    expect(refused[0].headers['retry-after']).toBeUndefined();
    expect(log.filter((e) => e.fault === 'throttled')).toHaveLength(refused.length);
  });

  it('adds Retry-After when retryAfterSecs is set', async () => {
    const { out } = await burst({ budget: { perSecond: 1, perHour: 9000 }, retryAfterSecs: 7 }, 4);
    expect(out.find((r) => r.status === 429)?.headers['retry-after']).toBe('7');
  });

  it('suspends the key with 403 API_KEY_INVALID in 403-suspend mode', async () => {
    const { out } = await burst({ budget: { perSecond: 2, perHour: 9000 }, throttleMode: '403-suspend', suspendMs: 600_000 }, 8);
    const first = out.findIndex((r) => r.status !== 200);
    expect(first).toBeGreaterThanOrEqual(2);
    for (const r of out.slice(first)) expect([r.status, r.text]).toEqual([403, GATEWAY_BODY.keyInvalid]);
  });

  it('never refuses with budget null', async () => {
    const { out } = await burst({ budget: null }, 15);
    expect(out.every((r) => r.status === 200)).toBe(true);
  });
});
