import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EtlError, type EtlErrorCode } from '../../../src/core/errors.js';
import type { HttpResponse } from '../../../src/sources/eia/http.js';
import { classifyResponse } from '../../../src/sources/eia/classify.js';

const FIX = fileURLToPath(new URL('../../fixtures/eia-recorded', import.meta.url));
const URL_SAFE = 'https://api.eia.gov/v2/electricity/rto/region-data/data/?frequency=hourly&api_key=REDACTED';

function recorded(name: string): HttpResponse {
  const f = JSON.parse(readFileSync(`${FIX}/${name}`, 'utf8'));
  const ct = Object.entries(f.response.headers as Record<string, string[]>).find(([k]) => k.toLowerCase() === 'content-type');
  return res(f.response.status.code, f.response.body_raw, ct ? ct[1][0] : 'application/json');
}
function res(status: number, body: string, contentType = 'application/json', retryAfter?: string): HttpResponse {
  return { status, contentType, retryAfter, body: Buffer.from(body), wireBytes: body.length, latencyMs: 1, url: URL_SAFE };
}
function thrown(r: HttpResponse): EtlError {
  try {
    classifyResponse(r, 'unit-x-p0');
  } catch (e) {
    return e as EtlError;
  }
  throw new Error('did not throw');
}

describe('response classification', () => {
  it('parses recorded 200 bodies (total as a string)', () => {
    const env = classifyResponse(recorded('eia_oregon_demand_0.json'), 'u');
    expect(env.total).toBe(169);
    expect(env.rows).toHaveLength(169);
    expect(classifyResponse(recorded('extract_orchestrator_oregon_generation_0.json'), 'u').total).toBe(125);
  });

  it('recorded 403 API_KEY_INVALID → ETL_API_KEY_INVALID with a one-line message naming the problem, no key', () => {
    const e = thrown(recorded('eia_collector_demand_0.json'));
    expect(e.code).toBe('ETL_API_KEY_INVALID');
    expect(e.message).toBe(`EIA rejected the API key (403 API_KEY_INVALID): check EIA_API_KEY; GET ${URL_SAFE} (unit-x-p0)`);
    expect(e.message).not.toContain('\n');
  });

  it('recorded unknown route (HTTP 500 with a 404 body) → ETL_NOT_FOUND', () => {
    expect(thrown(recorded('eia_oregon_comprehensive_2.json')).code).toBe('ETL_NOT_FOUND');
  });

  it.each<[string, HttpResponse, EtlErrorCode]>([
    ['429 OVER_RATE_LIMIT', res(429, '{"error":{"code":"OVER_RATE_LIMIT","message":"You have exceeded your rate limit."}}'), 'ETL_RATE_LIMITED'],
    ['403 API_KEY_MISSING', res(403, '{"error":{"code":"API_KEY_MISSING","message":"No api_key was supplied."}}'), 'ETL_API_KEY_MISSING'],
    ['403 OVER_RATE_LIMIT (a suspension, EIA FAQ)', res(403, '{"error":{"code":"OVER_RATE_LIMIT","message":"x"}}'), 'ETL_KEY_SUSPENDED'],
    ['400', res(400, '{"error":"Invalid frequency \'x\' provided.","code":400}'), 'ETL_BAD_REQUEST'],
    ['404', res(404, '{"error":"Not found.","code":404}'), 'ETL_NOT_FOUND'],
    ['503 text', res(503, 'Service Unavailable', 'text/plain'), 'ETL_HTTP_STATUS'],
    ['200 + error 400 body', res(200, '{"error":"Invalid facet \'x\' provided.","code":400}'), 'ETL_BAD_REQUEST'],
    ['200 + error 429 body', res(200, '{"error":{"code":"OVER_RATE_LIMIT","message":"x"}}'), 'ETL_RATE_LIMITED'],
    ['200 HTML', res(200, '<html><body>Gateway</body></html>', 'text/html'), 'ETL_BODY_MALFORMED'],
    ['200 HTML labelled JSON', res(200, '<html></html>'), 'ETL_BODY_MALFORMED'],
    ['200 empty', res(200, ''), 'ETL_BODY_MALFORMED'],
    ['200 truncated JSON', res(200, '{"response":{"total":"5","data":[{"per'), 'ETL_BODY_MALFORMED'],
  ])('%s → %s', (_name, r, code) => {
    const e = thrown(r);
    expect(e.code).toBe(code);
    expect(e.message).toContain('GET https://api.eia.gov/');
    expect(e.message).toContain('unit-x-p0');
    expect(e.details.status).toBe(r.status);
  });

  it('keeps Retry-After for the retry policy', () => {
    expect(thrown(res(429, '{}', 'application/json', '3')).details.retryAfter).toBe('3');
  });
});
