/**
 * `npm run report [-- --data-dir data --out data/report]`: the report command. Parses its flags once (one-line
 * `ETL_CONFIG_INVALID` errors naming the flag, before anything is read or written), then writes the page
 * (`src/report/`). The edge (`src/report-cli.ts`) owns argv, stdout and exit codes.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULTS } from '../../config.js';
import { configError } from '../../core/errors.js';
import { writeReport, type ReportResult } from '../../report/index.js';

export interface ReportCommandOptions {
  readonly dataDir: string;
  /** Directory of `index.html` (default `<dataDir>/report`). */
  readonly outDir: string;
}

const OPTIONS = {
  'data-dir': { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;
const ALLOWED = '--data-dir DIR, --out DIR, --help';

export const REPORT_HELP = `eia-stream report — one self-contained HTML page of what the warehouse holds

Usage: npm run report [-- --data-dir DIR --out DIR]

  --data-dir DIR   the pipeline's data directory holding eia.duckdb (default ${DEFAULTS.dataDir}); read-only
  --out DIR        where index.html is written (default <data-dir>/report)
  -h, --help       this help

Sections: coverage (respondent × month per dataset, longest gaps), quality (flags per rule, quarantine), the grid
(demand, generation mix and forecast error per respondent), revisions, API and bulk copies, runs. A SIMULATED DATA banner shows when any
run used the built-in simulator. The page opens from disk and loads nothing from the network.

Exit codes: 0 written, 1 failed (one line), 2 bad usage or no warehouse (nothing written).
`;

export type ParsedReportArgs = { kind: 'help'; text: string } | { kind: 'run'; options: ReportCommandOptions };

/** @throws EtlError ETL_CONFIG_INVALID with a one-line message naming the flag. */
export function parseReportArgs(argv: readonly string[]): ParsedReportArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    const m = /'(-[^']*)'/.exec((e as Error).message);
    throw configError(`unknown or malformed option ${m ? m[1] : '(see --help)'}; allowed: ${ALLOWED}`);
  }
  const { values: v, positionals } = parsed;
  if (v.help) return { kind: 'help', text: REPORT_HELP };
  if (positionals.length > 0) throw configError(`unexpected argument '${positionals[0]}'; allowed: ${ALLOWED}`);
  const dataDir = v['data-dir'] ?? DEFAULTS.dataDir;
  if (dataDir.trim() === '') throw configError('--data-dir must name a directory (default ./data)');
  const outDir = v.out ?? path.join(dataDir, 'report');
  if (outDir.trim() === '') throw configError('--out must name a directory (default <data-dir>/report)');
  return { kind: 'run', options: Object.freeze({ dataDir, outDir }) };
}

/** Write the report; returns what was written and how long it took. */
export async function runReportCommand(options: ReportCommandOptions, now: () => number = Date.now): Promise<ReportResult & { ms: number }> {
  const t0 = performance.now();
  const result = await writeReport({ dataDir: options.dataDir, outDir: options.outDir, now });
  return { ...result, ms: performance.now() - t0 };
}
