import { describe, expect, it } from 'vitest';
import { dataSource, type RunInfo } from '../../../src/pipelines/features/card.js';

const run = (source: string): RunInfo => ({
  runId: `r-${source}`, command: 'historical', source, rangeStart: null, rangeEnd: null, status: 'ok', startedAt: '2026-01-01T00:00:00Z', rowsLoaded: 1,
});

describe('dataSource (the card first line)', () => {
  it('names the runs that contributed rows', () => {
    expect(dataSource([run('eia')], true)).toBe('eia');
    expect(dataSource([run('simulator')], false)).toBe('simulator');
    expect(dataSource([run('eia'), run('simulator')], true)).toBe('mixed');
  });

  it('counts a replayed archive as simulated when the warehouse ever used the simulator', () => {
    expect(dataSource([run('raw-archive')], true)).toBe('simulator');
    expect(dataSource([run('raw-archive')], false)).toBe('eia');
  });

  it('never calls data EIA\'s when no run is known to have contributed and the simulator was used', () => {
    expect(dataSource([], true)).toBe('simulator');
    expect(dataSource([], false)).toBe('eia');
  });
});

describe('dataSource of bulk runs', () => {
  it('reads EIA\'s bulk file as EIA data and the simulator\'s as simulated', () => {
    expect(dataSource([run('bulk')], false)).toBe('eia');
    expect(dataSource([run('bulk-simulator')], true)).toBe('simulator');
    expect(dataSource([run('bulk'), run('simulator')], true)).toBe('mixed');
  });
});
