/**
 * Parse: a response body → `PageEnvelope`, and the streaming stage that fills `FetchedPage.envelope`.
 *
 * One page is ≤ 5,000 rows (~1 MB), so the whole body is parsed with `JSON.parse`: measured ~8× faster than the
 * best stream-json configuration on the same pages (docs/parts/transforms.md, bench/transforms.ts), and memory per
 * page is bounded by the API's row cap. The stage stays a streaming transform over pages.
 *
 * The envelope variants accepted (docs/eia-api.md §7.1): `total` as a string (≥ 2.1.6) or a number (2023); `warnings`
 * at the root (2.1.8), inside `response` (2023), `null` (2026), or absent; `ExcelAddInVersion` present or not.
 */
import type { EiaRow, EiaWarning, PageEnvelope, SourceItem, StreamTransform } from '../core/contracts.js';
import { EtlError, isEtlError, type EtlErrorCode } from '../core/errors.js';
import { abortError } from '../core/clock.js';

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
 *   `{"error":{"code":"API_KEY_INVALID","message":…}}`), even on HTTP 200: `ETL_API_KEY_INVALID`,
 *   `ETL_API_KEY_MISSING`, `ETL_RATE_LIMITED` (OVER_RATE_LIMIT), `ETL_BAD_REQUEST` (code 400), `ETL_NOT_FOUND`
 *   (code 404), else `ETL_HTTP_STATUS`; `details.apiCode` is the API's code and `details.apiMessage` its message.
 */
export function parsePage(body: Buffer | string): PageEnvelope {
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
  if (doc.error !== undefined && doc.error !== null) throw apiError(doc);

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

/**
 * Streaming parse stage. For each `page` item without an `envelope` (pages read back from the raw archive for
 * replay) it parses the body and yields the page with `envelope` set; pages that already carry one (the source
 * parsed them to verify paging), `unit-end` and `unit-restart` items pass through unchanged, in order.
 * A body that does not parse is a systemic failure: the `EtlError` of `parsePage` is re-thrown with
 * `details.pageId` added. Rejects with `ETL_ABORTED` when `signal` aborts.
 */
export const parsePages: StreamTransform<SourceItem, SourceItem> = async function* parsePages(items, { signal }) {
  for await (const item of items) {
    if (signal.aborted) throw abortError();
    if (item.kind !== 'page' || item.page.envelope !== undefined) {
      yield item;
      continue;
    }
    const { page } = item;
    let envelope: PageEnvelope;
    try {
      envelope = parsePage(page.body);
    } catch (e) {
      if (!isEtlError(e)) throw e;
      throw new EtlError(e.code, 'parse', `page ${page.pageId}: ${e.message}`, {
        cause: e,
        details: { ...e.details, pageId: page.pageId },
      });
    }
    yield { kind: 'page', page: { ...page, envelope } };
  }
};

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

/** Map an `error` body (application or gateway style) to its EtlError. */
function apiError(doc: Record<string, unknown>): EtlError {
  const err = doc.error;
  let apiCode: unknown;
  let message: string;
  if (isObject(err)) {
    apiCode = err.code;
    message = typeof err.message === 'string' ? err.message : JSON.stringify(err.message ?? null);
  } else {
    apiCode = doc.code;
    message = typeof err === 'string' ? err : JSON.stringify(err);
  }
  const code = errorCodeFor(apiCode);
  message = message.replace(/\s+/g, ' ').slice(0, MAX_MESSAGE_CHARS);
  return new EtlError(code, 'parse', `EIA API error ${String(apiCode)}: ${message}`, {
    details: { apiCode: apiCode ?? null, apiMessage: message },
  });
}

function errorCodeFor(apiCode: unknown): EtlErrorCode {
  switch (apiCode) {
    case 'API_KEY_INVALID':
      return 'ETL_API_KEY_INVALID';
    case 'API_KEY_MISSING':
      return 'ETL_API_KEY_MISSING';
    case 'OVER_RATE_LIMIT':
    case 429:
    case '429':
      return 'ETL_RATE_LIMITED';
    case 400:
    case '400':
      return 'ETL_BAD_REQUEST';
    case 404:
    case '404':
      return 'ETL_NOT_FOUND';
    default:
      return 'ETL_HTTP_STATUS';
  }
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
