/**
 * The rate limiter's pure core: a log of request start times and the rule that decides when the next request may
 * start. No timers; the caller passes `now`.
 *
 * Rule, per window `{windowMs, limit}`: a start at `t` is allowed only when fewer than `limit` requests lie in
 * `(t − windowMs − marginMs, t]`. So any `limit + 1` consecutive requests span at least `windowMs + marginMs`, and
 * as long as the network delays requests by amounts that differ by less than `marginMs`, no window of `windowMs`
 * at the server ever sees more than `limit` arrivals. Starts are also spaced by at least `minSpacingMs`.
 *
 * A request's time is when it was granted, moved forward to when its headers actually went out on the socket
 * (`markSent`: a new connection's handshake delays the send), and while neither happened it counts as "now": a
 * request still connecting may reach the server at any moment.
 */

/** One rolling window. */
export interface WindowLimit {
  /** Window length, ms (1,000 for per-second, 3,600,000 for per-hour). */
  readonly windowMs: number;
  /** Most requests allowed in any such window. */
  readonly limit: number;
}

/** A request in the log (returned by `record`). */
export interface LogEntry {
  /** Grant time, then the time its headers were sent, epoch ms. */
  t: number;
  /** True until the headers went out or the request settled. */
  pending: boolean;
}

/** The log and the rule. */
export class SlidingWindowLog {
  private entries: LogEntry[] = [];
  private pausedUntil = 0;
  private lastGrant = -Infinity;
  private horizonMs: number;
  private margin: number;

  /**
   * @param windows   the rolling windows to respect (may be empty: no limit)
   * @param marginMs  safety margin added to every window, ms
   * @param minSpacingMs smallest gap between two grants, ms
   */
  constructor(
    readonly windows: readonly WindowLimit[],
    marginMs = 0,
    readonly minSpacingMs = 0,
  ) {
    this.margin = marginMs;
    this.horizonMs = Math.max(0, ...windows.map((w) => w.windowMs)) + marginMs;
  }

  /** The margin in force, ms. */
  get marginMs(): number {
    return this.margin;
  }

  /** Change the margin (the adaptive limiter widens it after a throttled answer). */
  setMargin(marginMs: number): void {
    this.margin = marginMs;
    this.horizonMs = Math.max(0, ...this.windows.map((w) => w.windowMs)) + marginMs;
  }

  /** Until when starts are held (0 = not paused). */
  get pausedUntilMs(): number {
    return this.pausedUntil;
  }

  /** Ms to wait from `now` until a start is allowed (0 = now). */
  delayMs(now: number): number {
    this.trim(now);
    let at = Math.max(now, this.pausedUntil, this.lastGrant + this.minSpacingMs);
    for (const w of this.windows) {
      const from = now - w.windowMs - this.margin;
      const times: number[] = [];
      for (const e of this.entries) {
        const t = e.pending ? now : e.t;
        if (t > from) times.push(t);
      }
      if (times.length < w.limit) continue;
      // The `limit`-th most recent request must leave the window first.
      times.sort((a, b) => b - a);
      at = Math.max(at, times[w.limit - 1] + w.windowMs + this.margin);
    }
    return at - now;
  }

  /** Record a grant at `now`; the entry stays pending until `markSent` or `settle`. */
  record(now: number): LogEntry {
    this.lastGrant = Math.max(this.lastGrant, now);
    const e: LogEntry = { t: now, pending: true };
    this.entries.push(e);
    return e;
  }

  /**
   * A request sent at `t` by someone else with the same key (another process, or this key before a restart): it
   * counts in every window and for the spacing, like one of ours that was sent.
   */
  addSent(t: number): LogEntry {
    this.lastGrant = Math.max(this.lastGrant, t);
    const e: LogEntry = { t, pending: false };
    this.entries.push(e);
    return e;
  }

  /** The request's headers went out at `at` (never moves a time backwards). */
  markSent(e: LogEntry, at: number): void {
    e.t = Math.max(e.t, at);
    e.pending = false;
  }

  /** The request settled; if it was never sent it keeps its grant time. */
  settle(e: LogEntry): void {
    e.pending = false;
  }

  /** No start before `untilMs` (a global back-off after 429 or a suspension); the latest pause wins if later. */
  pauseUntil(untilMs: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, untilMs);
  }

  /** Requests in `(now − windowMs, now]` (pending ones count as now). */
  countWithin(now: number, windowMs: number): number {
    let n = 0;
    for (const e of this.entries) if ((e.pending ? now : e.t) > now - windowMs) n++;
    return n;
  }

  /** Forget settled requests older than the longest window (+ margin). */
  trim(now: number): void {
    if (this.entries.length === 0 || !this.isOld(this.entries[0], now)) return;
    this.entries = this.entries.filter((e) => !this.isOld(e, now));
  }

  private isOld(e: LogEntry, now: number): boolean {
    return !e.pending && e.t <= now - this.horizonMs;
  }
}
