/**
 * Response header sets (docs/eia-api.md §8, §15.1): the application set every 200 (and the unknown-route 500) carries,
 * and the gateway set of API Umbrella's 403/429. Returned as flat `[name, value, name, value…]` arrays for
 * `res.writeHead`, so repeated headers (`Vary`, `Strict-Transport-Security`) go out twice as recorded.
 */
import { SALT, hash2, hash3 } from './hash.js';

const B32 = '0123456789abcdefghijklmnopqrstuv';
const HEX = '0123456789abcdef';

/** `X-Api-Umbrella-Request-Id`: 20 lowercase base32 characters derived from (seed, request number). */
export function umbrellaRequestId(seed: number, n: number): string {
  let out = '';
  for (let i = 0; i < 4; i++) {
    let h = hash3(seed ^ SALT.REQID, n, i);
    for (let j = 0; j < 5; j++, h >>>= 5) out += B32[h & 31];
  }
  return out;
}

/** `X-Vcap-Request-Id`: UUID-shaped, derived from (seed, request number). */
export function vcapRequestId(seed: number, n: number): string {
  let hex = '';
  for (let i = 0; i < 4; i++) {
    let h = hash3(seed ^ SALT.REQID, n, 100 + i);
    for (let j = 0; j < 8; j++, h >>>= 4) hex += HEX[h & 15];
  }
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

let dateSec = -1;
let dateStr = '';
/** RFC 7231 date of the current second (cached). */
export function httpDate(nowMs = Date.now()): string {
  const s = Math.floor(nowMs / 1000);
  if (s !== dateSec) {
    dateSec = s;
    dateStr = new Date(s * 1000).toUTCString();
  }
  return dateStr;
}

/** Headers of an application response (200 data/metadata, 400, 404/500). `vary` = false for the unknown-route 500. */
export function appHeaders(seed: number, n: number, contentType: string, vary = true): string[] {
  const date = httpDate();
  const h = [
    'Access-Control-Allow-Headers', 'Origin, X-Requested-With, Content-Type, Accept, Authorization, X-Params',
    'Access-Control-Allow-Methods', 'GET,POST,PATCH,PUT,DELETE,OPTIONS',
    'Access-Control-Allow-Origin', '*',
    'Age', '0',
    'Cache-Control', 'max-age=0, no-cache, no-store',
    'Content-Type', contentType,
    'Date', date,
    'Expires', date,
    'Pragma', 'no-cache',
    'Strict-Transport-Security', 'max-age=63072000; includeSubdomains;',
    'Strict-Transport-Security', 'max-age=31536000; preload',
  ];
  if (vary) h.push('Vary', 'Accept-Encoding', 'Vary', 'Accept-Encoding');
  h.push(
    'Via', 'https/1.1 api-umbrella (ApacheTrafficServer [cMsSf ])',
    'X-Api-Umbrella-Request-Id', umbrellaRequestId(seed, n),
    'X-Cache', 'MISS',
    'X-Content-Type-Options', 'nosniff',
    'X-Frame-Options', 'SAMEORIGIN',
    'X-Vcap-Request-Id', vcapRequestId(seed, n),
  );
  return h;
}

/** Headers of a gateway response (403 key errors, 429): DENY, X-Xss-Protection, no Via/Cache-Control/CORS lists. */
export function gatewayHeaders(seed: number, n: number): string[] {
  return [
    'Access-Control-Allow-Origin', '*',
    'Content-Type', 'application/json',
    'Date', httpDate(),
    'Strict-Transport-Security', 'max-age=31536000; preload',
    'Vary', 'Accept-Encoding',
    'X-Api-Umbrella-Request-Id', umbrellaRequestId(seed, n),
    'X-Cache', 'MISS',
    'X-Content-Type-Options', 'nosniff',
    'X-Frame-Options', 'DENY',
    'X-Vcap-Request-Id', vcapRequestId(seed, n),
    'X-Xss-Protection', '1; mode=block',
  ];
}

/** Per-request latency jitter unit in [0, 1). */
export function jitterUnit(seed: number, n: number): number {
  return hash2(seed ^ SALT.LATENCY, n) / 4294967296;
}
