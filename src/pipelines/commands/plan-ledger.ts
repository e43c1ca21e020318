/**
 * `plan` against the ledger, pure: which planned units are done, which are open (fetched again because their
 * window reached EIA's publication frontier), which remain, and which have no hour published yet; and the command
 * that resumes the job with the user's own flags.
 */
import { DEFAULTS, type PipelineConfig } from '../../config.js';
import type { WorkUnit } from '../../core/contracts.js';
import { formatHourStamp } from '../../core/time.js';
import type { LedgerUnit } from '../../store/duckdb/ledger.js';

export interface LedgerSplit {
  /** In the ledger and closed: nothing of them is fetched again. */
  readonly done: WorkUnit[];
  /** In the ledger but open: fetched again by the next run. */
  readonly open: WorkUnit[];
  /** Not in the ledger and with published hours: fetched by the next run. */
  readonly todo: WorkUnit[];
  /** Not in the ledger and starting after `nowMs`: no hour of theirs can be published yet. */
  readonly later: WorkUnit[];
  /** Requests the done units took (their pages; retries are not in the ledger). */
  readonly doneRequests: number;
  readonly doneRows: number;
}

/** Split planned units by the ledger. `nowMs` bounds what can be published (nothing after the wall clock is). */
export function splitByLedger(units: readonly WorkUnit[], ledger: ReadonlyMap<string, LedgerUnit>, nowMs: number): LedgerSplit {
  const done: WorkUnit[] = [];
  const open: WorkUnit[] = [];
  const todo: WorkUnit[] = [];
  const later: WorkUnit[] = [];
  let doneRequests = 0;
  let doneRows = 0;
  for (const u of units) {
    const l = ledger.get(u.id);
    if (l && !l.open) {
      done.push(u);
      doneRequests += l.pages;
      doneRows += l.rows;
    } else if (l) open.push(u);
    else if (u.startMs > nowMs) later.push(u);
    else todo.push(u);
  }
  return { done, open, todo, later, doneRequests, doneRows };
}

/** `npm run pipeline historical -- …` with the job's range, regions and types and every non-default option. */
export function resumeCommand(config: PipelineConfig): string {
  const stamp = (ms: number) => (ms % 86_400_000 === 0 ? formatHourStamp(ms).slice(0, 10) : formatHourStamp(ms));
  const args = [
    `--start ${stamp(config.startMs)}`,
    `--end ${stamp(config.endMs)}`,
    `--regions ${config.regions.join(',')}`,
    `--types ${config.types.join(',')}`,
  ];
  const opt = (flag: string, v: number | string, dflt: number | string) => {
    if (v !== dflt) args.push(`${flag} ${/^[\w./,:-]+$/.test(String(v)) ? v : `'${String(v).replace(/'/g, `'\\''`)}'`}`);
  };
  opt('--data-dir', config.dataDir, DEFAULTS.dataDir);
  opt('--concurrency', config.concurrency, DEFAULTS.concurrency);
  opt('--requests-per-hour', config.requestsPerHour, DEFAULTS.requestsPerHour);
  opt('--requests-per-second', config.requestsPerSecond, DEFAULTS.requestsPerSecond);
  opt('--revision-horizon-hours', config.revisionHorizonHours, DEFAULTS.revisionHorizonHours);
  opt('--timeout-ms', config.timeoutMs, DEFAULTS.timeoutMs);
  return `npm run pipeline historical -- ${args.join(' ')}`;
}
