/**
 * Named crash points for the crash-and-resume tests: when configured, the process kills itself with
 * SIGKILL — no cleanup, exactly like `kill -9` — the n-th time a named point is reached. Off unless the CLI was
 * given `EIA_STREAM_CRASH_AT=name:n[,name:n…]` (test-only; documented in docs/architecture.md).
 *
 * Points: `page-written` (after every sink staged a page), `before-commit` (a unit-end arrived),
 * `commit:<sink>` (after that sink committed the unit, before the next sink), `after-commit` (all sinks committed).
 */
const targets = new Map<string, number>();
const seen = new Map<string, number>();

/** Parse and install a crash spec; an empty or undefined spec turns crash points off. */
export function configureCrashPoints(spec: string | undefined): void {
  targets.clear();
  seen.clear();
  for (const part of (spec ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const at = part.lastIndexOf(':');
    const n = Number(part.slice(at + 1));
    if (at > 0 && Number.isInteger(n) && n > 0) targets.set(part.slice(0, at), n);
  }
}

/** Reach a named point: SIGKILL the process if this is the configured n-th time. */
export function crashPoint(name: string): void {
  if (targets.size === 0) return;
  const count = (seen.get(name) ?? 0) + 1;
  seen.set(name, count);
  if (targets.get(name) === count) process.kill(process.pid, 'SIGKILL');
}
