/** incremental planning per series: own starts, grouping, a discontinued series widening nobody else's window. */
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/core/catalog.js';
import { HOUR_MS } from '../../src/core/time.js';
import { GROUP_SLACK_HOURS, planIncrementalGroups, supersededOpenUnits } from '../../src/pipelines/incremental-plan.js';
import { selectionsFor } from '../../src/pipelines/selections.js';

const H = HOUR_MS;
const F = Date.UTC(2026, 11, 4, 15); // latest published hour of every route
const END = F + H;
const HISTORY = Date.UTC(2019, 0, 1);

function plan(latest: Record<string, Record<string, number>>, selections = selectionsFor(['demand'], ['ERCO', 'PACW']), lookbackHours = 72) {
  return planIncrementalGroups({
    selections,
    latest: new Map(Object.entries(latest).map(([d, m]) => [d as Dataset, new Map(Object.entries(m))])),
    endMs: END,
    frontiers: new Map(selections.map((s) => [s.dataset, F])),
    lookbackHours,
    horizonHours: 72,
    floorMs: HISTORY,
  });
}

describe('planIncrementalGroups', () => {
  it('starts each series at its own latest stored hour minus the lookback', () => {
    const groups = plan({ 'region-data': { 'PACW|D': F - 5 * H, 'ERCO|D': F - 2 * H } });
    expect(groups).toEqual([{ startMs: F - 77 * H, selection: { dataset: 'region-data', facets: { respondent: ['ERCO', 'PACW'], type: ['D'] } }, unseen: [] }]);
  });

  it('a discontinued series does not move another series\' window', () => {
    const alone = plan({ 'region-data': { 'PACW|D': F - 5 * H } }, selectionsFor(['demand'], ['PACW']));
    const withDead = plan({ 'region-data': { 'PACW|D': F - 5 * H, 'ERCO|D': Date.UTC(2021, 5, 1) } });
    const pacw = withDead.find((g) => g.selection.facets.respondent.includes('PACW'))!;
    expect(pacw.startMs).toBe(alone[0].startMs);
    expect(pacw.selection.facets.respondent).toEqual(['PACW']);
    const erco = withDead.find((g) => g.selection.facets.respondent.includes('ERCO'))!;
    expect(erco.startMs).toBe(Date.UTC(2021, 5, 1) - 72 * H);
    expect(erco.selection.facets).toEqual({ respondent: ['ERCO'], type: ['D'] });
  });

  it('a type discontinued inside one respondent gets its own query; the respondent\'s other types keep theirs', () => {
    const sel = selectionsFor(['demand', 'forecast'], ['PACW']);
    const groups = plan({ 'region-data': { 'PACW|D': F - 3 * H, 'PACW|DF': Date.UTC(2023, 0, 1) } }, sel);
    expect(groups.map((g) => [g.startMs, g.selection.facets.type])).toEqual([
      [Date.UTC(2023, 0, 1) - 72 * H, ['DF']],
      [F - 75 * H, ['D']],
    ]);
  });

  it(`joins series whose starts are at most ${GROUP_SLACK_HOURS} h apart into one query from the earliest`, () => {
    const near = plan({ 'region-data': { 'PACW|D': F - 3 * H, 'ERCO|D': F - (3 + GROUP_SLACK_HOURS) * H } });
    expect(near).toHaveLength(1);
    expect(near[0].startMs).toBe(F - (75 + GROUP_SLACK_HOURS) * H);
    const far = plan({ 'region-data': { 'PACW|D': F - 3 * H, 'ERCO|D': F - (4 + GROUP_SLACK_HOURS) * H } });
    expect(far).toHaveLength(2);
  });

  it('respondents with the same types share a query; different type sets are separate queries (facets are a cross product)', () => {
    const sel = selectionsFor(['demand', 'forecast'], ['ERCO', 'PACW', 'MISO']);
    const t = F - 3 * H;
    const groups = plan({ 'region-data': { 'PACW|D': t, 'PACW|DF': t, 'ERCO|D': t, 'ERCO|DF': t, 'MISO|D': t, 'MISO|DF': Date.UTC(2022, 0, 1) } }, sel);
    const facets = groups.map((g) => g.selection.facets).sort((a, b) => a.respondent.join().localeCompare(b.respondent.join()) || a.type.join().localeCompare(b.type.join()));
    expect(facets).toEqual([
      { respondent: ['ERCO', 'PACW'], type: ['D', 'DF'] },
      { respondent: ['MISO'], type: ['D'] },
      { respondent: ['MISO'], type: ['DF'] },
    ]);
  });

  it('routes without a series filter go per respondent, from its newest series (a retired fuel does not drag it back)', () => {
    const sel = selectionsFor(['generation'], ['PACW']);
    const groups = plan({ 'fuel-type-data': { 'PACW|WND': F - 4 * H, 'PACW|COL': Date.UTC(2020, 0, 1) } }, sel);
    expect(groups).toEqual([{ startMs: F - 76 * H, selection: { dataset: 'fuel-type-data', facets: { respondent: ['PACW'] } }, unseen: [] }]);
  });

  it('a series without stored data gets the lookback before the end, and is reported', () => {
    const groups = plan({ 'region-data': {} }, selectionsFor(['demand'], ['PACW']));
    expect(groups).toEqual([{ startMs: END - 72 * H, selection: { dataset: 'region-data', facets: { respondent: ['PACW'], type: ['D'] } }, unseen: ['PACW|D'] }]);
  });

  it('always re-reads the revision horizon behind the frontier, even with a shorter lookback', () => {
    const groups = plan({ 'region-data': { 'PACW|D': F } }, selectionsFor(['demand'], ['PACW']), 6);
    expect(groups[0].startMs).toBe(F + H - 72 * H);
  });
});

describe('supersededOpenUnits', () => {
  it('lists open units whose every series the run re-reads, and no other', () => {
    const sel = selectionsFor(['demand', 'generation'], ['ERCO', 'PACW']);
    const open: { id: string; dataset: string; facets: Record<string, string[]> }[] = [
      { id: 'a', dataset: 'region-data', facets: { respondent: ['PACW'], type: ['D'] } },
      { id: 'b', dataset: 'region-data', facets: { respondent: ['PACW'], type: ['D', 'NG'] } },
      { id: 'c', dataset: 'region-data', facets: { respondent: ['CISO'], type: ['D'] } },
      { id: 'd', dataset: 'fuel-type-data', facets: { respondent: ['ERCO', 'PACW'] } },
      { id: 'e', dataset: 'interchange-data', facets: { fromba: ['PACW'] } },
    ];
    expect(supersededOpenUnits(open, sel)).toEqual(['a', 'd']);
  });
});
