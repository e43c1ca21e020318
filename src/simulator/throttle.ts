/**
 * Per-key budget (docs/eia-api.md §15.8): two token buckets per key, a burst bucket (`perSecond` tokens, refilled at
 * perSecond/s) and a sustained bucket (`perHour` tokens, refilled at perHour/h). A request that finds either bucket
 * empty is refused (and consumes nothing). In `403-suspend` mode a refusal suspends the key for `suspendMs`. Pure apart
 * from the injected clock (real time by default: budgets are about real request rates).
 */

/** The decision for one request. */
export type ThrottleDecision = 'ok' | 'over' | 'suspended';

interface Bucket {
  sec: number;
  hour: number;
  at: number;
  suspendedUntil: number;
}

/** Token buckets for every key seen. */
export class Throttle {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly budget: { perSecond: number; perHour: number },
    private readonly mode: '429' | '403-suspend',
    private readonly suspendMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Take one token for `key` at `at` (default now); 'over' = refuse, 'suspended' = the key is (or just got) suspended. */
  take(key: string, at?: number): ThrottleDecision {
    // `at` (arrival + jitter) may precede the previous request's when jitter reordered them: never run backwards.
    const t = Math.max(at ?? this.now(), this.buckets.get(key)?.at ?? -Infinity);
    let b = this.buckets.get(key);
    if (!b) {
      b = { sec: this.budget.perSecond, hour: this.budget.perHour, at: t, suspendedUntil: 0 };
      this.buckets.set(key, b);
    }
    if (t < b.suspendedUntil) return 'suspended';
    const dt = (t - b.at) / 1000;
    b.at = t;
    b.sec = Math.min(this.budget.perSecond, b.sec + dt * this.budget.perSecond);
    b.hour = Math.min(this.budget.perHour, b.hour + (dt * this.budget.perHour) / 3600);
    if (b.sec >= 1 && b.hour >= 1) {
      b.sec -= 1;
      b.hour -= 1;
      return 'ok';
    }
    if (this.mode === '403-suspend') {
      b.suspendedUntil = t + this.suspendMs;
      return 'suspended';
    }
    return 'over';
  }
}
