/**
 * The per-key request budget: one limiter shared by every request made with a key (pages, retries, probes).
 *
 * Bottleneck bounds concurrency and queues jobs; its reservoir is a FIXED window, which can let 2× the budget
 * through around a refill, so start times are decided by a sliding-window log instead (`sliding-window.ts`):
 * no 1-s and no 3,600-s window ever holds more starts than the budget, with a margin for network jitter.
 * Starts pass one FIFO gate, so they are granted in request order. Time comes from an injectable `Clock`.
 */
import Bottleneck from 'bottleneck';
import { abortError, systemClock, type Clock } from '../../core/clock.js';
import type { BudgetRecord, RecordedSend } from './budget-record.js';
import { SlidingWindowLog, type LogEntry, type WindowLimit } from './sliding-window.js';

/**
 * Default margin, ms: 5/s becomes 5 per 1.05 s. It must exceed how much the network delays of two requests differ
 * (docs/decisions.md 15): 50 ms held in the API-bound bench (at most 5 arrivals in any second at the simulator) and
 * puts the default job at ~1.08× the quota minimum; 100 ms cost 1.13×.
 */
export const DEFAULT_LIMITER_MARGIN_MS = 50;
/** How long another writer's reservation without a send line counts as pending, ms. */
const FOREIGN_PENDING_MAX_MS = 10_000;
/** Longest wait between two reads of the record while the windows are full, ms. */
const RECORD_POLL_MS = 250;
/** The widest the adaptive margin gets, ms: 5/s becomes 5 per 2 s at worst. */
export const MAX_LIMITER_MARGIN_MS = 1000;

/** The margin after one more throttled answer: doubled (at least 100 ms), capped at `MAX_LIMITER_MARGIN_MS`. */
export function widenedMargin(marginMs: number): number {
  return Math.min(MAX_LIMITER_MARGIN_MS, Math.max(100, marginMs * 2));
}

/** Limiter settings. `null` limits are off (CPU benchmarks); concurrency always applies. */
export interface RateLimiterOptions {
  /** Starts per rolling hour (`longWindowMs`); null = unlimited. Default 5,000. */
  readonly requestsPerHour?: number | null;
  /** Starts per rolling second; null = unlimited. Default 5. */
  readonly requestsPerSecond?: number | null;
  /** Requests running at once. Default 5. */
  readonly concurrency?: number;
  /** Margin added to each window, ms: covers differences in network delay between requests. Default 50. */
  readonly marginMs?: number;
  /** Length of the "hour" window, ms. Default 3,600,000; tests shrink it to exercise the same rule quickly. */
  readonly longWindowMs?: number;
  readonly clock?: Clock;
  /**
   * The durable, possibly shared record of send times (`budget-record.ts`): the windows start from its last hour,
   * every start is reserved in it before the request leaves, and others' starts are read before each of ours.
   */
  readonly record?: BudgetRecord;
}

/** What the limiter did about throttling, for the summary. */
export interface LimiterStats {
  /** Margin in force now, ms. */
  readonly marginMs: number;
  /** Margin at the start of the run, ms. */
  readonly initialMarginMs: number;
  /** Times the margin was widened (once per throttled answer until it reaches its cap). */
  readonly marginChanges: number;
  /** Sends the limiter found in the budget record (earlier processes and other writers sharing the key). */
  readonly recordedSends: number;
}

