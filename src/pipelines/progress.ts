/**
 * Progress reporting. On a TTY: one redrawn status line on stderr (units, rows, requests/s, rows/s, budget, ETA),
 * drawn through stderr's shared status line so that log lines appear above it, never glued to it.
 * Otherwise: a structured log line each time another 10% of the units is committed.
 */
import type { Logger } from '../core/logger.js';
import { stderrStatusLine, type StatusLine } from '../core/status-line.js';

/** Figures the reporter reads on every tick. */
export interface ProgressState {
  unitsDone: number;
  unitsTotal: number;
  rows: number;
  requests: number;
  /** Requests in the current rolling hour. */
  budgetUsed: number;
  budgetPerHour: number;
  /** Epoch ms until which the limiter holds every request (a throttled answer or a key suspension); 0 = none. */
  pausedUntil?: number;
}

export interface ProgressReporter {
  /** Call after each committed unit (and freely after pages). */
  update(state: ProgressState): void;
  /** Clear the TTY line. Idempotent. */
  stop(): void;
}

export function createProgress(opts: {
  enabled: boolean;
  tty: boolean;
  logger: Logger;
  /** Where the TTY status goes (default: stderr's shared status line, which the logger also writes through). */
  statusLine?: StatusLine;
  now?: () => number;
}): ProgressReporter {
  const now = opts.now ?? Date.now;
  const started = now();
  let last: ProgressState | null = null;
  let lastDecile = -1;
  let timer: NodeJS.Timeout | null = null;
  const status = opts.statusLine ?? stderrStatusLine();

  const line = (s: ProgressState): string => {
    const secs = Math.max(0.001, (now() - started) / 1000);
    const frac = s.unitsTotal ? s.unitsDone / s.unitsTotal : 1;
    const eta = frac > 0 && frac < 1 ? ((secs / frac) * (1 - frac)) : 0;
    const bar = '#'.repeat(Math.round(frac * 20)).padEnd(20, '.');
    return (
      `[${bar}] units ${s.unitsDone}/${s.unitsTotal} | rows ${fmt(s.rows)} | ${(s.requests / secs).toFixed(1)} req/s | ` +
      `${fmt(s.rows / secs)} rows/s | budget ${s.budgetUsed}/${s.budgetPerHour} per h | ${paused(s.pausedUntil ?? 0, now())}ETA ${dur(eta)}`
    );
  };

  if (opts.enabled && opts.tty) {
    timer = setInterval(() => last && status.draw(line(last)), 250);
    timer.unref();
  }

  return {
    update(s) {
      last = { ...s };
      if (!opts.enabled || opts.tty) return;
      const decile = s.unitsTotal ? Math.floor((s.unitsDone / s.unitsTotal) * 10) : 10;
      if (decile > lastDecile) {
        lastDecile = decile;
        const secs = (now() - started) / 1000;
        opts.logger.info(
          { progress: decile * 10, units: s.unitsDone, unitsTotal: s.unitsTotal, rows: s.rows, requests: s.requests,
            rowsPerSecond: Math.round(s.rows / Math.max(secs, 0.001)), budgetUsed: s.budgetUsed },
          `progress ${decile * 10}%`,
        );
      }
    },
    stop() {
      if (timer) {
        clearInterval(timer);
        timer = null;
        status.end(last ? line(last) : undefined);
      }
    },
  };
}

function fmt(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return `${Math.round(n)}`;
}

function dur(s: number): string {
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${Math.round(s % 60)}s`;
  return `${Math.floor(s / 3600)}h${Math.round((s % 3600) / 60)}m`;
}

/** `PAUSED until 18:42:10 UTC (37s) | ` while the limiter holds every request, else ''. */
function paused(untilMs: number, nowMs: number): string {
  if (untilMs <= nowMs) return '';
  return `PAUSED until ${new Date(untilMs).toISOString().slice(11, 19)} UTC (${dur((untilMs - nowMs) / 1000)}) | `;
}
