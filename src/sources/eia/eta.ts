/**
 * How long a plan of `requests` takes under the limiter's settings: a pure estimate for `plan`, not a
 * measurement. Three bounds, the largest wins:
 *
 * - the per-second budget: every `requestsPerSecond` starts are spread over 1 s plus the limiter's jitter margin;
 * - the concurrency: `concurrency` requests in flight, each answered after `latencyS`;
 * - the hourly budget: each full hour's worth of requests beyond the first waits out an hour.
 */

/** EIA's typical response time for a 5,000-row page, seconds: the estimate's assumption. */
export const TYPICAL_LATENCY_S = 1.2;

export interface EtaInputs {
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly requestsPerHour: number;
  readonly concurrency: number;
  /** The limiter's margin added to every window, ms. */
  readonly marginMs: number;
  /** Seconds per response (default `TYPICAL_LATENCY_S`). */
  readonly latencyS?: number;
}

/** Estimated seconds to send and receive `requests` (0 for none). */
export function etaSeconds(i: EtaInputs): number {
  const rateBound = (i.requests / i.requestsPerSecond) * (1 + i.marginMs / 1000);
  const concurrencyBound = (i.requests * (i.latencyS ?? TYPICAL_LATENCY_S)) / i.concurrency;
  const hourBound = i.requests > i.requestsPerHour ? Math.floor(i.requests / i.requestsPerHour) * 3600 : 0;
  return Math.max(rateBound, concurrencyBound, hourBound);
}
