/**
 * Response → parsed page or typed error: the one place that decides what a live response means (docs/eia-api.md
 * §9.3), with a one-line message naming status, API code, URL and unit. Pure. Decides on the body as well as the
 * status, through the wire format of `envelope.ts` (its parser and its one map from status + API code to code):
 *
 * | response | outcome |
 * |---|---|
 * | 200, JSON envelope | the page (`parseEnvelope`) |
 * | 200, not JSON / HTML / wrong content type / wrong shape | `ETL_BODY_MALFORMED` |
 * | 200 with an `error` body | `errorCodeFor(200, its code)` |
 * | any other status | `errorCodeFor(status, the body's code)` |
 *
 * Every error carries `details.status`, `details.url` (redacted), `details.unit` and, when the body had one,
 * `details.apiCode`.
 */
import type { PageEnvelope } from '../../core/contracts.js';
import { EtlError, isEtlError, type EtlErrorCode } from '../../core/errors.js';
import { errorCodeFor, parseEnvelope, readApiError } from './envelope.js';
import type { HttpResponse } from './http.js';

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
  const code = errorCodeFor(res.status, api.code);
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

/** The code and message of an error body as text, each undefined when absent (or the body is not JSON). */
function apiErrorOf(body: Buffer): { code?: string; message?: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    return {}; // not JSON: the status decides
  }
  const api = readApiError(doc);
  if (!api) return {};
  return { code: api.code === undefined ? undefined : String(api.code), message: api.message === undefined ? undefined : String(api.message) };
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim().slice(0, 200);
const sniff = (b: Buffer) => (b.length === 0 ? 'empty body' : oneLine(b.subarray(0, 80).toString('utf8')));
