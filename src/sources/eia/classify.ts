/**
 * Response → parsed page or typed error: the ONE place that decides what a status + body means (docs/eia-api.md §9.3).
 * Pure. Decides on the body as well as the status: a 200 with an `error` key is classified by its code.
 *
 * | response | code |
 * |---|---|
 * | 200, JSON envelope | (page) |
 * | 200, not JSON / HTML / wrong content type / wrong shape | `ETL_BODY_MALFORMED` |
 * | 403 `API_KEY_MISSING` | `ETL_API_KEY_MISSING` |
 * | 403 `OVER_RATE_LIMIT` (EIA's FAQ: the key is suspended for exceeding the limit) | `ETL_KEY_SUSPENDED` |
 * | 429, or `OVER_RATE_LIMIT` / code 429 in another status's body | `ETL_RATE_LIMITED` |
 * | any other 403 (`API_KEY_INVALID`, suspension) | `ETL_API_KEY_INVALID` (the retry layer turns it into a suspension after a success) |
 * | 400 or body code 400 | `ETL_BAD_REQUEST` |
 * | 404, or any status with body code 404 | `ETL_NOT_FOUND` |
 * | 5xx and anything else | `ETL_HTTP_STATUS` (`details.status`) |
 */
import type { PageEnvelope } from '../../core/contracts.js';
import { EtlError, isEtlError, type EtlErrorCode } from '../../core/errors.js';
import { parseEnvelope } from './envelope.js';
import type { HttpResponse } from './client.js';

/** Parse a response into its envelope, or throw the `EtlError` it stands for (message: method, safe URL, status, unit). */
export function classifyResponse(res: HttpResponse, label: string): PageEnvelope {
  if (res.status === 200) {
    if (!/json/.test(res.contentType)) {
      throw error('ETL_BODY_MALFORMED', res, label, `HTTP 200 with content-type '${res.contentType || 'none'}' (${sniff(res.body)}), expected JSON`);
    }
    try {
      return parseEnvelope(res.body);
    } catch (e) {
      if (!isEtlError(e)) throw e;
      throw error(e.code, res, label, describe(e.code, 200, e.details.apiCode, e.message), e);
    }
  }
  const api = apiErrorOf(res.body);
  let code: EtlErrorCode;
  if (api.code === '404' || res.status === 404) code = 'ETL_NOT_FOUND';
  else if (res.status === 403 && api.code === 'OVER_RATE_LIMIT') code = 'ETL_KEY_SUSPENDED';
  else if (res.status === 429 || api.code === 'OVER_RATE_LIMIT' || api.code === '429') code = 'ETL_RATE_LIMITED';
  else if (res.status === 403) code = api.code === 'API_KEY_MISSING' ? 'ETL_API_KEY_MISSING' : 'ETL_API_KEY_INVALID';
  else if (res.status === 400 || api.code === '400') code = 'ETL_BAD_REQUEST';
  else code = 'ETL_HTTP_STATUS';
  throw error(code, res, label, describe(code, res.status, api.code, api.message ?? sniff(res.body)), undefined, api.code);
}

/**
 * A metadata response (route, facet list) → its `response` object, or the `EtlError` it stands for: errors are
 * classified exactly as for data pages; a 200 without a JSON `response` object is `ETL_BODY_MALFORMED`.
 */
export function classifyMetadata(res: HttpResponse, label: string): Record<string, unknown> {
  let doc: unknown;
  if (res.status === 200 && /json/.test(res.contentType)) {
    try {
      doc = JSON.parse(res.body.toString('utf8'));
    } catch {
      doc = undefined;
    }
    const response = (doc as { response?: unknown } | undefined)?.response;
    if (response && typeof response === 'object' && !Array.isArray(response)) return response as Record<string, unknown>;
    if (!(doc as { error?: unknown } | undefined)?.error) {
      throw error('ETL_BODY_MALFORMED', res, label, `HTTP 200 without a JSON 'response' object (${sniff(res.body)})`);
    }
  }
  classifyResponse(res, label); // throws the typed error of any non-200 or error body
  throw error('ETL_BODY_MALFORMED', res, label, `HTTP ${res.status} without a JSON 'response' object (${sniff(res.body)})`);
}

function describe(code: EtlErrorCode, status: number, apiCode: unknown, text: string): string {
  const tag = `${status}${apiCode ? ` ${String(apiCode)}` : ''}`;
  switch (code) {
    case 'ETL_API_KEY_INVALID':
      return `EIA rejected the API key (${tag}): check EIA_API_KEY`;
    case 'ETL_API_KEY_MISSING':
      return `EIA received no API key (${tag}): set EIA_API_KEY`;
    case 'ETL_RATE_LIMITED':
      return `EIA rate limit hit (${tag})`;
    case 'ETL_KEY_SUSPENDED':
      return `EIA suspended the key for exceeding the rate limit (${tag})`;
    case 'ETL_NOT_FOUND':
      return `EIA route not found (${tag})`;
    case 'ETL_BAD_REQUEST':
      return `EIA rejected the request (${tag}): ${oneLine(text)}`;
    default:
      return `HTTP ${tag}: ${oneLine(text)}`;
  }
}

function error(code: EtlErrorCode, res: HttpResponse, label: string, what: string, cause?: unknown, apiCode?: string): EtlError {
  return new EtlError(code, 'source', `${what}; GET ${res.url} (${label})`, {
    cause,
    details: {
      method: 'GET',
      url: res.url,
      status: res.status,
      unit: label,
      ...(apiCode ? { apiCode } : isEtlError(cause) && cause.details.apiCode !== undefined ? { apiCode: cause.details.apiCode } : {}),
      ...(res.retryAfter !== undefined ? { retryAfter: res.retryAfter } : {}),
    },
  });
}

/** The code and message of an error body (gateway `{error:{code,message}}` or application `{error,code}`). */
function apiErrorOf(body: Buffer): { code?: string; message?: string } {
  try {
    const doc = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    const err = doc?.error;
    if (err && typeof err === 'object') {
      const e = err as Record<string, unknown>;
      return { code: e.code === undefined ? undefined : String(e.code), message: e.message === undefined ? undefined : String(e.message) };
    }
    if (err !== undefined) return { code: doc.code === undefined ? undefined : String(doc.code), message: String(err) };
  } catch {
    /* not JSON: status decides */
  }
  return {};
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim().slice(0, 200);
const sniff = (b: Buffer) => (b.length === 0 ? 'empty body' : oneLine(b.subarray(0, 80).toString('utf8')));
