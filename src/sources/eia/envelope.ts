/**
 * The EIA wire format, pure: a data body → `PageEnvelope` (`parseEnvelope`), the `error` part of a body
 * (`readApiError`), and the one map from what the API answered (HTTP status + the body's error code) to the
 * `EtlError` code it stands for (`errorCodeFor`). `classify.ts` decides a live response with them; the raw-archive
 * source parses its archived pages with `parseEnvelope`.
 *
 * One page is ≤ 5,000 rows (~1 MB), so the whole body is parsed with `JSON.parse`: measured ~8× faster than the
 * best stream-json configuration on the same pages (docs/parts/source.md, bench/transforms.ts), and memory per
 * page is bounded by the API's row cap.
 *
 * The envelope variants accepted (docs/eia-api.md §7.1): `total` as a string (≥ 2.1.6) or a number (2023); `warnings`
 * at the root (2.1.8), inside `response` (2023), `null` (2026), or absent; `ExcelAddInVersion` present or not.
 */
import type { EiaRow, EiaWarning, PageEnvelope } from '../../core/contracts.js';
import { EtlError, type EtlErrorCode } from '../../core/errors.js';

/** Longest API message copied into an error (gateway messages are ~140 chars). */
const MAX_MESSAGE_CHARS = 300;

/**
 * Parse one data response body (gzip-decoded, key already redacted) into its envelope.
 *
 * Pure. Returns the envelope of any well-formed data body, including `total: 0, rows: []`.
 * Throws `EtlError` (stage `parse`):
 * - `ETL_BODY_MALFORMED`: empty body, not JSON (an HTML page), truncated JSON, or a wrong shape (no `response`
 *   object, `data` not an array, `total` not a finite non-negative integer);
 * - for a body with an `error` key (application `{"error":"msg","code":n}` or gateway
 *   `{"error":{"code":"API_KEY_INVALID","message":…}}`), even on HTTP 200: the code `errorCodeFor(200, apiCode)`
 *   gives; `details.apiCode` is the API's code and `details.apiMessage` its message.
 */
export function parseEnvelope(body: Buffer | string): PageEnvelope {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (text.trim() === '') throw malformed('empty body', { bytes: text.length });
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const head = text.trimStart().slice(0, 1);
    const what = head === '<' ? 'an HTML/XML page' : head === '{' || head === '[' ? 'truncated or invalid JSON' : 'not JSON';
    // The native message quotes part of the body; keep only the position.
    const at = /position (\d+)/.exec((e as Error).message)?.[1];
    const where = at === undefined ? '' : ` at position ${at}`;
    throw malformed(`body is ${what}${where} (${text.length} chars)`, { bytes: text.length }, e);
  }
  if (!isObject(doc)) throw malformed(`body is ${describe(doc)}, expected a JSON object`);
  const api = readApiError(doc);
  if (api) throw apiError(api);

  const response = doc.response;
  if (!isObject(response)) throw malformed(`response is ${describe(response)}, expected an object`);
  const rows = response.data;
  if (!Array.isArray(rows)) throw malformed(`response.data is ${describe(rows)}, expected an array`);
  const total = parseTotal(response.total);

  return {
    total,
    rows: rows as EiaRow[],
    warnings: [...readWarnings(doc.warnings), ...readWarnings(response.warnings)],
    apiVersion: stringOrNull(doc.apiVersion),
    frequency: stringOrNull(response.frequency),
    dateFormat: stringOrNull(response.dateFormat),
  };
}

/** The `error` part of a body, as sent: the API's code and message (either may be absent). */
export interface ApiError {
  readonly code: unknown;
  readonly message: unknown;
}

/**
 * The error of a parsed body, or undefined when it has none (`error` absent or `null`). Two shapes exist: the
 * gateway's `{"error":{"code":"API_KEY_INVALID","message":…}}` and the application's `{"error":"msg","code":400}`.
 */
export function readApiError(doc: unknown): ApiError | undefined {
  if (!isObject(doc)) return undefined;
  const err = doc.error;
  if (err === undefined || err === null) return undefined;
  if (isObject(err)) return { code: err.code, message: err.message };
  return { code: doc.code, message: err };
}

