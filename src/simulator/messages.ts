/**
 * Every error message and fault body the simulator sends, in one table, so each can be corrected against a real
 * capture. "verbatim" = copied from a recording or a documented live probe (docs/eia-api.md §9.2); "inferred" =
 * reasoned guess.
 */

/** Join a list the way EIA's facet/sort messages do: `'a'`, `'a', and 'b'`, `'a', 'b', and 'c'` (sic). */
export function eiaList(items: readonly string[]): string {
  const q = items.map((x) => `'${x}'`);
  return q.length <= 1 ? q.join('') : `${q.slice(0, -1).join(', ')}, and ${q[q.length - 1]}`;
}

/** Gateway bodies (API Umbrella), sent as-is. */
export const GATEWAY_BODY = {
  /** verbatim [AE] live probe. */
  keyMissing:
    '{"error":{"code":"API_KEY_MISSING","message":"No api_key was supplied.  Please register for one at https://www.eia.gov/opendata/register.php"}}',
  /** verbatim [REC] eia_collector_demand_0.json: pretty-printed, 136 bytes. */
  keyInvalid:
    '{\n  "error": {\n    "code": "API_KEY_INVALID",\n    "message": "An invalid api_key was supplied. Get one at https://api.eia.gov:443"\n  }\n}',
  /** verbatim API Umbrella standard (other Umbrella-fronted APIs); no EIA 429 has been recorded. */
  overRateLimit:
    '{"error":{"code":"OVER_RATE_LIMIT","message":"You have exceeded your rate limit. Try again later or contact us at https://api.eia.gov:443/contact/ for assistance"}}',
} as const;

/** Application (PHP) error messages; wrapped as `{"error":"<msg>","code":<n>}`. */
export const APP_MESSAGE = {
  /** verbatim [REC] (404 body, sent with 500 in July 2025). */
  notFound: 'Not found.',
  /** pattern verbatim [ROE]; the two-item join is inferred. */
  badFrequency: (f: string, valid: readonly string[]) =>
    `Invalid frequency '${f}' provided. The only valid frequencies are ${valid.length === 2 ? `'${valid[0]}' and '${valid[1]}'` : eiaList(valid)}.`,
  /** pattern verbatim [ROE]. */
  badData: (x: string, valid: readonly string[]) => `Invalid data '${x}' provided. The only valid data are ${eiaList(valid)}.`,
  /** pattern verbatim [ROE], odd comma kept. */
  badFacet: (x: string, valid: readonly string[]) => `Invalid facet '${x}' provided. The only valid facets are ${eiaList(valid)}.`,
  /** verbatim [ROE]. */
  badSortDirection: (d: string, c: string) =>
    `Invalid sort direction '${d}' provided for column '${c}'. The only valid sort directions are 'asc' and 'desc'.`,
  /** verbatim [ROE] pattern, no final full stop. */
  badSortColumn: (c: string, valid: readonly string[]) =>
    `Invalid sort '${c}' provided. The only valid sort parameters are ${eiaList(valid)} in either 'asc' or 'desc' order. If direction is not provided or is incorrect, 'asc' is the default`,
  /** inferred. */
  badDate: (name: string, v: string) => `Invalid ${name} '${v}' provided. Dates must be in the format of the frequency requested.`,
  /** inferred. */
  badInteger: (name: string, v: string) => `Invalid ${name} '${v}' provided. It must be a non-negative integer.`,
  /** inferred. */
  badXParams: 'Invalid X-Params header: the value is not valid JSON.',
  /** inferred: the body of the `error200` fault. */
  error200: 'The request could not be processed.',
  /** inferred: the body of the `500` fault. */
  internal: 'Internal Server Error',
} as const;

/** `{"error":"<msg>","code":<code>}` with PHP escaping. */
export function appErrorBody(message: string, code: number): string {
  return `{"error":${JSON.stringify(message).replace(/\//g, '\\/')},"code":${code}}`;
}

/** Bodies of injected faults (inferred: EIA's 5xx bodies were not recorded). */
export const FAULT_BODY = {
  '500': appErrorBody(APP_MESSAGE.internal, 500),
  '502': '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>',
  '503':
    '<HTML><HEAD><TITLE>Service Unavailable</TITLE></HEAD><BODY><H1>Service Unavailable</H1>The server is temporarily unable to service your request.</BODY></HTML>',
  '504': '<html><head><title>504 Gateway Time-out</title></head><body><h1>504 Gateway Time-out</h1></body></html>',
  html200:
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>EIA - Open Data</title></head><body><h1>Open Data</h1><p>The page you requested is temporarily unavailable.</p></body></html>',
  error200: appErrorBody(APP_MESSAGE.error200, 400),
} as const;

/** The truncation warning entry (docs/eia-api.md §6.2, verbatim: two spaces after "JSON format."). */
export const WARNING_DESCRIPTION =
  'The API can only return 5000 rows in JSON format.  Please consider constraining your request with facet, start, or end, or using offset to paginate results.';
export const WARNINGS_JSON = `[{"warning":"incomplete return","description":${JSON.stringify(WARNING_DESCRIPTION)}}]`;
