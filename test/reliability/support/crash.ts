/**
 * Reliability test support: crash plans (named crash points, kills at a time or on a file-system event),
 * crash-and-resume sequences, and the ledger check run after every kill.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { openWarehouse } from '../../../src/store/duckdb/warehouse.js';
import { walk } from './fingerprint.js';
import { runCli, type KillPlan } from './runs.js';

/** Hidden temp files (`.<name>.tmp`, `.<name>.<tag>.tmp`) currently below `dir` (recursive). */
export async function tempFiles(dir: string): Promise<string[]> {
  return (await walk(dir)).filter((f) => /(^|\/)\.[^/]*\.tmp$/.test(f.split(path.sep).join('/')));
}

/** Names of the final Parquet part files currently in `dataDir`. */
export async function parquetParts(dataDir: string): Promise<Set<string>> {
  return new Set((await walk(path.join(dataDir, 'parquet'))).filter((f) => /part-\d+\.parquet$/.test(f)));
}

/** A way to SIGKILL one CLI run: a named crash point (`EIA_STREAM_CRASH_AT`) or a kill from outside. */
export interface CrashPlan {
  /** For reports: `page-written:2`, `time:1234ms`, `event:raw-temp`, … */
  label: string;
  crashAt?: string;
  /** Build the outside kill for a run into `dataDir` (called right before the run starts). */
  kill?: (dataDir: string) => Promise<KillPlan>;
}

/** Named crash point `name:n`. */
export const atPoint = (spec: string): CrashPlan => ({ label: spec, crashAt: spec });

/** SIGKILL `ms` after the process started. */
export const atTime = (ms: number): CrashPlan => ({ label: `time:${Math.round(ms)}ms`, kill: async () => ({ afterMs: ms }) });

/** name → mtime of the files `list` returns (to notice files that appear or change after a snapshot). */
async function mtimes(root: string, files: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const f of files) {
    const st = await stat(path.join(root, f)).catch(() => null);
    if (st) out.set(f, st.mtimeMs);
  }
  return out;
}

/** True once `list()` holds a file that was not in `before`, or whose mtime changed. */
function appeared(root: string, list: () => Promise<string[]>, before: Map<string, number>): () => Promise<boolean> {
  return async () => {
    for (const [f, m] of await mtimes(root, await list())) if (before.get(f) !== m) return true;
    return false;
  };
}

/** SIGKILL while a page is being written: as soon as a staged (hidden temp) raw page file appears or is rewritten. */
export const whileWritingPages = (): CrashPlan => ({
  label: 'event:raw-page-staged',
  kill: async (dataDir) => {
    const root = path.join(dataDir, 'raw');
    const list = () => tempFiles(root);
    return { when: appeared(root, list, await mtimes(root, await list())) };
  },
});

/** SIGKILL while a unit is being committed: a new commit journal or Parquet temp file appears (stale ones ignored). */
export const whileCommittingFiles = (): CrashPlan => ({
  label: 'event:file-commit',
  kill: async (dataDir) => {
    const list = async () => [
      ...(await walk(path.join(dataDir, '.journal'))).filter((f) => f.endsWith('.json')).map((f) => path.join('.journal', f)),
      ...(await tempFiles(path.join(dataDir, 'parquet'))).map((f) => path.join('parquet', f)),
    ];
    return { when: appeared(dataDir, list, await mtimes(dataDir, await list())), pollMs: 2 };
  },
});

/** SIGKILL while a commit journal is being written (its hidden temp file exists in `.journal/`). */
export const whileWritingJournal = (): CrashPlan => ({
  label: 'event:journal-temp',
  kill: async (dataDir) => ({ when: async () => (await tempFiles(path.join(dataDir, '.journal'))).length > 0, pollMs: 1 }),
});

/**
 * SIGKILL during the DuckDB commit (approximately): as soon as a new Parquet part file appears, i.e. a unit's
 * Parquet commit just finished and the quarantine and DuckDB commits (ledger row) follow.
 */
export const whileCommittingDuckDb = (): CrashPlan => ({
  label: 'event:duckdb-commit',
  kill: async (dataDir) => {
    const before = await parquetParts(dataDir);
    return { when: async () => [...(await parquetParts(dataDir))].some((p) => !before.has(p)), pollMs: 2 };
  },
});

/** Outcome of a crash-and-resume sequence. */
export interface ResumeOutcome {
  /** One entry per CLI run: the plan label (or `resume`) and how it ended. */
  runs: { label: string; code: number | null; signal: string | null; killed: boolean; ms: number }[];
  /** Runs that really died by SIGKILL. */
  kills: number;
  /** Plans whose run ended before the kill landed (the point was not reached). */
  missed: string[];
  /** Ledger inconsistencies seen after any kill (see `ledgerProblems`). */
  problems: string[];
}

/**
 * Apply `plans` to consecutive runs of the same command (each dies by SIGKILL, or completes if the point is not
 * reached), then re-run the same command until it exits 0 (at most `maxResumes` times). After every kill the
 * ledger is checked against the sinks.
 */