/**
 * What an answer stands for: the HTTP status with the error code of its body (undefined when it has none).
 * The one map of the source; codes are compared as text (the application sends numbers, the gateway strings).
 *
 * | answer | code |
 * |---|---|
 * | 404, or any status with body code 404 (a 500 with a 404 body in July 2025) | `ETL_NOT_FOUND` |
 * | 403 `OVER_RATE_LIMIT` (EIA's FAQ: the key is suspended for exceeding the limit) | `ETL_KEY_SUSPENDED` |
 * | 429, or `OVER_RATE_LIMIT` / code 429 on another status (200 included) | `ETL_RATE_LIMITED` |
 * | 403 or 200 with `API_KEY_MISSING` | `ETL_API_KEY_MISSING` |
 * | any other 403 (`API_KEY_INVALID`, suspension), or 200 with `API_KEY_INVALID` | `ETL_API_KEY_INVALID` (the retry layer turns it into a suspension after a success) |
 * | 400, or body code 400 (on a 200 before 2.1.10) | `ETL_BAD_REQUEST` |
 * | 5xx and anything else, any other error body on a 200 | `ETL_HTTP_STATUS` |
 */
export function errorCodeFor(status: number, apiCode: unknown): EtlErrorCode {
  const code = apiCode === undefined || apiCode === null ? undefined : String(apiCode);
  if (code === '404' || status === 404) return 'ETL_NOT_FOUND';
  if (status === 403 && code === 'OVER_RATE_LIMIT') return 'ETL_KEY_SUSPENDED';
  if (status === 429 || code === 'OVER_RATE_LIMIT' || code === '429') return 'ETL_RATE_LIMITED';
  if (status === 403 || (status === 200 && (code === 'API_KEY_MISSING' || code === 'API_KEY_INVALID'))) {
    return code === 'API_KEY_MISSING' ? 'ETL_API_KEY_MISSING' : 'ETL_API_KEY_INVALID';
  }
  if (status === 400 || code === '400') return 'ETL_BAD_REQUEST';
  return 'ETL_HTTP_STATUS';
}

function parseTotal(raw: unknown): number {
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < 0) {
    throw malformed(`response.total is ${describe(raw)}, expected a non-negative integer (string or number)`);
  }
  return n;
}

/** `warnings` as an array, `null`, absent, or (defensively) a single entry; any entry is kept. */
function readWarnings(raw: unknown): EiaWarning[] {
  if (raw === undefined || raw === null) return [];
  const entries = Array.isArray(raw) ? raw : [raw];
  return entries.map((w): EiaWarning => {
    if (typeof w === 'string') return { warning: w, description: '' };
    if (isObject(w)) {
      const warning = typeof w.warning === 'string' ? w.warning : JSON.stringify(w);
      const description = typeof w.description === 'string' ? w.description : '';
      return { warning, description };
    }
    return { warning: JSON.stringify(w), description: '' };
  });
}

/** The EtlError of a data body that carries an error (it came with HTTP 200). */
function apiError({ code: apiCode, message: raw }: ApiError): EtlError {
  let message = typeof raw === 'string' ? raw : JSON.stringify(raw ?? null);
  message = message.replace(/\s+/g, ' ').slice(0, MAX_MESSAGE_CHARS);
  return new EtlError(errorCodeFor(200, apiCode), 'parse', `EIA API error ${String(apiCode)}: ${message}`, {
    details: { apiCode: apiCode ?? null, apiMessage: message },
  });
}

function malformed(what: string, details: Record<string, unknown> = {}, cause?: unknown): EtlError {
  return new EtlError('ETL_BODY_MALFORMED', 'parse', `malformed EIA body: ${what}`, { cause, details });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Short, one-line description of a JSON value for error messages. */
function describe(v: unknown): string {
  if (v === undefined) return 'absent';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  const s = JSON.stringify(v) ?? String(v);
  return `${typeof v} ${s.length > 40 ? `${s.slice(0, 40)}…` : s}`;
}

function stringOrNull(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}
