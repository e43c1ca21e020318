/**
 * Response descriptors: what the handler returns and the server sends. Application responses carry the 200-style
 * header set, gateway responses API Umbrella's; fault responses replace the normal answer.
 */
import { appHeaders, gatewayHeaders } from './headers.js';
import { FAULT_BODY, GATEWAY_BODY, appErrorBody } from './messages.js';
import type { FaultKind, ResolvedOptions } from './options.js';

/** What to send. `oversized` = stream a valid-looking JSON body of that many bytes instead of `body`. */
export interface SimResponse {
  status: number;
  headers: string[];
  body: string;
  rows: number;
  /** May be gzipped when the client accepts it. */
  compressible: boolean;
  oversized?: number;
}

/** An application (PHP) response with the 200-style header set. */
export function appResponse(opts: ResolvedOptions, n: number, status: number, body: string, rows = 0, vary = true): SimResponse {
  return { status, headers: appHeaders(opts.seed, n, 'application/json', vary), body, rows, compressible: true };
}

/** A gateway (API Umbrella) response: 403 key errors, 429. */
export function gateway(opts: ResolvedOptions, n: number, status: number, body: string): SimResponse {
  return { status, headers: gatewayHeaders(opts.seed, n), body, rows: 0, compressible: false };
}

/** An application error `{"error":…,"code":n}`: HTTP n, or 200 with `legacyStatus`. */
export function appError(opts: ResolvedOptions, n: number, message: string, code: number): SimResponse {
  const status = opts.legacyStatus ? 200 : code;
  return appResponse(opts, n, status, appErrorBody(message, code));
}

/** The response of a replacing fault (null = reset the connection). */
export function faultResponse(opts: ResolvedOptions, n: number, fault: FaultKind): SimResponse | null {
  const seed = opts.seed;
  switch (fault) {
    case 'reset':
      return null;
    case '403':
      return gateway(opts, n, 403, GATEWAY_BODY.keyInvalid);
    case '500':
      return appResponse(opts, n, 500, FAULT_BODY['500'], 0, false);
    case '502': case '503': case '504':
      return { status: Number(fault), headers: appHeaders(seed, n, 'text/html', false), body: FAULT_BODY[fault], rows: 0, compressible: false };
    case 'html200':
      return { status: 200, headers: appHeaders(seed, n, 'text/html; charset=UTF-8'), body: FAULT_BODY.html200, rows: 0, compressible: true };
    case 'empty200':
      return appResponse(opts, n, 200, '');
    case 'error200':
      return appResponse(opts, n, 200, FAULT_BODY.error200);
    case 'oversized': {
      const r = appResponse(opts, n, 200, '');
      r.compressible = false;
      r.oversized = opts.faults?.oversizedBytes ?? 64 * 1024 * 1024;
      return r;
    }
    default:
      return appResponse(opts, n, 500, FAULT_BODY['500'], 0, false);
  }
}