export async function crashAndResume(
  args: string[],
  env: Record<string, string>,
  dataDir: string,
  plans: readonly CrashPlan[],
  opts: { maxResumes?: number; checkLedger?: boolean } = {},
): Promise<ResumeOutcome> {
  const out: ResumeOutcome = { runs: [], kills: 0, missed: [], problems: [] };
  for (const plan of plans) {
    const kill = plan.kill ? await plan.kill(dataDir) : undefined;
    const r = await runCli(args, { env, crashAt: plan.crashAt, kill });
    const killed = r.signal === 'SIGKILL';
    out.runs.push({ label: plan.label, code: r.code, signal: r.signal, killed, ms: r.ms });
    if (killed) {
      out.kills++;
      if (opts.checkLedger !== false) out.problems.push(...(await ledgerProblems(dataDir)).map((p) => `after ${plan.label}: ${p}`));
    } else {
      out.missed.push(plan.label);
      if (r.code !== 0) throw new Error(`run with plan ${plan.label} failed: code ${r.code}: ${r.stderr.slice(-2000)}`);
    }
  }
  for (let i = 0; i < (opts.maxResumes ?? 4); i++) {
    const r = await runCli(args, { env });
    out.runs.push({ label: 'resume', code: r.code, signal: r.signal, killed: false, ms: r.ms });
    if (r.code === 0) return out;
    if (r.signal !== null || r.code !== 1) throw new Error(`resume ended with ${r.signal ?? r.code}: ${r.stderr.slice(-2000)}`);
  }
  throw new Error(`no resume completed: ${JSON.stringify(out.runs)}`);
}

/**
 * Units the ledger marks done that some sink does not fully hold: the raw manifest must exist with the ledger's
 * row count, Parquet and DuckDB must hold the unit's records (rows whose `source_page` is one of its pages).
 * Only call when no run is live (it opens the warehouse).
 */
export async function ledgerProblems(dataDir: string): Promise<string[]> {
  const problems: string[] = [];
  const wh = await openWarehouse(dataDir);
  let ledger: { id: string; dataset: string; year: number; rows: number; records: number; stored: number }[];
  try {
    const conn = await wh.connect();
    try {
      ledger = (
        await conn.runAndReadAll(
          `SELECT u.unit_id, u.dataset, u.year, u.rows, u.records,
             (SELECT count(*) FROM observations o WHERE starts_with(o.source_page, u.unit_id || '-p'))::BIGINT
           FROM units u`,
        )
      )
        .getRows()
        .map(([id, dataset, year, rows, records, stored]) => ({
          id: String(id), dataset: String(dataset), year: Number(year), rows: Number(rows), records: Number(records), stored: Number(stored),
        }));
    } finally {
      conn.closeSync();
    }
  } finally {
    await wh.close();
  }
  const parquetRows = new Map<string, number>();
  const files = (await walk(path.join(dataDir, 'parquet'))).filter((f) => /part-\d+\.parquet$/.test(f)).map((f) => path.join(dataDir, 'parquet', f));
  if (files.length) {
    const db = await DuckDBInstance.create(':memory:', { threads: '1' });
    const conn = await db.connect();
    try {
      const list = `[${files.map((f) => `'${f.replace(/'/g, "''")}'`).join(', ')}]`;
      for (const [page, n] of (
        await conn.runAndReadAll(`SELECT regexp_replace(source_page, '-p[0-9]+$', ''), count(*)::BIGINT FROM read_parquet(${list}) GROUP BY 1`)
      ).getRows()) {
        parquetRows.set(String(page), Number(n));
      }
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  }
  for (const u of ledger) {
    if (u.stored !== u.records) problems.push(`unit ${u.id}: ledger says ${u.records} records, DuckDB holds ${u.stored}`);
    if ((parquetRows.get(u.id) ?? 0) !== u.records) problems.push(`unit ${u.id}: ledger says ${u.records} records, Parquet holds ${parquetRows.get(u.id) ?? 0}`);
    const manifest = path.join(dataDir, 'raw', 'eia', u.dataset, String(u.year), `${u.id}.manifest.json`);
    try {
      const m = JSON.parse(await readFile(manifest, 'utf8')) as { rows_received: number };
      if (m.rows_received !== u.rows) problems.push(`unit ${u.id}: ledger says ${u.rows} rows, raw manifest ${m.rows_received}`);
    } catch {
      problems.push(`unit ${u.id}: in the ledger but no raw manifest`);
    }
  }
  return problems;
}

/** Re-exported for the chaos runs (replayable by seed). */
export { seededRandom } from '../../support/random.js';

/** Sink names of the fan-out, in commit order (the `commit:<sink>` crash points). */
export const SINK_NAMES = ['raw-archive', 'parquet', 'quarantine-files', 'duckdb'] as const;

/** A random crash plan: a named point with a small n, an event-triggered kill, or a kill at a random moment. */
export function randomCrashPlan(random: () => number, runMs: number): CrashPlan {
  const n = 1 + Math.floor(random() * 3);
  const pick = Math.floor(random() * 9);
  switch (pick) {
    case 0:
      return atPoint(`page-written:${1 + Math.floor(random() * 6)}`);
    case 1:
      return atPoint(`before-commit:${n}`);
    case 2:
      return atPoint(`after-commit:${n}`);
    case 3:
      return atPoint(`commit:${SINK_NAMES[Math.floor(random() * SINK_NAMES.length)]}:${n}`);
    case 4:
      return whileWritingPages();
    case 5:
      return whileCommittingFiles();
    case 6:
      return whileCommittingDuckDb();
    default:
      return atTime(runMs * (0.3 + random() * 0.7));
  }
}

