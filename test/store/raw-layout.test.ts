import { describe, expect, it } from 'vitest';
import { bodyLeaksKey, buildManifest, manifestFileName, pageFileName, paramsOf, unitDir } from '../../src/store/raw-layout.js';
import { fixtureBatch, fixtureRecords, fixtureUnit } from '../support/sink-contract.js';
import { manifestPage } from '../../src/store/raw-layout.js';

describe('raw archive layout (pure)', () => {
  it('derives deterministic paths from dataset, unit year, unit id and offset', () => {
    const unit = fixtureUnit(0);
    expect(unitDir('/d', unit)).toBe('/d/raw/eia/region-data/2024');
    expect(pageFileName(`${unit.id}-p5000`)).toBe(`${unit.id}-p5000.json.gz`);
    expect(manifestFileName(unit.id)).toBe(`${unit.id}.manifest.json`);
  });

  it('keeps query parameters without api_key; repeated keys become arrays', () => {
    expect(paramsOf('https://x/v2/a/data/?api_key=SECRET&facets[respondent][]=PJM&facets[respondent][]=MISO&offset=0')).toEqual({
      'facets[respondent][]': ['PJM', 'MISO'],
      offset: '0',
    });
    expect(paramsOf('not a url')).toEqual({});
  });

  it('detects an echoed key that is not REDACTED, with or without spaces', () => {
    expect(bodyLeaksKey(Buffer.from('{"params":{"api_key":"REDACTED"}}'))).toBe(false);
    expect(bodyLeaksKey(Buffer.from('{"params":{"api_key":"abc123"}}'))).toBe(true);
    expect(bodyLeaksKey(Buffer.from('{"params":{"api_key" : "abc123"}}'))).toBe(true);
    expect(bodyLeaksKey(Buffer.from('{"params":{"api_key":"REDACTEDX"}}'))).toBe(true);
    expect(bodyLeaksKey(Buffer.from('{"params":{}}'))).toBe(false);
    // Every occurrence is checked: a redacted one first does not hide a later leak.
    expect(bodyLeaksKey(Buffer.from('{"a":{"api_key":"REDACTED"},"b":{"api_key":"abc123"}}'))).toBe(true);
    expect(bodyLeaksKey(Buffer.from('"api_key":"x"'))).toBe(true);
    expect(bodyLeaksKey(Buffer.from('{"my_key":"x","_key":"y","api_key":"REDACTED"}'))).toBe(false);
  });

  it('builds a manifest with pages sorted by offset and the unit as plain JSON', () => {
    const unit = fixtureUnit(1);
    const b1 = fixtureBatch(unit, 10, fixtureRecords(unit, 10, 2));
    const b0 = fixtureBatch(unit, 0, fixtureRecords(unit, 0, 2));
    const m = buildManifest(
      unit,
      { total: 6, rowsReceived: 6 },
      [manifestPage(b1.page, b1.envelope, { storedBytes: 1, sha256: 'b' }), manifestPage(b0.page, b0.envelope, { storedBytes: 1, sha256: 'a' })],
      '2024-12-01T00:00:00.000Z',
    );
    expect(m.pages.map((p) => p.offset)).toEqual([0, 10]);
    expect(JSON.parse(JSON.stringify(m.unit))).toEqual({ ...unit, facets: { respondent: ['AAA', 'BBB'], type: ['D', 'NG'] } });
    expect(m.version).toBe(1);
  });
});
