/** The `features` flags: parsed once by parseCli, every bad value a one-line ETL_CONFIG_INVALID naming the flag. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCli } from '../../../src/config.js';
import { checkSplitsInRange } from '../../../src/pipelines/features/options.js';

const parse = (args: string[]) => {
  const r = parseCli(args, {});
  if (r.kind !== 'run') throw new Error('expected a run');
  return r.config;
};

describe('features options', () => {
  it('defaults: no split, no imputation, out under the data dir, regions and range from the warehouse', () => {
    const f = parse(['features', '--data-dir', 'some/dir']).features!;
    expect(f).toEqual({ splits: [], impute: 'none', out: path.join('some/dir', 'features'), regions: null, rangeGiven: false });
  });

  it('takes one or two increasing boundaries, --impute linear, --out, --regions and a range', () => {
    const c = parse(['features', '--split', '2024-01-01,2025-01-01T06', '--impute', 'linear', '--out', 'o', '--regions', 'pacw', '--start', '2023-01-01']);
    expect(c.features).toEqual({ splits: [Date.UTC(2024, 0, 1), Date.UTC(2025, 0, 1, 6)], impute: 'linear', out: 'o', regions: ['PACW'], rangeGiven: true });
    expect(parse(['features', '--split', '2024-01-01']).features!.splits).toEqual([Date.UTC(2024, 0, 1)]);
  });

  it.each([
    [['--impute', 'spline'], /^--impute must be one of none, linear \(got 'spline'\)$/],
    [['--split', '2024-13-01'], /^--split must be a UTC date YYYY-MM-DD or hour YYYY-MM-DDTHH/],
    [['--split', '2025-01-01,2024-01-01'], /^--split boundaries must increase/],
    [['--split', 'a,b,c'], /^--split takes one or two UTC dates/],
    [['--split', '2024-01-01,'], /^--split takes one or two UTC dates/],
  ])('rejects %j with one line naming the flag', (extra, message) => {
    expect(() => parse(['features', ...extra])).toThrow(expect.objectContaining({ code: 'ETL_CONFIG_INVALID', message: expect.stringMatching(message) }));
  });

  it('rejects the features flags on other commands', () => {
    expect(() => parse(['historical', '--split', '2024-01-01'])).toThrow(/^--split only applies to 'features'$/);
    expect(() => parse(['replay', '--out', 'x'])).toThrow(/^--out only applies to 'features'$/);
  });

  it('needs every boundary strictly inside [start, end)', () => {
    const [s, e] = [Date.UTC(2024, 0, 1), Date.UTC(2025, 0, 1)];
    expect(() => checkSplitsInRange([Date.UTC(2024, 5, 1)], s, e)).not.toThrow();
    for (const b of [s, e, Date.UTC(2023, 5, 1), Date.UTC(2026, 0, 1)]) {
      expect(() => checkSplitsInRange([b], s, e)).toThrow(expect.objectContaining({ code: 'ETL_CONFIG_INVALID', message: expect.stringMatching(/^--split boundary .* is outside the range/) }));
    }
  });
});
