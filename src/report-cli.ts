/**
 * `npm run report`: the edge of the report command. Owns argv, stdout/stderr and exit codes:
 * 0 written · 1 failed (one line) · 2 bad usage or no warehouse (one line naming the flag, nothing written).
 */
import { isEtlError, userMessage } from './core/errors.js';
import { parseReportArgs, runReportCommand } from './pipelines/commands/report.js';

const oneLine = (e: unknown): string => userMessage(e, process.env.EIA_API_KEY?.trim() || undefined);

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseReportArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`eia-stream report: error: ${oneLine(e)}\n`);
    return 2;
  }
  if (parsed.kind === 'help') {
    process.stdout.write(parsed.text);
    return 0;
  }
  try {
    const r = await runReportCommand(parsed.options);
    const sim = r.simulated ? ' — SIMULATED DATA (a run used the built-in simulator)' : '';
    process.stdout.write(`report: wrote ${r.file} (${(r.bytes / 1e6).toFixed(2)} MB, ${r.charts} charts) in ${(r.ms / 1000).toFixed(1)} s${sim}\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`eia-stream report: error: ${oneLine(e)}\n`);
    return isEtlError(e, 'ETL_CONFIG_INVALID') ? 2 : 1;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
    setTimeout(() => process.exit(code), 50).unref();
  },
  (e) => {
    process.stderr.write(`eia-stream report: internal error: ${oneLine(e)}\n`);
    process.exit(1);
  },
);