/** What the source and the probe call. */
export interface RateLimiter {
  /**
   * Run `fn` once a concurrency slot is free and the budget allows a start; the start is recorded just before
   * `fn` is called. `fn` should call `markSent()` when the request's headers actually go out (after a connect):
   * the request's time in the log moves to that moment; until then (or until `fn` settles) it counts as "now".
   * Resolves/rejects with `fn`'s outcome; rejects with `ETL_ABORTED` (without calling `fn`) when `signal` aborts
   * first.
   */
  schedule<T>(fn: (markSent: () => void) => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** Hold every start until `epochMs` (global back-off after a 429 or a key suspension). */
  pauseUntil(epochMs: number): void;
  /** Starts recorded in the current rolling hour (`longWindowMs`), ours and the record's: the budget used. */
  budgetUsed(): number;
  /** Until when every start is held (0 or past = not paused). */
  pausedUntil(): number;
  /** A throttled answer (429, over-limit, suspension): widen the margin for the rest of the run. */
  throttled(): void;
  stats(): LimiterStats;
  /** The limits in force (for reports). */
  readonly limits: { readonly requestsPerHour: number | null; readonly requestsPerSecond: number | null; readonly concurrency: number };
}

/** Create a limiter. Pass the same instance to every source/probe that uses the same key. */
export function createRateLimiter(opts: RateLimiterOptions = {}): RateLimiter {
  const clock = opts.clock ?? systemClock;
  const perHour = opts.requestsPerHour === undefined ? 5000 : opts.requestsPerHour;
  const perSecond = opts.requestsPerSecond === undefined ? 5 : opts.requestsPerSecond;
  const concurrency = opts.concurrency ?? 5;
  const marginMs = opts.marginMs ?? DEFAULT_LIMITER_MARGIN_MS;
  const longWindowMs = opts.longWindowMs ?? 3_600_000;
  const windows: WindowLimit[] = [];
  if (perSecond !== null) windows.push({ windowMs: 1000, limit: perSecond });
  if (perHour !== null) windows.push({ windowMs: longWindowMs, limit: perHour });
  const log = new SlidingWindowLog(windows, marginMs, perSecond === null ? 0 : 1000 / perSecond);
  const budgetLog = new SlidingWindowLog([{ windowMs: longWindowMs, limit: Infinity }]); // counts only
  const bottleneck = new Bottleneck({ maxConcurrent: concurrency });
  let gateTail: Promise<void> = Promise.resolve();
  const record = opts.record;
  /** Others' requests by record key: a correction moves the entry already in the windows. */
  const foreign = new Map<string, { log: LogEntry; budget: LogEntry }>();
  let recordedSends = 0;
  let marginChanges = 0;

  /**
   * Add others' sends. A reservation whose send line has not been read counts as pending ("now", like our own
   * requests still connecting): another process's request may leave late, after a slow connect. One still pending
   * after `FOREIGN_PENDING_MAX_MS` (its writer died, or aborted it) keeps its grant time.
   */
  function merge(sends: readonly RecordedSend[]): void {
    for (const s of sends) {
      const known = foreign.get(s.key);
      if (known) {
        if (s.sent) {
          log.markSent(known.log, s.t);
          budgetLog.markSent(known.budget, s.t);
        }
        continue;
      }
      const pending = !s.sent && clock.now() - s.t < FOREIGN_PENDING_MAX_MS;
      const entry = pending ? log.record(s.t) : log.addSent(s.t);
      foreign.set(s.key, { log: entry, budget: budgetLog.addSent(s.t) });
      recordedSends++;
    }
    const stale = clock.now() - FOREIGN_PENDING_MAX_MS;
    for (const v of foreign.values()) if (v.log.pending && v.log.t < stale) log.settle(v.log);
    if (foreign.size > 2 * (perHour ?? 5000) + 100) {
      const old = clock.now() - longWindowMs - log.marginMs;
      for (const [k, v] of foreign) if (v.log.t <= old) foreign.delete(k);
    }
  }

  /** Wait until the windows allow a start, by our own log (no lock held while waiting). */
  async function waitForWindows(signal?: AbortSignal): Promise<void> {
    for (let wait = log.delayMs(clock.now()); wait > 0; wait = log.delayMs(clock.now())) {
      await clock.sleep(wait, signal);
    }
    if (signal?.aborted) throw abortError();
  }

  /** Wait for our turn at the gate, then until the windows allow a start; record it (in the record first). */
  async function admit(signal?: AbortSignal): Promise<LogEntry> {
    const prev = gateTail;
    let release!: () => void;
    gateTail = new Promise<void>((r) => (release = r));
    try {
      await prev;
      if (!record) {
        await waitForWindows(signal);
        budgetLog.settle(budgetLog.record(clock.now()));
        return log.record(clock.now());
      }
      for (let first = true; ; first = false) {
        // With a record, re-read it at least every 250 ms while waiting: others' pending requests settle there.
        if (!first) await clock.sleep(Math.min(RECORD_POLL_MS, Math.max(1, log.delayMs(clock.now()))), signal);
        if (signal?.aborted) throw abortError();
        // Under the record's lock: add what others sent meanwhile, and reserve only if the windows still allow.
        let entry: LogEntry | null = null;
        await record.reserve((sends) => {
          merge(sends);
          const now = clock.now();
          if (log.delayMs(now) > 0) return null;
          budgetLog.settle(budgetLog.record(now));
          entry = log.record(now);
          return now;
        });
        if (entry) return entry;
      }
    } finally {
      release();
    }
  }

  /** Seed the windows from the record before the first start (its last hour: earlier runs and other writers). */
  const seeded = record ? record.reserve((sends) => (merge(sends), null)) : Promise.resolve(null);

  return {
    limits: { requestsPerHour: perHour, requestsPerSecond: perSecond, concurrency },
    schedule<T>(fn: (markSent: () => void) => Promise<T>, signal?: AbortSignal): Promise<T> {
      if (signal?.aborted) return Promise.reject(abortError());
      const job = bottleneck.schedule(async () => {
        await seeded;
        if (signal?.aborted) throw abortError();
        const entry = await admit(signal);
        const grant = entry.t;
        try {
          return await fn(() => {
            log.markSent(entry, clock.now());
            record?.sent(grant, entry.t);
          });
        } finally {
          log.settle(entry);
        }
      });
      if (!signal) return job;
      // Reject at once on abort even while still queued inside Bottleneck (the job then exits without `fn`).
      return new Promise<T>((resolve, reject) => {
        const onAbort = () => reject(abortError());
        signal.addEventListener('abort', onAbort, { once: true });
        job.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
      });
    },
    pauseUntil: (epochMs) => log.pauseUntil(epochMs),
    budgetUsed: () => {
      budgetLog.trim(clock.now());
      return budgetLog.countWithin(clock.now(), longWindowMs);
    },
    pausedUntil: () => log.pausedUntilMs,
    throttled() {
      const next = widenedMargin(log.marginMs);
      if (next === log.marginMs) return;
      log.setMargin(next);
      marginChanges++;
    },
    stats: () => ({ marginMs: log.marginMs, initialMarginMs: marginMs, marginChanges, recordedSends }),
  };
}
