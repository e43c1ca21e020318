/**
 * The EIA client (`createEiaClient`): everything that talks to the API with one key. One logical request with its
 * retries: every attempt passes the shared rate limiter, goes out over the HTTP transport (`http.ts`), is
 * classified (`classify.ts`) and, on failure, retried per `retry.ts`.
 *
 * Key gate: until a request with the key has succeeded, attempts go out ONE AT A TIME, so an invalid key costs
 * exactly one request; after a fatal key error every later request fails with the same error without sending.
 */
import { abortError, systemClock, type Clock } from '../../core/clock.js';
import type { PageEnvelope } from '../../core/contracts.js';
import { isEtlError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { createHttpTransport, type HttpTransport, type HttpResponse } from './http.js';
import { classifyMetadata, classifyResponse } from './classify.js';
import { parseEiaSourceConfig, type EiaSourceConfig, type EiaSourceConfigInput } from './config.js';
import { createCounters, type SourceCounters } from './counters.js';
import { dataUrl, type EiaQuery } from './query.js';
import { classifyRouteMetadata, routeMetadataUrl } from './route-metadata.js';
import type { Dataset } from '../../core/catalog.js';
import type { BudgetRecord } from './budget-record.js';
import { createRateLimiter, type RateLimiter } from './rate-limiter.js';
import { decideRetry } from './retry.js';

/** A page fetched and parsed. */
export interface FetchResult {
  readonly response: HttpResponse;
  readonly envelope: PageEnvelope;
  /** Attempts it took (1 = no retry). */
  readonly attempts: number;
  /** ISO-8601 UTC arrival time. */
  readonly fetchedAt: string;
}

/** Everything that talks to the API with one key. Share one per key (it owns the limiter). */
export interface EiaClient {
  readonly config: EiaSourceConfig;
  readonly limiter: RateLimiter;
  readonly counters: SourceCounters;
  /**
   * Fetch `length` rows of `query` at `offset`, retrying per policy. `label` names the unit/page in messages.
   * Rejects with the fatal `EtlError` (`ETL_API_KEY_INVALID`, `ETL_BAD_REQUEST`, `ETL_RETRIES_EXHAUSTED`, …) or
   * `ETL_ABORTED`.
   */
  fetchPage(query: EiaQuery, offset: number, length: number, label: string, signal?: AbortSignal): Promise<FetchResult>;
  /** `total` of `query` from one `length=1` request (plus retries). Used by the planner probe and `plan`/`incremental`. */
  probeTotal(query: EiaQuery, signal?: AbortSignal): Promise<number>;
  /** The route's latest published hour (`endPeriod` of its metadata, epoch ms) from one request (plus retries). */
  latestPeriod(dataset: Dataset, signal?: AbortSignal): Promise<number>;
  /**
   * The `response` object of a metadata path below the base URL (e.g. `electricity/rto/region-data/facet/respondent`),
   * through the same limiter, counters and retry policy as data pages.
   */
  getMetadata(path: string, label: string, signal?: AbortSignal): Promise<Record<string, unknown>>;
  /** Close pooled connections (idempotent). */
  close(): Promise<void>;
}

/** Injectables of the client. */
export interface EiaClientDeps {
  /** Shared limiter for the key (default: one built from the config). */
  readonly limiter?: RateLimiter;
  /** The durable budget record the default limiter seeds from and reserves in (`budget-record.ts`). */
  readonly record?: BudgetRecord;
  readonly clock?: Clock;
  /** Uniform [0, 1) for backoff jitter (default Math.random). */
  readonly random?: () => number;
  readonly logger?: Logger;
  readonly counters?: SourceCounters;
  /** Test seam: replaces the undici transport (`http.ts`). */
  readonly http?: HttpTransport;
}

/** Create the client. Validates the config (`ETL_CONFIG_INVALID`). */
export function createEiaClient(input: EiaSourceConfigInput | EiaSourceConfig, deps: EiaClientDeps = {}): EiaClient {
  const config = parseEiaSourceConfig(input as EiaSourceConfigInput);
  const clock = deps.clock ?? systemClock;
  const random = deps.random ?? Math.random;
  const limiter =
    deps.limiter ??
    createRateLimiter({
      requestsPerHour: config.requestsPerHour,
      requestsPerSecond: config.requestsPerSecond,
      concurrency: config.concurrency,
      marginMs: config.limiterMarginMs,
      clock,
      record: deps.record,
    });
  const counters = deps.counters ?? createCounters({ limiter, now: () => clock.now() });
  const http =
    deps.http ??
    createHttpTransport({
      baseUrl: config.baseUrl,
      apiKey: config.apiKey,
      connectTimeoutMs: config.connectTimeoutMs,
      headersTimeoutMs: config.headersTimeoutMs,
      bodyTimeoutMs: config.bodyTimeoutMs,
      maxBodyBytes: config.maxBodyBytes,
      connections: Math.max(config.concurrency, limiter.limits.concurrency),
    });
  let keyConfirmed = false;
  let keyError: unknown;
  let keyGate: Promise<void> = Promise.resolve();

  /** One attempt through the limiter; serialized while the key is unconfirmed. */
  async function attempt<T = PageEnvelope>(
    url: string,
    label: string,
    probe: boolean,
    signal?: AbortSignal,
    classify: (res: HttpResponse, label: string) => T = classifyResponse as unknown as (res: HttpResponse, label: string) => T,
  ): Promise<{ response: HttpResponse; envelope: T; fetchedAt: string }> {
    let release: (() => void) | undefined;
    if (!keyConfirmed) {
      const prev = keyGate;
      let r!: () => void;
      keyGate = new Promise<void>((res) => (r = res));
      release = r;
      await prev;
      if (keyConfirmed) {
        // Confirmed while we waited: let the queue behind us go concurrently.
        r();
        release = undefined;
      }
    }
    try {
      if (keyError) throw keyError;
      const response = await limiter.schedule((markSent) => {
        const sentAt = counters.recordSend(clock.now(), probe);
        const onSent = () => {
          markSent();
          sentAt(clock.now());
        };
        return http.get(url, { label, signal, onSent });
      }, signal);
      counters.recordResponse(response.latencyMs, response.wireBytes);
      const envelope = classify(response, label);
      keyConfirmed = true;
      return { response, envelope, fetchedAt: new Date(clock.now()).toISOString() };
    } catch (e) {
      if (!keyConfirmed && (isEtlError(e, 'ETL_API_KEY_INVALID') || isEtlError(e, 'ETL_API_KEY_MISSING'))) keyError = e;
      throw e;
    } finally {
      release?.();
    }
  }

  async function request(query: EiaQuery, offset: number, length: number, label: string, probe: boolean, signal?: AbortSignal) {
    return withRetries(dataUrl(config.baseUrl, query, offset, length, config.apiKey), label, probe, signal, classifyResponse);
  }

  async function withRetries<T>(url: string, label: string, probe: boolean, signal: AbortSignal | undefined, classify: (res: HttpResponse, label: string) => T) {
    let counted = 0; // attempts that count against maxAttempts (a suspension's do not)
    let suspendedMs = 0;
    for (let n = 1; ; n++) {
      try {
        const r = await attempt(url, label, probe, signal, classify);
        return { ...r, attempts: n };
      } catch (e) {
        if (signal?.aborted) throw abortError();
        const d = decideRetry(e, counted + 1, keyConfirmed, config.retry, random, clock.now());
        if (!d.retry) throw d.error;
        counters.recordRetry(d.cause);
        if (d.cause === 'ETL_KEY_SUSPENDED') {
          suspendedMs += d.delayMs;
          if (suspendedMs > config.retry.maxSuspensionMs) throw e;
        } else counted++;
        const wait = d.pauseAll ? throttledWait(d.cause, d.delayMs, e) : d.delayMs;
        // One short line at info (a retry is expected now and then; a suspension warns once in throttledWait); the
        // redacted URL and the figures at debug.
        if (d.cause !== 'ETL_KEY_SUSPENDED') deps.logger?.info(retryLine(e, counted, config.retry.maxAttempts, wait, label));
        deps.logger?.debug({ code: d.cause, attempt: n, delayMs: wait, unit: label, url: isEtlError(e) ? e.details.url : undefined }, 'retry');
        await clock.sleep(wait, signal);
      }
    }
  }

  /**
   * A throttled answer (429, over-limit, suspension): widen the limiter's margin for the rest of the run and hold
   * EVERY start until the wait is over and the 1-s window has cleared; the held requests then leave one by one at
   * the limiter's spacing, never in a burst. Returns this request's wait, ms.
   */
  function throttledWait(cause: string, delayMs: number, e: unknown): number {
    counters.recordThrottled();
    limiter.throttled();
    const now = clock.now();
    const until = Math.max(now + delayMs, now + 1000 + limiter.stats().marginMs, limiter.pausedUntil());
    if (cause === 'ETL_KEY_SUSPENDED' && until > limiter.pausedUntil() + 1000) {
      deps.logger?.warn(
        { code: cause, resumesAt: new Date(until).toISOString() },
        `${(e as Error).message.split(';')[0]}: pausing every request until ${new Date(until).toISOString()} (nothing is lost; the run resumes by itself)`,
      );
    }
    limiter.pauseUntil(until);
    return until - now;
  }

  return {
    config,
    limiter,
    counters,
    fetchPage: (q, offset, length, label, signal) => request(q, offset, length, label, false, signal),
    async probeTotal(q, signal) {
      const r = await request(q, 0, 1, `probe ${q.dataset}`, true, signal);
      return r.envelope.total;
    },
    async latestPeriod(dataset, signal) {
      const url = routeMetadataUrl(config.baseUrl, dataset, config.apiKey);
      return (await withRetries(url, `metadata ${dataset}`, true, signal, classifyRouteMetadata)).envelope;
    },
    async getMetadata(path, label, signal) {
      const url = `${config.baseUrl.replace(/\/+$/, '')}/${path}/?api_key=${encodeURIComponent(config.apiKey)}`;
      return (await withRetries(url, label, false, signal, classifyMetadata)).envelope;
    },
    close: () => http.close(),
  };
}

/** `retry 2/8 of <unit> in 1.4 s: HTTP 503: …` — the error without its `GET <url> (<unit>)` part, on one line. */
export function retryLine(e: unknown, attempt: number, maxAttempts: number, delayMs: number, label: string): string {
  let what = e instanceof Error ? e.message : String(e);
  if (isEtlError(e) && typeof e.details.url === 'string') {
    what = what.replace(`GET ${e.details.url} (${String(e.details.unit ?? label)})`, '').replace(/^[\s:;]+|[\s:;]+$/g, '');
  }
  const code = isEtlError(e) ? ` [${e.code}]` : '';
  return `retry ${attempt}/${maxAttempts - 1} of ${label} in ${(delayMs / 1000).toFixed(1)} s: ${what.replace(/\s*\n\s*/g, ' ')}${code}`;
}
