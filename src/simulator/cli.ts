/**
 * `npm run simulator -- --port N …`: start the simulator and print `EIA simulator listening on
 * http://127.0.0.1:N/v2` as the first line of stdout. Bad flags: one line on stderr naming the flag, exit 2.
 * SIGINT/SIGTERM close the server and exit 0.
 */
import { isEtlError } from '../core/errors.js';
import { helpText, parseCliArgs, type CliConfig } from './cli-args.js';
import { startSimulator } from './index.js';

async function main(): Promise<void> {
  let cfg: CliConfig;
  try {
    cfg = parseCliArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`eia-simulator: ${isEtlError(err) ? err.message : String(err)}\n`);
    process.exit(2);
  }
  if (cfg.help) {
    process.stdout.write(helpText());
    return;
  }
  const sim = await startSimulator(cfg.options, cfg.port);
  process.stdout.write(`EIA simulator listening on ${sim.baseUrl}\n`);
  const stop = () => {
    sim.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`eia-simulator: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
