/** The publication frontier applied to a plan: clamping, open units, units left for later, range checks. */
import { describe, expect, it } from 'vitest';
import type { ApiWorkUnit } from '../../src/core/contracts.js';
import { isEtlError } from '../../src/core/errors.js';
import { HOUR_MS } from '../../src/core/time.js';
import { applyFrontier, clampRange, isOpenWindow } from '../../src/pipelines/frontier.js';

const H = HOUR_MS;
const T = Date.UTC(2026, 11, 4, 15); // the route's latest published hour

function unit(id: string, startMs: number, endMs: number, dataset: ApiWorkUnit['dataset'] = 'region-data'): ApiWorkUnit {
  return { id, dataset, facets: { respondent: ['PACW'], type: ['D'] }, startMs, endMs, year: 2026, expectedRows: (endMs - startMs) / H };
}

describe('applyFrontier', () => {
  const frontiers = new Map([['region-data', T] as const]);

  it('clamps a unit that reaches past the frontier to it, keeps its id and marks it open', () => {
    const u = unit('a', T - 100 * H, T + 500 * H);
    const { units, later } = applyFrontier([u], frontiers, 72);
    expect(later).toBe(0);
    expect(units).toEqual([{ ...u, endMs: T + H, expectedRows: 101, frontierMs: T, open: true }]);
  });

  it('marks a unit open while its last hour is inside the revision horizon, closed once it is behind it', () => {
    const at = unit('at', T - 200 * H, T - 71 * H); // last hour T − 72 h: exactly the horizon behind
    const behind = unit('behind', T - 200 * H, T - 72 * H); // last hour T − 73 h
    const { units } = applyFrontier([at, behind], frontiers, 72);
    expect(units.map((u) => [u.id, u.open, u.endMs - u.startMs])).toEqual([
      ['at', false, 129 * H],
      ['behind', false, 128 * H],
    ]);
    const recent = applyFrontier([unit('r', T - 200 * H, T - 70 * H)], frontiers, 72).units[0];
    expect(recent.open).toBe(true); // its last hour is T − 71 h: less than 72 h behind
    expect(recent.endMs).toBe(T - 70 * H);
  });

  it('leaves units with no published hour for later and passes routes without a frontier through', () => {
    const future = unit('f', T + H, T + 100 * H);
    const other = unit('o', T + H, T + 100 * H, 'fuel-type-data');
    const { units, later } = applyFrontier([future, other], frontiers, 72);
    expect(later).toBe(1);
    expect(units).toEqual([other]);
  });

  it('with a zero horizon only the unit cut at the frontier is open', () => {
    expect(isOpenWindow(T + H, T, 0)).toBe(false);
    expect(applyFrontier([unit('x', T - 10 * H, T + H)], frontiers, 0).units[0].open).toBe(false);
    expect(applyFrontier([unit('y', T - 10 * H, T + 2 * H)], frontiers, 0).units[0].open).toBe(true);
  });
});

describe('clampRange', () => {
  it('keeps a range behind the frontier, clamps a later end with a one-line notice', () => {
    expect(clampRange(T - 10 * H, T + H, T)).toEqual({ endMs: T + H, notice: null });
    const c = clampRange(T - 10 * H, T + 30 * 24 * H, T);
    expect(c.endMs).toBe(T + H);
    expect(c.notice).toMatch(/^--end 2027-01-03T15 is past EIA's latest published hour 2026-12-04T15: fetching up to it/);
    expect(c.notice).not.toContain('\n');
  });

  it('refuses a range wholly after the frontier as a usage error naming --start', () => {
    expect(clampRange(T, T + 10 * H, T).endMs).toBe(T + H); // the frontier hour itself is published
    let err: unknown;
    try {
      clampRange(T + H, T + 10 * H, T);
    } catch (e) {
      err = e;
    }
    expect(isEtlError(err, 'ETL_CONFIG_INVALID')).toBe(true);
    expect((err as Error).message).toMatch(/^--start 2026-12-04T16 is after EIA's latest published hour 2026-12-04T15/);
  });
});
