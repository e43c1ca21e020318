/**
 * argv + optional JSON config file + environment → one frozen `PipelineConfig`, parsed ONCE at the edge; components
 * never read `process.env`. A value comes from its flag, else the `--config` file, else the quick phase, else its
 * schema's default (schema.ts); this file adds what spans several values: the range, the command an option
 * applies to, the key and the URLs, the budget warnings.
 *
 * Every user error is an `EtlError('ETL_CONFIG_INVALID')` whose message is one line naming the flag (or config
 * field, or variable) and the allowed values, never the key; the CLI prints it and exits 2 before anything is
 * written.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BULK_ONLY_TYPES, EIA930_START_MS, HISTORY_START_MS } from '../core/catalog.js';
import { configError } from '../core/errors.js';
import { checkRegionCodes, offlineRespondents } from '../core/region-selection.js';
import { formatHourStamp, parseInstant } from '../core/time.js';
import { parseFeatureOptions } from '../pipelines/features/options.js';
import { HELP, commandHelp } from './help.js';
import {
  BUDGET_FILE_NAME,
  COMMANDS,
  EIA_BASE_URL,
  EIA_BULK_URL,
  EIA_GRID_MONITOR_URL,
  EIA_KEY_LIMITS,
  ENVIRONMENT,
  FOLLOW_END,
  FileSchema,
  OPTIONS,
  PHASES,
  QUICK_PHASES,
  optionValue,
  type Command,
  type ConfigFile,
  type EnvName,
  type Flag,
  type Input,
  type OptionSpec,
  type Phase,
  type PipelineConfig,
} from './schema.js';

/** Result of argv parsing: either help text to print or a config. */
export type ParsedCli = { kind: 'help'; text: string } | { kind: 'run'; config: PipelineConfig };

type Env = Readonly<Record<string, string | undefined>>;
/** Flags that take a value (the others are switches). */
type ValueFlag = { [F in Flag]: (typeof OPTIONS)[F] extends { arg: string } ? F : never }[Flag];
/** What parseArgs returns for OPTIONS. */
type Flags = { [F in ValueFlag]?: string } & { [F in Exclude<Flag, ValueFlag>]?: boolean };

const ARGS_OPTIONS = Object.fromEntries(
  (Object.entries(OPTIONS) as [string, OptionSpec][]).map(([flag, o]) => [
    flag,
    { type: o.arg ? ('string' as const) : ('boolean' as const), ...(o.short ? { short: o.short } : {}) },
  ]),
);
const ALLOWED_FLAGS = Object.keys(OPTIONS).map((k) => `--${k}`).join(', ');

/**
 * Parse `argv` (without node and script) and `env` into a frozen config.
 * @throws EtlError ETL_CONFIG_INVALID with a one-line message.
 */
