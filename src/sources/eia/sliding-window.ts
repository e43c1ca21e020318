/**
 * The rate limiter's pure core: a log of request start times and the rule that decides when the next request may
 * start. No timers; the caller passes `now`.
 *
 * Rule, per window `{windowMs, limit}`: a start at `t` is allowed only when fewer than `limit` starts lie in
 * `(t − windowMs − marginMs, t]`. So any `limit + 1` consecutive starts span at least `windowMs + marginMs`, and as
 * long as the network delays requests by amounts that differ by less than `marginMs`, no window of `windowMs`
 * at the server ever sees more than `limit` arrivals. Starts are also spaced by at least `minSpacingMs`
 * (smooths bursts: 5/s becomes one start every 200 ms instead of 5 at once).
 */

/** One rolling window. */
export interface WindowLimit {
  /** Window length, ms (1,000 for per-second, 3,600,000 for per-hour). */
  readonly windowMs: number;
  /** Most starts allowed in any such window. */
  readonly limit: number;
}

/** The log and the rule. */
export class SlidingWindowLog {
  private readonly starts: number[] = [];
  private head = 0;
  private pausedUntil = 0;
  private readonly horizonMs: number;

  /**
   * @param windows   the rolling windows to respect (may be empty: no limit)
   * @param marginMs  safety margin added to every window, ms
   * @param minSpacingMs smallest gap between two starts, ms
   */
  constructor(
    readonly windows: readonly WindowLimit[],
    readonly marginMs = 0,
    readonly minSpacingMs = 0,
  ) {
    this.horizonMs = Math.max(0, ...windows.map((w) => w.windowMs)) + marginMs;
  }

  /** Ms to wait from `now` until a start is allowed (0 = now). */
  delayMs(now: number): number {
    this.trim(now);
    let at = Math.max(now, this.pausedUntil);
    const n = this.starts.length;
    if (n > this.head) at = Math.max(at, this.starts[n - 1] + this.minSpacingMs);
    for (const w of this.windows) {
      if (n - this.head < w.limit) continue;
      // The oldest of the last `limit` starts must leave the window first.
      at = Math.max(at, this.starts[n - w.limit] + w.windowMs + this.marginMs);
    }
    return at - now;
  }

  /** Record a start at `now` (clamped so the log stays sorted if the clock steps back). */
  record(now: number): void {
    const last = this.starts.length > this.head ? this.starts[this.starts.length - 1] : -Infinity;
    this.starts.push(Math.max(now, last));
  }

  /** No start before `untilMs` (a global back-off after 429 or a suspension); the latest pause wins if later. */
  pauseUntil(untilMs: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, untilMs);
  }

  /** Starts in `(now − windowMs, now]`. */
  countWithin(now: number, windowMs: number): number {
    let lo = this.head;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.starts[mid] > now - windowMs) hi = mid;
      else lo = mid + 1;
    }
    return this.starts.length - lo;
  }

  /** Forget starts older than the longest window (+ margin). */
  trim(now: number): void {
    while (this.head < this.starts.length && this.starts[this.head] <= now - this.horizonMs) this.head++;
    if (this.head > 4096 && this.head * 2 > this.starts.length) {
      this.starts.splice(0, this.head);
      this.head = 0;
    }
  }
}

/** The most starts found in any window of `windowMs` (half-open) over a sorted or unsorted list of times. */
export function maxInAnyWindow(times: readonly number[], windowMs: number): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; j < t.length; j++) {
    while (t[j] - t[i] >= windowMs) i++;
    best = Math.max(best, j - i + 1);
  }
  return best;
}
