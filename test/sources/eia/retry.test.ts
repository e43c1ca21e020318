import { describe, expect, it } from 'vitest';
import { EtlError, type EtlErrorCode } from '../../../src/core/errors.js';
import { RetryPolicySchema } from '../../../src/sources/eia/config.js';
import { backoffDelayMs, decideRetry, parseRetryAfterMs } from '../../../src/sources/eia/retry.js';

const policy = RetryPolicySchema.parse({});
const err = (code: EtlErrorCode, details: Record<string, unknown> = {}) => new EtlError(code, 'source', `x ${code}`, { details });
const NOW = Date.UTC(2025, 0, 1);

describe('retry policy', () => {
  it.each([
    ['ETL_RATE_LIMITED', { status: 429 }],
    ['ETL_HTTP_STATUS', { status: 500 }],
    ['ETL_HTTP_STATUS', { status: 503 }],
    ['ETL_HTTP_STATUS', { status: 200, apiCode: 503 }],
    ['ETL_TIMEOUT', {}],
    ['ETL_NETWORK', {}],
    ['ETL_BODY_TRUNCATED', { status: 200 }],
    ['ETL_BODY_MALFORMED', { status: 200 }],
  ] as const)('retries %s %o', (code, details) => {
    const d = decideRetry(err(code, details), 1, true, policy, () => 0.5, NOW);
    expect(d.retry).toBe(true);
  });

  it.each([
    ['ETL_BAD_REQUEST', { status: 400 }],
    ['ETL_NOT_FOUND', { status: 404 }],
    ['ETL_NOT_FOUND', { status: 500, apiCode: 404 }],
    ['ETL_HTTP_STATUS', { status: 401 }],
    ['ETL_API_KEY_MISSING', { status: 403 }],
    ['ETL_ABORTED', {}],
  ] as const)('never retries %s %o', (code, details) => {
    const e = err(code, details);
    const d = decideRetry(e, 1, true, policy, () => 0.5, NOW);
    expect(d).toEqual({ retry: false, error: e });
  });

  it('a 403 API_KEY_INVALID before any success is fatal at once', () => {
    const e = err('ETL_API_KEY_INVALID', { status: 403 });
    expect(decideRetry(e, 1, false, policy, () => 0.5, NOW)).toEqual({ retry: false, error: e });
  });

  it('a 403 after an earlier success is a suspension: cool down for suspensionCooldownMs, pausing every request', () => {
    const d = decideRetry(err('ETL_API_KEY_INVALID', { status: 403 }), 1, true, policy, () => 0.5, NOW);
    expect(d).toEqual({ retry: true, delayMs: 60_000, cause: 'ETL_KEY_SUSPENDED', pauseAll: true });
  });

  it('backs off exponentially with full jitter, capped at maxDelayMs', () => {
    expect(backoffDelayMs(1, policy, () => 0.999999)).toBe(499);
    expect(backoffDelayMs(2, policy, () => 0.999999)).toBe(999);
    expect(backoffDelayMs(4, policy, () => 0.5)).toBe(2000);
    expect(backoffDelayMs(20, policy, () => 0.999999)).toBe(29_999);
    expect(backoffDelayMs(3, policy, () => 0)).toBe(0);
    const d = decideRetry(err('ETL_HTTP_STATUS', { status: 502 }), 3, true, policy, () => 0.25, NOW);
    expect(d).toEqual({ retry: true, delayMs: 500, cause: 'ETL_HTTP_STATUS', pauseAll: false });
  });

  it('a 429 pauses the whole limiter for its delay', () => {
    const d = decideRetry(err('ETL_RATE_LIMITED', { status: 429 }), 1, true, policy, () => 0.5, NOW);
    expect(d).toMatchObject({ retry: true, delayMs: 250, pauseAll: true });
  });

  it('honours Retry-After (seconds or HTTP date) over the backoff, capped at maxDelayMs', () => {
    const secs = decideRetry(err('ETL_RATE_LIMITED', { status: 429, retryAfter: '7' }), 1, true, policy, () => 0, NOW);
    expect(secs).toMatchObject({ retry: true, delayMs: 7000 });
    const date = new Date(NOW + 12_000).toUTCString();
    const byDate = decideRetry(err('ETL_HTTP_STATUS', { status: 503, retryAfter: date }), 1, true, policy, () => 0, NOW);
    expect(byDate).toMatchObject({ retry: true, delayMs: 12_000 });
    const capped = decideRetry(err('ETL_RATE_LIMITED', { retryAfter: '3600' }), 1, true, policy, () => 0, NOW);
    expect(capped).toMatchObject({ retry: true, delayMs: 30_000 });
    expect(parseRetryAfterMs('soon', NOW)).toBeUndefined();
    expect(parseRetryAfterMs(undefined, NOW)).toBeUndefined();
  });

  it('after maxAttempts a retriable error becomes ETL_RETRIES_EXHAUSTED with the last error as cause', () => {
    const last = err('ETL_HTTP_STATUS', { status: 503, url: 'u' });
    const d = decideRetry(last, policy.maxAttempts, true, policy, () => 0.5, NOW);
    expect(d.retry).toBe(false);
    if (d.retry) return;
    expect(d.error).toBeInstanceOf(EtlError);
    expect((d.error as EtlError).code).toBe('ETL_RETRIES_EXHAUSTED');
    expect((d.error as EtlError).cause).toBe(last);
    expect((d.error as EtlError).message).toContain('after 8 attempts');
  });

  it('non-EtlErrors (bugs) are never retried', () => {
    const e = new TypeError('boom');
    expect(decideRetry(e, 1, true, policy, () => 0.5, NOW)).toEqual({ retry: false, error: e });
  });
});
