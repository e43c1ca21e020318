/**
 * When `follow` runs its next cycle, and whether it is healthy. Pure: the caller passes the clock and `random`.
 *
 * EIA publishes an hour a little after it ends and keeps revising recent hours, so by default a cycle starts a few
 * minutes past each hour, spread by a random jitter so that many followers on one key do not arrive together. With
 * `--interval-seconds N` cycles start every N seconds instead (tests, private mirrors). A failed cycle is retried
 * sooner, with full-jitter exponential backoff capped at the interval: the budget and the data are unchanged by a
 * failure, only time is lost.
 */
const HOUR_MS = 3_600_000;

export interface FollowSchedule {
  /** Fixed period between cycle starts, ms; undefined = hourly at `minutePastHour`. */
  readonly intervalMs?: number;
  /** Minute of the hour an hourly cycle aims at. */
  readonly minutePastHour: number;
  /** Up to this much random delay is added to each start, ms. */
  readonly jitterMs: number;
}

export const DEFAULT_FOLLOW_SCHEDULE: FollowSchedule = { minutePastHour: 7, jitterMs: 120_000 };

/** Start of the next cycle after one that started at `lastStartMs` (or now, for the first), epoch ms. */
export function nextCycleAt(nowMs: number, s: FollowSchedule, random: () => number, lastStartMs?: number): number {
  const jitter = Math.floor(random() * s.jitterMs);
  if (s.intervalMs !== undefined) {
    const base = lastStartMs === undefined ? nowMs : lastStartMs + s.intervalMs;
    return Math.max(nowMs, base) + jitter;
  }
  const offset = s.minutePastHour * 60_000;
  let at = Math.floor((nowMs - offset) / HOUR_MS) * HOUR_MS + HOUR_MS + offset;
  if (at <= nowMs) at += HOUR_MS;
  return at + jitter;
}

/** The nominal time between cycles, ms (the health check's yardstick). */
export function cycleIntervalMs(s: FollowSchedule): number {
  return s.intervalMs ?? HOUR_MS;
}

/** Delay before retrying after `failures` consecutive failed cycles (1-based), ms: full jitter, capped. */
export function retryCycleDelayMs(failures: number, baseMs: number, capMs: number, random: () => number): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, failures - 1));
  return Math.max(baseMs / 4, Math.floor(random() * ceiling));
}

export interface Health {
  readonly healthy: boolean;
  /** Age of the last successful cycle's end, ms; null before the first success. */
  readonly ageMs: number | null;
  readonly reason: string;
}

/**
 * Healthy while the last successful cycle ended less than two intervals ago. Before the first success the process
 * is healthy during a grace period of two intervals from its start (a back-fill may take a while).
 */
export function healthOf(nowMs: number, startedMs: number, lastSuccessMs: number | null, intervalMs: number): Health {
  const limit = 2 * intervalMs;
  if (lastSuccessMs === null) {
    const up = nowMs - startedMs;
    return up <= limit
      ? { healthy: true, ageMs: null, reason: 'starting: no cycle has finished yet' }
      : { healthy: false, ageMs: null, reason: `no successful cycle in ${Math.round(up / 1000)} s` };
  }
  const age = nowMs - lastSuccessMs;
  return age <= limit
    ? { healthy: true, ageMs: age, reason: `last successful cycle ${Math.round(age / 1000)} s ago` }
    : { healthy: false, ageMs: age, reason: `last successful cycle ${Math.round(age / 1000)} s ago (limit ${Math.round(limit / 1000)} s)` };
}
