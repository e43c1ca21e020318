import { describe, expect, it } from 'vitest';
import { isEtlError } from '../../../src/core/errors.js';
import type { HttpResponse } from '../../../src/sources/eia/http.js';
import { classifyMetadata } from '../../../src/sources/eia/classify.js';
import { parseFacetList, respondentFacetPath } from '../../../src/sources/eia/facets.js';

const res = (status: number, body: string, contentType = 'application/json'): HttpResponse => ({
  status, contentType, retryAfter: undefined, body: Buffer.from(body), wireBytes: body.length, latencyMs: 1,
  url: 'http://x/v2/electricity/rto/region-data/facet/respondent/?api_key=REDACTED',
});
const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return isEtlError(e) ? e.code : 'not an EtlError';
  }
  return 'no error';
};

describe('the respondent facet list', () => {
  it('asks the route’s respondent facet (fromba for interchange, parent for sub-BA)', () => {
    expect(respondentFacetPath('region-data')).toBe('electricity/rto/region-data/facet/respondent');
    expect(respondentFacetPath('interchange-data')).toBe('electricity/rto/interchange-data/facet/fromba');
    expect(respondentFacetPath('region-sub-ba-data')).toBe('electricity/rto/region-sub-ba-data/facet/parent');
  });

  it('reads codes and names, skipping ids that are not codes; an empty list is malformed', () => {
    const r = classifyMetadata(res(200, '{"response":{"totalFacets":3,"facets":[{"id":"DUK","name":"Duke Energy Carolinas","alias":"(DUK) Duke"},{"id":"../x","name":"bad"},{"id":"TVA"}]}}'), 'facet');
    expect(parseFacetList(r, 'facet')).toEqual([{ code: 'DUK', name: 'Duke Energy Carolinas' }, { code: 'TVA', name: 'TVA' }]);
    expect(codeOf(() => parseFacetList({ totalFacets: '0', facets: [] }, 'facet'))).toBe('ETL_BODY_MALFORMED');
  });

  it('classifies metadata errors like data errors', () => {
    expect(codeOf(() => classifyMetadata(res(403, '{"error":{"code":"API_KEY_INVALID","message":"x"}}'), 'facet'))).toBe('ETL_API_KEY_INVALID');
    expect(codeOf(() => classifyMetadata(res(503, '<html>busy</html>', 'text/html'), 'facet'))).toBe('ETL_HTTP_STATUS');
    expect(codeOf(() => classifyMetadata(res(200, '<html></html>', 'text/html'), 'facet'))).toBe('ETL_BODY_MALFORMED');
    expect(codeOf(() => classifyMetadata(res(200, '{"data":[]}'), 'facet'))).toBe('ETL_BODY_MALFORMED');
  });
});
