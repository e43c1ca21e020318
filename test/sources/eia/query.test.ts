import { describe, expect, it } from 'vitest';
import { redactUrl } from '../../../src/core/redact.js';
import { dataParams, dataUrl } from '../../../src/sources/eia/query.js';

const q = {
  dataset: 'fuel-type-data' as const,
  facets: { respondent: ['PACW', 'ERCO'] },
  startMs: Date.UTC(2024, 0, 1),
  endMs: Date.UTC(2024, 0, 2),
};

describe('request wire form', () => {
  it('sends explicit inclusive hour bounds, the full sort, length, offset and the key last', () => {
    expect(dataParams(q, 5000, 5000)).toEqual([
      ['frequency', 'hourly'],
      ['data[0]', 'value'],
      ['facets[respondent][]', 'ERCO'],
      ['facets[respondent][]', 'PACW'],
      ['start', '2024-01-01T00'],
      ['end', '2024-01-01T23'],
      ['sort[0][column]', 'period'],
      ['sort[0][direction]', 'asc'],
      ['sort[1][column]', 'respondent'],
      ['sort[1][direction]', 'asc'],
      ['sort[2][column]', 'fueltype'],
      ['sort[2][direction]', 'asc'],
      ['length', '5000'],
      ['offset', '5000'],
    ]);
    const url = dataUrl('http://h/v2/', q, 0, 5000, 'SECRETKEY123');
    expect(url.startsWith('http://h/v2/electricity/rto/fuel-type-data/data/?frequency=hourly&data%5B0%5D=value&')).toBe(true);
    expect(url.endsWith('&api_key=SECRETKEY123')).toBe(true);
  });

  it('the URL as logged (redactUrl) carries api_key=REDACTED only', () => {
    const safe = redactUrl(dataUrl('http://h/v2', q, 0, 5000, 'SECRETKEY123'));
    expect(safe).toContain('api_key=REDACTED');
    expect(safe).not.toContain('SECRETKEY123');
  });

  it('sorts sub-BA data by its own facet columns', () => {
    const p = dataParams({ ...q, dataset: 'region-sub-ba-data', facets: { parent: ['ERCO'] } }, 0, 10);
    expect(p.filter(([k]) => k.endsWith('[column]')).map(([, v]) => v)).toEqual(['period', 'subba', 'parent']);
    expect(p).toContainEqual(['facets[parent][]', 'ERCO']);
  });
});
