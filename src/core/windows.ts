/**
 * Counting events in rolling windows, over a list of times: what the rate limiter reports about its own sends and
 * what the simulator's request log says about the arrivals it saw. One algorithm for both, so the client's figure
 * and the server's are computed the same way.
 */

/** The most times found in any half-open window `[t, t + windowMs)`, over a sorted or unsorted list. */
export function maxInAnyWindow(times: readonly number[], windowMs: number): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; j < t.length; j++) {
    while (t[j] - t[i] >= windowMs) i++;
    best = Math.max(best, j - i + 1);
  }
  return best;
}

/**
 * The shortest time spanned by any `count` consecutive times, ms (Infinity when there are fewer). `minSpan(t, limit
 * + 1) >= windowMs` is the same check as `maxInAnyWindow(t, windowMs) <= limit`, read as a distance: how much
 * room was left.
 */
export function minSpan(times: readonly number[], count: number): number {
  const t = [...times].sort((a, b) => a - b);
  let min = Infinity;
  for (let i = 0; i + count - 1 < t.length; i++) min = Math.min(min, t[i + count - 1] - t[i]);
  return min;
}
