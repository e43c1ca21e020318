/**
 * The pipeline's configuration, parsed and validated ONCE at the edge, then deep-frozen; its public API, so that
 * importers name one module:
 *
 *   config/schema.ts  every option's zod schema (check, default, help text), the environment, PipelineConfig
 *   config/argv.ts    parseCli: argv + `--config` file + environment → PipelineConfig (checks across options)
 *   config/help.ts    the general and per-command help, generated from the schema's descriptions
 */
export {
  BUDGET_FILE_NAME,
  COMMANDS,
  DEFAULTS,
  EIA_BASE_URL,
  EIA_BULK_URL,
  EIA_GRID_MONITOR_URL,
  EIA_KEY_LIMITS,
  INPUTS,
  LOG_LEVELS,
  PHASES,
  QUICK_PHASES,
  type Command,
  type Input,
  type LogLevel,
  type Phase,
  type PipelineConfig,
} from './config/schema.js';
export { parseCli, type ParsedCli } from './config/argv.js';
export { HELP, commandHelp } from './config/help.js';