export function parseCli(argv: readonly string[], env: Env): ParsedCli {
  let parsed;
  try {
    parsed = parseArgs({ args: joinDashValues(argv), options: ARGS_OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw argvError(e as Error & { code?: string });
  }
  const v = parsed.values as Flags;
  const { positionals } = parsed;
  if (v.help || positionals.length === 0) {
    const known = (COMMANDS as readonly string[]).includes(positionals[0] ?? '');
    return { kind: 'help', text: known ? commandHelp(positionals[0] as Command) : HELP };
  }
  const [cmd, ...extra] = positionals;
  if (!(COMMANDS as readonly string[]).includes(cmd)) {
    throw configError(`unknown command '${cmd}'; allowed: ${COMMANDS.join(', ')}`);
  }
  if (extra.length) throw configError(`unexpected argument '${extra[0]}'; options start with --`);
  const command = cmd as Command;
  const file: ConfigFile = v.config ? readConfigFile(v.config) : {};
  const warnings: string[] = [];

  let phase: Phase | null = null;
  if (v.phase !== undefined || command === 'quick') {
    if (command !== 'quick') throw configError(`--phase only applies to 'quick'`);
    if (v.phase === undefined) {
      throw configError(`quick requires --phase, one of ${PHASES.join(', ')} (what each fetches: npm run pipeline quick -- --help)`);
    }
    phase = optionValue('phase', v.phase) ?? null;
  }
  const ladder = phase ? QUICK_PHASES[phase] : null;

  const startText = optionValue('start', v.start ?? file.start ?? ladder?.start);
  const endText = optionValue('end', v.end ?? file.end ?? ladder?.end ?? (command === 'follow' ? FOLLOW_END : undefined));
  let startMs = parseInstant('--start', startText);
  const endMs = parseInstant('--end', endText);
  if (endMs <= startMs) {
    throw configError(`--end (${endText}) must be after --start (${startText}); the range is [start, end) in UTC`);
  }
  // The six-month CSVs reach back to EIA-930's first day (2015-07-01); the API and EBA.zip start in 2019.
  const gridMonitor = v.source === 'grid-monitor';
  const floorMs = gridMonitor ? EIA930_START_MS : HISTORY_START_MS;
  if (endMs <= floorMs) {
    throw configError(`--end (${endText}) is before ${gridMonitor ? '2015-07-01T00, where EIA-930 data starts' : '2019-01-01T00, where EIA API v2 hourly history starts'}`);
  }
  if (startMs < floorMs) {
    warnings.push(`--start ${startText} is before ${gridMonitor ? '2015-07-01T00 (start of EIA-930 data)' : '2019-01-01T00 (start of API v2 hourly history)'}; clamped to ${formatHourStamp(floorMs)}`);
    startMs = floorMs;
  }

  const regions = optionValue('regions', v.regions ?? file.regions ?? ladder?.regions);
  const types = optionValue('types', v.types ?? file.types ?? ladder?.types);
  const logLevel = optionValue('log-level', v['log-level'] ?? file.logLevel);

  const apiKey = envValue(env, 'EIA_API_KEY');
  const envBase = envValue(env, 'EIA_BASE_URL');
  if (envBase && !apiKey) {
    throw configError('EIA_BASE_URL is set but EIA_API_KEY is not; set both, or neither to use the built-in simulator');
  }
  // Without a key the built-in simulator serves exactly the offline table's respondents, so it decides here; with a
  // key the API's own respondent facet list decides, before anything is planned (pipelines/regions.ts).
  if (!apiKey) checkRegionCodes(regions, offlineRespondents());

  for (const f of ['split', 'impute', 'out'] as const) {
    if (v[f] !== undefined && command !== 'features') throw configError(`--${f} only applies to 'features'`);
  }
  const { input, bulkFile, bulkUrl } = parseBulkOptions(command, v.source, v['bulk-file'], env, apiKey);
  if (v['bulk-clock'] !== undefined && input !== 'bulk') throw configError(`--bulk-clock only applies to 'historical --source bulk'`);
  const bulkOnly = types.filter((t) => BULK_ONLY_TYPES.has(t));
  if (bulkOnly.length > 0 && input !== 'bulk') {
    throw configError(
      `--types ${bulkOnly.join(',')}: EIA publishes its CO2 series only in the bulk file EBA.zip (no API route, not in the six-month CSVs); use 'historical --source bulk'`,
    );
  }
  const { gridMonitorDir, gridMonitorUrl } = parseGridMonitorOptions(input, v['grid-monitor-dir'], env, apiKey);
  const dataDir = optionValue('data-dir', v['data-dir'] ?? file.dataDir);
  const rangeGiven = v.start !== undefined || v.end !== undefined || file.start !== undefined || file.end !== undefined;
  const features =
    command === 'features'
      ? parseFeatureOptions(
          { split: v.split, impute: optionValue('impute', v.impute), out: v.out },
          { dataDir, regions: (v.regions ?? file.regions) !== undefined ? regions : null, rangeGiven },
        )
      : null;

  const config: PipelineConfig = {
    command,
    startMs,
    endMs,
    rangeGiven,
    regions,
    types,
    dataDir,
    budgetFile: v['budget-file'] ?? envValue(env, 'EIA_BUDGET_FILE') ?? join(dataDir, BUDGET_FILE_NAME),
    concurrency: optionValue('concurrency', v.concurrency ?? file.concurrency),
    requestsPerHour: optionValue('requests-per-hour', v['requests-per-hour'] ?? file.requestsPerHour),
    requestsPerSecond: optionValue('requests-per-second', v['requests-per-second'] ?? file.requestsPerSecond),
    lookbackHours: optionValue('lookback-hours', v['lookback-hours'] ?? file.lookbackHours),
    revisionHorizonHours: optionValue('revision-horizon-hours', v['revision-horizon-hours'] ?? file.revisionHorizonHours),
    timeoutMs: optionValue('timeout-ms', v['timeout-ms'] ?? file.timeoutMs),
    intervalSeconds: optionValue('interval-seconds', v['interval-seconds']) ?? null,
    metricsPort: optionValue('metrics-port', v['metrics-port']),
    metricsHost: optionValue('metrics-host', v['metrics-host']),
    simClockSpeed: optionValue('sim-clock-speed', v['sim-clock-speed']),
    fresh: optionValue('fresh', v.fresh),
    json: optionValue('json', v.json),
    logLevel,
    progress: !optionValue('no-progress', v['no-progress']),
    phase,
    source: apiKey ? 'eia' : 'simulator',
    baseUrl: apiKey ? (envBase ?? EIA_BASE_URL).replace(/\/+$/, '') : null,
    apiKey,
    warnings,
    features,
    input,
    bulkFile,
    bulkClock: optionValue('bulk-clock', v['bulk-clock']),
    bulkUrl,
    gridMonitorDir,
    gridMonitorUrl,
  };
  if (config.dataDir.trim() === '') throw configError('--data-dir must not be empty');
  if (config.budgetFile.trim() === '') throw configError('--budget-file (or EIA_BUDGET_FILE) must not be empty');
  for (const [flag, field] of [['--requests-per-hour', 'requestsPerHour'], ['--requests-per-second', 'requestsPerSecond']] as const) {
    if (config[field] > EIA_KEY_LIMITS[field]) {
      warnings.push(`${flag} ${config[field]} is above EIA's documented key limit of ${EIA_KEY_LIMITS[field]}${field === 'requestsPerHour' ? ' per hour' : ' per second'}: a real EIA key may be throttled or suspended (fine for a private mirror)`);
    }
  }
  return { kind: 'run', config: deepFreeze(config) };
}

/**
 * An environment variable, trimmed (empty = unset), checked against its schema.
 * @throws EtlError ETL_CONFIG_INVALID naming the variable (never echoing EIA_API_KEY's value).
 */
function envValue(env: Env, name: EnvName): string | null {
  const text = (env[name] ?? '').trim() || null;
  if (text === null) return null;
  const r = ENVIRONMENT[name].safeParse(text);
  if (!r.success) throw configError(r.error.issues[0].message);
  return r.data;
}

/**
 * `--source`, `--bulk-file` and `EIA_BULK_URL`. Whether a `--bulk-file` exists and is a readable EBA.zip is checked
 * when the run opens it, still before anything is written (a usage error, exit 2).
 */
function parseBulkOptions(
  command: Command,
  source: string | undefined,
  bulkFileArg: string | undefined,
  env: Env,
  apiKey: string | null,
): { input: Input; bulkFile: string | null; bulkUrl: string | null } {
  if (source !== undefined && command !== 'historical') throw configError(`--source only applies to 'historical'`);
  const input = optionValue('source', source);
  if (bulkFileArg !== undefined && input !== 'bulk') throw configError(`--bulk-file only applies to 'historical --source bulk'`);
  if (bulkFileArg !== undefined && bulkFileArg.trim() === '') throw configError('--bulk-file must not be empty');
  const envUrl = envValue(env, 'EIA_BULK_URL');
  return { input, bulkFile: bulkFileArg ?? null, bulkUrl: envUrl ?? (apiKey ? EIA_BULK_URL : null) };
}

/**
 * `--grid-monitor-dir` and `EIA_GRID_MONITOR_URL`. Whether the folder holds the files the range needs is checked
 * when the run lists it, still before anything is written (a usage error, exit 2).
 */
function parseGridMonitorOptions(
  input: Input,
  dirArg: string | undefined,
  env: Env,
  apiKey: string | null,
): { gridMonitorDir: string | null; gridMonitorUrl: string | null } {
  if (dirArg !== undefined && input !== 'grid-monitor') throw configError(`--grid-monitor-dir only applies to 'historical --source grid-monitor'`);
  if (dirArg !== undefined && dirArg.trim() === '') throw configError('--grid-monitor-dir must not be empty');
  const url = envValue(env, 'EIA_GRID_MONITOR_URL') ?? (apiKey ? EIA_GRID_MONITOR_URL : null);
  return { gridMonitorDir: dirArg ?? null, gridMonitorUrl: url && !url.endsWith('/') ? `${url}/` : url };
}

function readConfigFile(path: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw configError(`--config: cannot read '${path}' (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw configError(`--config: '${path}' is not valid JSON`);
  }
  const r = FileSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    const field = issue.path.join('.') || (issue.code === 'unrecognized_keys' ? issue.keys.join(',') : '(root)');
    const allowed = Object.keys(FileSchema.shape).join(', ');
    throw configError(`--config: field '${field}' in '${path}': ${issue.message}; allowed fields: ${allowed}`);
  }
  return r.data;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

/** Flags that take a value. */
const VALUE_FLAGS = new Set(Object.entries(ARGS_OPTIONS).filter(([, o]) => o.type === 'string').map(([k]) => `--${k}`));

/**
 * parseArgs reads `--concurrency -5` as a flag without its value followed by an unknown option `-5`. A value that
 * starts with a single dash is joined to its flag (`--concurrency=-5`) so that the value check names it; a
 * following `--flag` stays a flag, and a missing value is reported as missing.
 */
function joinDashValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') return [...out, ...argv.slice(i)];
    const next = argv[i + 1];
    if (VALUE_FLAGS.has(a) && next !== undefined && /^-(?!-)/.test(next) && next !== '-h') {
      out.push(`${a}=${next}`);
      i++;
    } else {
      out.push(a);
    }
  }
  return out;
}

/** parseArgs' multi-line errors → one line naming the flag. */
function argvError(e: Error & { code?: string }) {
  const flag = /'(-[^' ]*)/.exec(e.message)?.[1] ?? '';
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (/does not take an argument/.test(e.message)) return configError(`${flag} is a switch and takes no value; write ${flag} alone`);
    return configError(`${flag} needs a value (${flag} VALUE or ${flag}=VALUE); see npm run pipeline -- --help`);
  }
  return configError(`unknown or malformed option ${flag}; allowed: ${ALLOWED_FLAGS}`);
}
