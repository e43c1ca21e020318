/**
 * Retry policy: what is retried and how long to wait. Pure: the caller passes `random` and `nowMs`, so tests
 * never sleep.
 *
 * | error | decision |
 * |---|---|
 * | `ETL_RATE_LIMITED` (429, 403/200 OVER_RATE_LIMIT) | retry; the wait also pauses the whole limiter |
 * | `ETL_HTTP_STATUS` with a 5xx status or 5xx body code | retry |
 * | `ETL_TIMEOUT`, `ETL_NETWORK`, `ETL_BODY_TRUNCATED`, `ETL_BODY_MALFORMED`, `ETL_BODY_TOO_LARGE` | retry |
 * | `ETL_API_KEY_INVALID` before any success with the key | fatal for the run, at once |
 * | `ETL_KEY_SUSPENDED` (403 OVER_RATE_LIMIT), or `ETL_API_KEY_INVALID` after a success | suspension: wait max(`Retry-After`, `suspensionCooldownMs`) (pauses the limiter), retry; not counted in `maxAttempts` |
 * | `ETL_API_KEY_MISSING`, `ETL_BAD_REQUEST`, `ETL_NOT_FOUND`, other `ETL_HTTP_STATUS`, `ETL_ABORTED`, non-EtlErrors | fatal |
 *
 * Wait: `Retry-After` when the response had one (seconds or an HTTP date, capped at `maxDelayMs`), otherwise full
 * jitter `uniform(0, min(maxDelayMs, baseDelayMs · 2^(attempt−1)))`. After `maxAttempts` attempts a retriable
 * error becomes `ETL_RETRIES_EXHAUSTED` (its `cause` is the last error).
 */
import { EtlError, isEtlError, type EtlErrorCode } from '../../core/errors.js';
import type { RetryPolicy } from './config.js';

/** Outcome of one failed attempt. */
export type RetryDecision =
  | {
      readonly retry: true;
      /** Wait before the next attempt, ms. */
      readonly delayMs: number;
      /** The error code counted as the retry's cause (`ETL_KEY_SUSPENDED` for a suspension). */
      readonly cause: EtlErrorCode;
      /** True when the wait applies to every request of the key (rate limit, suspension). */
      readonly pauseAll: boolean;
    }
  | { readonly retry: false; readonly error: unknown };

const ALWAYS_RETRIED: ReadonlySet<EtlErrorCode> = new Set([
  'ETL_RATE_LIMITED',
  'ETL_TIMEOUT',
  'ETL_NETWORK',
  'ETL_BODY_TRUNCATED',
  'ETL_BODY_MALFORMED',
  'ETL_BODY_TOO_LARGE',
]);

/** Full-jitter exponential backoff for the attempt that just failed (1-based), ms. */
export function backoffDelayMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/** `Retry-After` (delta seconds or an HTTP date) → ms from `nowMs`, or undefined when absent/unparseable. */
export function parseRetryAfterMs(value: unknown, nowMs: number): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const s = String(value).trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const at = Date.parse(s);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

function isServerError(e: EtlError): boolean {
  const status = Number(e.details.status);
  const apiCode = Number(e.details.apiCode);
  return (status >= 500 && status <= 599) || (apiCode >= 500 && apiCode <= 599);
}

/**
 * Decide after attempt `attempt` (1-based) failed with `err`.
 * @param keyConfirmed true once any request with this key succeeded (a later 403 is then a suspension)
 */
export function decideRetry(
  err: unknown,
  attempt: number,
  keyConfirmed: boolean,
  policy: RetryPolicy,
  random: () => number,
  nowMs: number,
): RetryDecision {
  if (!isEtlError(err)) return { retry: false, error: err };
  let cause: EtlErrorCode | undefined;
  if (ALWAYS_RETRIED.has(err.code) || (err.code === 'ETL_HTTP_STATUS' && isServerError(err))) cause = err.code;
  else if (err.code === 'ETL_KEY_SUSPENDED' || (err.code === 'ETL_API_KEY_INVALID' && keyConfirmed)) cause = 'ETL_KEY_SUSPENDED';
  if (!cause) return { retry: false, error: err };
  // A suspension is waited out, not counted as an attempt (the caller bounds the total wait: maxSuspensionMs).
  if (cause !== 'ETL_KEY_SUSPENDED' && attempt >= policy.maxAttempts) {
    return {
      retry: false,
      error: new EtlError('ETL_RETRIES_EXHAUSTED', err.stage, `gave up after ${attempt} attempts; last: ${err.message}`, {
        cause: err,
        details: { ...err.details, attempts: attempt, lastCode: err.code },
      }),
    };
  }
  const retryAfter = parseRetryAfterMs(err.details.retryAfter, nowMs);
  let delayMs: number;
  if (cause === 'ETL_KEY_SUSPENDED') delayMs = Math.max(retryAfter ?? 0, policy.suspensionCooldownMs);
  else if (retryAfter !== undefined) delayMs = Math.min(retryAfter, policy.maxDelayMs); // authoritative when present
  else delayMs = backoffDelayMs(attempt, policy, random);
  return { retry: true, delayMs, cause, pauseAll: cause === 'ETL_RATE_LIMITED' || cause === 'ETL_KEY_SUSPENDED' };
}
