import { describe, expect, it } from 'vitest';
import { oldApproachPlan } from '../../bench/lib/old-plan.js';
import type { Selection } from '../../src/sources/eia/planner.js';

const REGIONS = ['PACW', 'ERCO', 'CAL', 'TEX', 'MISO'];
const DEFAULT_JOB: Selection[] = [
  { dataset: 'region-data', facets: { respondent: REGIONS, type: ['D'] } },
  { dataset: 'fuel-type-data', facets: { respondent: REGIONS } },
];
const START = Date.UTC(2019, 0, 1);

describe('the origin project\'s plan (bench/lib/old-plan.ts)', () => {
  it('seed: one request per region × type; fuel-type-data with no series facet; 45-day date-only batches return 1,057 hours and lose 23 h each', () => {
    const old = oldApproachPlan(DEFAULT_JOB, { startMs: START, endMs: Date.UTC(2020, 0, 1) });
    const batches = Math.ceil(365 / 45);
    expect(old).toHaveLength(batches * REGIONS.length * 2);
    expect(old.filter((r) => r.dataset === 'fuel-type-data').every((r) => r.series === null)).toBe(true);
    expect(old.filter((r) => r.dataset === 'region-data').every((r) => r.series === 'D')).toBe(true);
    const pacw = old.filter((r) => r.dataset === 'region-data' && r.respondent === 'PACW');
    expect(pacw[0]).toMatchObject({ start: '2019-01-01', end: '2019-02-14', hours: 1057, lostHours: 23, startMs: START, endMs: Date.UTC(2019, 1, 14, 1) });
    expect(pacw.at(-1)).toMatchObject({ end: '2019-12-31', lostHours: 23 });
    expect(pacw.reduce((n, r) => n + r.hours + r.lostHours, 0)).toBe(365 * 24);
  });

  it('complete variant: explicit hour bounds, per-route batch days, every hour of the range exactly once', () => {
    const end = Date.UTC(2020, 0, 1);
    const old = oldApproachPlan(DEFAULT_JOB, { startMs: START, endMs: end }, { batchDays: { 'region-data': 208, 'fuel-type-data': 18 }, hourEnds: true });
    const fuel = old.filter((r) => r.dataset === 'fuel-type-data' && r.respondent === 'CAL');
    expect(fuel).toHaveLength(Math.ceil(365 / 18));
    expect(fuel[0]).toMatchObject({ start: '2019-01-01T00', end: '2019-01-18T23', hours: 18 * 24, lostHours: 0 });
    expect(fuel.at(-1)).toMatchObject({ end: '2019-12-31T23', endMs: end });
    for (let i = 1; i < fuel.length; i++) expect(fuel[i].startMs).toBe(fuel[i - 1].endMs);
    expect(old.filter((r) => r.dataset === 'region-data' && r.respondent === 'CAL')).toHaveLength(Math.ceil(365 / 208));
    expect(() => oldApproachPlan(DEFAULT_JOB, { startMs: START, endMs: end }, { batchDays: 0 })).toThrow(RangeError);
  });
});
