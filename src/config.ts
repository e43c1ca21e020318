/**
 * The pipeline's configuration, parsed and validated ONCE at the edge (argv + optional JSON config file +
 * environment), then deep-frozen. Components never read `process.env`.
 *
 * Every user error is an `EtlError('ETL_CONFIG_INVALID')` whose message is one line naming the flag (or config
 * field) and the allowed values; the CLI prints it and exits 2 before anything is written.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { CODE_PATTERN, DEAD_RESPONDENTS, EIA930_START_MS, HISTORY_START_MS } from './core/catalog.js';
import { checkRegionCodes, offlineRespondents } from './core/region-selection.js';
import { configError } from './core/errors.js';
import { HOUR_MS, floorHour, formatHourStamp } from './core/time.js';
import { parseFeatureOptions, type FeatureOptions } from './pipelines/features/options.js';
import { TYPE_NAMES, type TypeName } from './pipelines/selections.js';

export const COMMANDS = ['historical', 'incremental', 'replay', 'plan', 'quick', 'features', 'follow'] as const;
export type Command = (typeof COMMANDS)[number];
export const PHASES = ['connectivity', 'small', 'medium', 'full'] as const;
export type Phase = (typeof PHASES)[number];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** `historical --source`: the API (default), EIA's bulk file `EBA.zip`, or the Grid Monitor's six-month CSVs. */
export const INPUTS = ['api', 'bulk', 'grid-monitor'] as const;
export type Input = (typeof INPUTS)[number];

/** Defaults of the user-facing options. */
export const DEFAULTS = {
  start: '2019-01-01',
  end: '2026-01-01',
  regions: ['PACW', 'ERCO', 'CAL', 'TEX', 'MISO'],
  types: ['demand', 'generation'] as TypeName[],
  dataDir: './data',
  // 8, not 5: at EIA's ~1.2 s per response, 5 in flight cap throughput at 4.2 req/s, below the 5/s budget
  // (Little's law); the limiter, not the concurrency, keeps the key within 5/s (docs/decisions.md).
  concurrency: 8,
  requestsPerHour: 5000,
  requestsPerSecond: 5,
  lookbackHours: 72,
  // EIA revises recent hours; a unit whose last hour is less than this behind the route's latest published hour
  // stays open in the ledger and is fetched again (the newest ~48 h are provisional, some regions lag 72 h).
  revisionHorizonHours: 72,
  timeoutMs: 30_000,
  logLevel: 'info',
  // follow: the /metrics + /healthz port, and how far back an empty data directory is back-filled.
  metricsPort: 9464,
  followBackfillDays: 7,
  input: 'api' as Input,
} as const;

/** The `quick --phase` ladder: range × regions × types. */
export const QUICK_PHASES: Readonly<Record<Phase, { start: string; end: string; regions: string[]; types: TypeName[] }>> = {
  connectivity: { start: '2024-01-01', end: '2024-01-02', regions: ['PACW'], types: ['demand'] },
  small: { start: '2024-01-01', end: '2024-01-08', regions: ['PACW', 'ERCO'], types: ['demand', 'generation'] },
  medium: { start: '2024-01-01', end: '2024-02-01', regions: ['PACW', 'ERCO', 'CAL'], types: ['demand', 'generation'] },
  full: { start: '2024-01-01', end: '2024-04-01', regions: ['PACW', 'ERCO', 'CAL', 'TEX', 'MISO'], types: ['demand', 'generation'] },
};

/** The validated, frozen configuration of one CLI run. */
export interface PipelineConfig {
  readonly command: Command;
  /** First period stamp (epoch ms, whole UTC hour, inclusive). */
  readonly startMs: number;
  /** End of the range (epoch ms, whole UTC hour, exclusive). */
  readonly endMs: number;
  /** True when --start/--end were given explicitly. */
  readonly rangeGiven: boolean;
  readonly regions: readonly string[];
  readonly types: readonly TypeName[];
  readonly dataDir: string;
  readonly concurrency: number;
  readonly requestsPerHour: number;
  readonly requestsPerSecond: number;
  readonly fresh: boolean;
  readonly json: boolean;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly progress: boolean;
  readonly phase: Phase | null;
  readonly lookbackHours: number;
  /** Hours behind the route's latest published hour within which a unit stays open (re-fetched by later runs). */
  readonly revisionHorizonHours: number;
  /** Per-request wait for headers, and longest silence while a body streams, ms. */
  readonly timeoutMs: number;
  /** `eia` with a key, `simulator` without (the built-in simulator is started). */
  readonly source: 'eia' | 'simulator';
  /** API base URL (`https://api.eia.gov/v2`, `EIA_BASE_URL`, or null = start the built-in simulator). */
  readonly baseUrl: string | null;
  /** The durable record of send times the limiter seeds from (`--budget-file`, `EIA_BUDGET_FILE`, or in the data dir). */
  readonly budgetFile: string;
  /** The key. Never logged, printed or stored. */
  readonly apiKey: string | null;
  /** follow: seconds between cycle starts; null = a few minutes past each hour, with jitter. */
  readonly intervalSeconds: number | null;
  /** follow: port of /metrics and /healthz (0 = ephemeral). */
  readonly metricsPort: number;
  /** follow: address /metrics and /healthz bind to (loopback by default: the figures describe a private directory). */
  readonly metricsHost: string;
  /** The built-in simulator's clock speed (simulated time runs N× real time). */
  readonly simClockSpeed: number;
  /** Warnings produced while parsing (clamped ranges…), printed by the CLI. */
  readonly warnings: readonly string[];
  /** The `features` command's options (null for the other commands). */
  readonly features: FeatureOptions | null;
  /** historical `--source`: `api` (the API or the built-in simulator) or `bulk` (EIA's `EBA.zip`, no API request). */
  readonly input: Input;
  /** `--bulk-file`: a local `EBA.zip` to read instead of downloading one (null = download). */
  readonly bulkFile: string | null;
  /**
   * Where `EBA.zip` is downloaded from: `EIA_BULK_URL`, else EIA's bulk URL with a key, else null = the built-in
   * simulator's `/bulk/EBA.zip` (no key: the run's data is simulated, the bulk file too).
   */
  readonly bulkUrl: string | null;
  /** `--grid-monitor-dir`: a folder of six-month CSVs to read instead of downloading them (null = download). */
  readonly gridMonitorDir: string | null;
  /**
   * The folder the six-month CSVs are downloaded from: `EIA_GRID_MONITOR_URL`, else EIA's with a key, else null =
   * the built-in simulator's `/gridmonitor/sixMonthFiles/`.
   */
  readonly gridMonitorUrl: string | null;
}

export const EIA_BASE_URL = 'https://api.eia.gov/v2';
/** EIA's bulk file of EIA-930 (keyless; it may redirect to www.eia.gov/opendata/bulk/EBA.zip). */
export const EIA_BULK_URL = 'https://api.eia.gov/bulk/EBA.zip';
/** EIA's folder of the six-month Grid Monitor CSVs (keyless). */
export const EIA_GRID_MONITOR_URL = 'https://www.eia.gov/electricity/gridmonitor/sixMonthFiles/';
/** EIA's documented key limits (FAQ): ~9,000 requests per hour sustained, bursts under 5 per second. */
export const EIA_KEY_LIMITS = { requestsPerHour: 9000, requestsPerSecond: 5 } as const;
/** The budget record's file name inside the data directory (unless --budget-file / EIA_BUDGET_FILE names one). */
export const BUDGET_FILE_NAME = 'budget.log';
const FOLLOW_END = '2100-01-01';

const OPTIONS = {
  start: { type: 'string' },
  end: { type: 'string' },
  regions: { type: 'string' },
  types: { type: 'string' },
  'data-dir': { type: 'string' },
  concurrency: { type: 'string' },
  'requests-per-hour': { type: 'string' },
  'requests-per-second': { type: 'string' },
  'lookback-hours': { type: 'string' },
  'revision-horizon-hours': { type: 'string' },
  'timeout-ms': { type: 'string' },
  'budget-file': { type: 'string' },
  'interval-seconds': { type: 'string' },
  'metrics-port': { type: 'string' },
  'metrics-host': { type: 'string' },
  'sim-clock-speed': { type: 'string' },
  source: { type: 'string' },
  'bulk-file': { type: 'string' },
  'grid-monitor-dir': { type: 'string' },
  phase: { type: 'string' },
  split: { type: 'string' },
  impute: { type: 'string' },
  out: { type: 'string' },
  config: { type: 'string' },
  fresh: { type: 'boolean' },
  json: { type: 'boolean' },
  'log-level': { type: 'string' },
  'no-progress': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const ALLOWED_FLAGS = Object.keys(OPTIONS).map((k) => `--${k}`).join(', ');

/** The JSON config file (`--config file.json`): the same options, camelCase; flags win over it. */
const FileSchema = z
  .object({
    start: z.string().describe('UTC start (inclusive), YYYY-MM-DD or YYYY-MM-DDTHH'),
    end: z.string().describe('UTC end (exclusive), YYYY-MM-DD or YYYY-MM-DDTHH'),
    regions: z.array(z.string()).describe('respondent codes'),
    types: z.array(z.string()).describe('data types'),
    dataDir: z.string().describe('output directory'),
    concurrency: z.number().describe('requests in flight'),
    requestsPerHour: z.number().describe('rolling-hour request budget'),
    requestsPerSecond: z.number().describe('per-second request budget'),
    lookbackHours: z.number().describe('incremental lookback'),
    revisionHorizonHours: z.number().describe('hours behind the latest published hour that units stay open'),
    timeoutMs: z.number().describe('per-request timeout, ms'),
    logLevel: z.string().describe('pino level'),
  })
  .partial()
  .strict();

/** Result of argv parsing: either help text to print or a config. */
export type ParsedCli = { kind: 'help'; text: string } | { kind: 'run'; config: PipelineConfig };

/**
 * Parse `argv` (without node and script) and `env` into a frozen config.
 * @throws EtlError ETL_CONFIG_INVALID with a one-line message.
 */
export function parseCli(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ParsedCli {
  let parsed;
  try {
    parsed = parseArgs({ args: joinDashValues(argv), options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw argvError(e as Error & { code?: string });
  }
  const { values: v, positionals } = parsed;
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
  const file = v.config ? readConfigFile(v.config) : {};
  const warnings: string[] = [];

  let phase: Phase | null = null;
  if (v.phase !== undefined || command === 'quick') {
    if (command !== 'quick') throw configError(`--phase only applies to 'quick'`);
    if (v.phase === undefined) {
      throw configError(`quick requires --phase, one of ${PHASES.join(', ')} (what each fetches: npm run pipeline quick -- --help)`);
    }
    if (!(PHASES as readonly string[]).includes(v.phase ?? '')) {
      throw configError(`--phase must be one of ${PHASES.join(', ')} (got '${v.phase ?? ''}')`);
    }
    phase = v.phase as Phase;
  }
  const ladder = phase ? QUICK_PHASES[phase] : null;

  const startText = v.start ?? file.start ?? ladder?.start ?? DEFAULTS.start;
  // follow runs up to the moving frontier; its cycles never use the historical default end.
  const endText = v.end ?? file.end ?? ladder?.end ?? (command === 'follow' ? FOLLOW_END : DEFAULTS.end);
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

  const regions = parseRegions(v.regions ?? file.regions ?? ladder?.regions ?? DEFAULTS.regions);
  const types = parseTypes(v.types ?? file.types ?? ladder?.types ?? DEFAULTS.types);
  const logLevel = v['log-level'] ?? file.logLevel ?? DEFAULTS.logLevel;
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw configError(`--log-level must be one of ${LOG_LEVELS.join(', ')} (got '${logLevel}')`);
  }

  const apiKey = (env.EIA_API_KEY ?? '').trim() || null;
  if (apiKey !== null && !/^[A-Za-z0-9]{20,64}$/.test(apiKey)) {
    throw configError('EIA_API_KEY must be 20–64 letters and digits (EIA keys are 40); check the environment or .env');
  }
  const envBase = (env.EIA_BASE_URL ?? '').trim() || null;
  if (envBase !== null && !/^https?:\/\/[^\s]+$/.test(envBase)) {
    throw configError(`EIA_BASE_URL must be an http(s) URL such as ${EIA_BASE_URL} (got '${envBase}')`);
  }
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
  const { gridMonitorDir, gridMonitorUrl } = parseGridMonitorOptions(input, v['grid-monitor-dir'], env, apiKey);
  const dataDir = v['data-dir'] ?? file.dataDir ?? DEFAULTS.dataDir;
  const rangeGiven = v.start !== undefined || v.end !== undefined || file.start !== undefined || file.end !== undefined;
  const features =
    command === 'features'
      ? parseFeatureOptions(v, { dataDir, regions: (v.regions ?? file.regions) !== undefined ? regions : null, rangeGiven, parseInstant })
      : null;

  const config: PipelineConfig = {
    command,
    startMs,
    endMs,
    rangeGiven,
    regions,
    types,
    dataDir,
    budgetFile: v['budget-file'] ?? ((env.EIA_BUDGET_FILE ?? '').trim() || join(dataDir, BUDGET_FILE_NAME)),
    concurrency: intOption('--concurrency', v.concurrency ?? file.concurrency, DEFAULTS.concurrency, 1, 64),
    requestsPerHour: intOption('--requests-per-hour', v['requests-per-hour'] ?? file.requestsPerHour, DEFAULTS.requestsPerHour, 1, 1_000_000),
    requestsPerSecond: intOption('--requests-per-second', v['requests-per-second'] ?? file.requestsPerSecond, DEFAULTS.requestsPerSecond, 1, 1000),
    lookbackHours: intOption('--lookback-hours', v['lookback-hours'] ?? file.lookbackHours, DEFAULTS.lookbackHours, 1, 24 * 365),
    revisionHorizonHours: intOption(
      '--revision-horizon-hours',
      v['revision-horizon-hours'] ?? file.revisionHorizonHours,
      DEFAULTS.revisionHorizonHours,
      0,
      24 * 365,
    ),
    timeoutMs: intOption('--timeout-ms', v['timeout-ms'] ?? file.timeoutMs, DEFAULTS.timeoutMs, 100, 600_000),
    intervalSeconds: v['interval-seconds'] === undefined ? null : intOption('--interval-seconds', v['interval-seconds'], 0, 1, 86_400),
    metricsPort: intOption('--metrics-port', v['metrics-port'], DEFAULTS.metricsPort, 0, 65_535),
    metricsHost: hostOption(v['metrics-host']),
    simClockSpeed: intOption('--sim-clock-speed', v['sim-clock-speed'], 1, 1, 1_000_000),
    fresh: v.fresh ?? false,
    json: v.json ?? false,
    logLevel: logLevel as PipelineConfig['logLevel'],
    progress: !(v['no-progress'] ?? false),
    phase,
    source: apiKey ? 'eia' : 'simulator',
    baseUrl: apiKey ? (envBase ?? EIA_BASE_URL).replace(/\/+$/, '') : null,
    apiKey,
    warnings,
    features,
    input,
    bulkFile,
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
 * `--source`, `--bulk-file` and `EIA_BULK_URL`. Whether a `--bulk-file` exists and is a readable EBA.zip is checked
 * when the run opens it, still before anything is written (a usage error, exit 2).
 */
function parseBulkOptions(
  command: Command,
  source: string | undefined,
  bulkFileArg: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  apiKey: string | null,
): { input: Input; bulkFile: string | null; bulkUrl: string | null } {
  if (source !== undefined && command !== 'historical') throw configError(`--source only applies to 'historical'`);
  if (source !== undefined && !(INPUTS as readonly string[]).includes(source)) {
    throw configError(`--source must be one of ${INPUTS.join(', ')} (got '${source}')`);
  }
  const input = (source ?? DEFAULTS.input) as Input;
  if (bulkFileArg !== undefined && input !== 'bulk') throw configError(`--bulk-file only applies to 'historical --source bulk'`);
  if (bulkFileArg !== undefined && bulkFileArg.trim() === '') throw configError('--bulk-file must not be empty');
  const envUrl = (env.EIA_BULK_URL ?? '').trim() || null;
  if (envUrl !== null && !/^https?:\/\/[^\s]+$/.test(envUrl)) {
    throw configError(`EIA_BULK_URL must be an http(s) URL such as ${EIA_BULK_URL} (got '${envUrl}')`);
  }
  return { input, bulkFile: bulkFileArg ?? null, bulkUrl: envUrl ?? (apiKey ? EIA_BULK_URL : null) };
}

/**
 * `--grid-monitor-dir` and `EIA_GRID_MONITOR_URL`. Whether the folder holds the files the range needs is checked
 * when the run lists it, still before anything is written (a usage error, exit 2).
 */
function parseGridMonitorOptions(
  input: Input,
  dirArg: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  apiKey: string | null,
): { gridMonitorDir: string | null; gridMonitorUrl: string | null } {
  if (dirArg !== undefined && input !== 'grid-monitor') throw configError(`--grid-monitor-dir only applies to 'historical --source grid-monitor'`);
  if (dirArg !== undefined && dirArg.trim() === '') throw configError('--grid-monitor-dir must not be empty');
  const envUrl = (env.EIA_GRID_MONITOR_URL ?? '').trim() || null;
  if (envUrl !== null && !/^https?:\/\/[^\s]+$/.test(envUrl)) {
    throw configError(`EIA_GRID_MONITOR_URL must be an http(s) URL of a folder such as ${EIA_GRID_MONITOR_URL} (got '${envUrl}')`);
  }
  const url = envUrl ?? (apiKey ? EIA_GRID_MONITOR_URL : null);
  return { gridMonitorDir: dirArg ?? null, gridMonitorUrl: url && !url.endsWith('/') ? `${url}/` : url };
}

/** `YYYY-MM-DD` (= T00) or `YYYY-MM-DDTHH` (UTC) → epoch ms. */
export function parseInstant(flag: string, text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}))?$/.exec(text.trim());
  const bad = () => configError(`${flag} must be a UTC date YYYY-MM-DD or hour YYYY-MM-DDTHH (got '${text}')`);
  if (!m) throw bad();
  const [y, mo, d, h] = [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 0 : Number(m[4])];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23) throw bad();
  const ms = Date.UTC(y, mo - 1, d, h);
  if (new Date(ms).getUTCDate() !== d) throw bad();
  return ms;
}

function parseList(v: string | readonly string[]): string[] {
  const items = typeof v === 'string' ? v.split(',') : [...v];
  return items.map((s) => s.trim()).filter((s) => s.length > 0);
}

function parseRegions(v: string | readonly string[]): string[] {
  const list = parseList(v).map((s) => s.toUpperCase());
  if (list.length === 0) throw configError(`--regions must list at least one code, e.g. ${DEFAULTS.regions.join(',')}`);
  for (const r of list) {
    if (!CODE_PATTERN.test(r)) {
      throw configError(`--regions: '${r}' is not a respondent code (letters, digits, . _ -; e.g. PACW,ERCO,CAL)`);
    }
    if (DEAD_RESPONDENTS.has(r)) {
      const hint = r === 'SPP' ? 'SWPP' : 'CAR';
      throw configError(`--regions: '${r}' is not an EIA code and returns no data; did you mean ${hint}?`);
    }
  }
  return [...new Set(list)];
}

function parseTypes(v: string | readonly string[]): TypeName[] {
  const list = parseList(v);
  if (list.length === 0) throw configError(`--types must list at least one of ${TYPE_NAMES.join(', ')}`);
  for (const t of list) {
    if (!(TYPE_NAMES as readonly string[]).includes(t)) {
      throw configError(`--types: unknown type '${t}'; allowed: ${TYPE_NAMES.join(', ')}`);
    }
  }
  return [...new Set(list)] as TypeName[];
}

/** Flags that take a value. */
const VALUE_FLAGS = new Set(Object.entries(OPTIONS).filter(([, o]) => o.type === 'string').map(([k]) => `--${k}`));

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

function hostOption(v: string | undefined): string {
  if (v === undefined) return '127.0.0.1';
  if (!/^[0-9A-Za-z.:-]+$/.test(v)) throw configError(`--metrics-host must be an IP address or host name such as 127.0.0.1 or 0.0.0.0 (got '${v}')`);
  return v;
}

function intOption(flag: string, v: string | number | undefined, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  const n = typeof v === 'number' ? v : /^\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw configError(`${flag} must be a whole number from ${min} to ${max} (got '${v}')`);
  }
  return n;
}

function readConfigFile(path: string): z.infer<typeof FileSchema> {
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

/** A UTC range for messages: `[2019-01-01T00, 2026-01-01T00)`. */
export function formatRange(startMs: number, endMs: number): string {
  return `[${formatHourStamp(startMs)}, ${formatHourStamp(endMs)})`;
}

/** The current hour's end (exclusive bound that includes the latest complete hour stamp). */
export function nowRangeEnd(nowMs: number): number {
  return floorHour(nowMs) + HOUR_MS;
}

export const HELP = `eia-stream — EIA API v2 electricity/rto (EIA-930) hourly data → raw JSON archive, Parquet, DuckDB

Usage: npm run pipeline <command> [-- options]

Commands:
  historical    back-fill [--start, --end) for --regions × --types (resumable; re-run continues)
  incremental   fetch from the latest stored hour per series minus --lookback-hours up to now; upsert, record revisions
  replay        rebuild Parquet and DuckDB from the raw archive (no API call)
  plan          print units, requests, expected rows, budget use and ETA; writes nothing
  follow        stay current: back-fill an empty data dir from --start (default 7 days back), then an incremental
                cycle every --interval-seconds (default a few minutes past each hour); /metrics and /healthz
  quick         the validation ladder: --phase connectivity|small|medium|full
  features      ML tables from the warehouse (no API call): one row per respondent and hour, splits, dataset card;
                without --start/--end/--regions: the warehouse's range and respondents
  query         read-only SQL on the warehouse (npm run query -- --help)

Options:
  --start YYYY-MM-DD[THH]     UTC, inclusive (default ${DEFAULTS.start}; earlier than 2019-01-01 is clamped)
  --end YYYY-MM-DD[THH]       UTC, exclusive (default ${DEFAULTS.end})
  --regions A,B,…             respondent codes (default ${DEFAULTS.regions.join(',')}); ALL = every BA with data in
                              the range and types, REGIONS = the 14 regions; with a key, checked against EIA's list
  --types a,b,…               ${TYPE_NAMES.join(', ')} (default ${DEFAULTS.types.join(',')})
  --data-dir DIR              output directory (default ${DEFAULTS.dataDir})
  --concurrency N             requests in flight (default ${DEFAULTS.concurrency})
  --requests-per-hour N       rolling-hour budget of the key, retries included (default ${DEFAULTS.requestsPerHour})
  --requests-per-second N     burst budget (default ${DEFAULTS.requestsPerSecond})
  --lookback-hours N          incremental, follow: re-fetch this many hours before the latest stored (default ${DEFAULTS.lookbackHours})
  --revision-horizon-hours N  a unit whose last hour is less than N h behind EIA's latest published hour stays open
                              and is fetched again by later runs (default ${DEFAULTS.revisionHorizonHours})
  --timeout-ms N              per-request timeout for headers and body silence, retried (default ${DEFAULTS.timeoutMs})
  --budget-file PATH          send-time record of the key, shared by every process using it (default DIR/${BUDGET_FILE_NAME})
  --interval-seconds N        follow: seconds between cycle starts (default: hourly, a few minutes past the hour)
  --metrics-port P            follow: port of /metrics and /healthz on 127.0.0.1 (default ${DEFAULTS.metricsPort}; 0 = any)
  --metrics-host H            follow: address of /metrics and /healthz (default 127.0.0.1; 0.0.0.0 in a container)
  --sim-clock-speed N         built-in simulator: simulated time runs N× real time (default 1)
  --source api|bulk|grid-monitor
                              historical: read the API (default), or EIA's bulk file EBA.zip (downloaded from
                              EIA_BULK_URL into DIR/raw/bulk, resumable; no API request, no budget spent), or the
                              Grid Monitor's six-month CSVs, 2015-07 onward (downloaded from EIA_GRID_MONITOR_URL
                              into DIR/raw/gridmonitor, resumable; no API request)
  --bulk-file PATH            historical --source bulk: read this EBA.zip instead of downloading one
  --grid-monitor-dir DIR      historical --source grid-monitor: read the six-month CSVs in DIR instead of downloading
  --phase P                   quick: connectivity, small, medium, full
  --split A[,B]               features: time split boundaries → train [start, A), validation [A, B), test [B, end)
  --impute none|linear        features: fill missing runs of ≤ 6 h linearly (default none)
  --out DIR                   features: output directory (default <data-dir>/features)
  --config FILE               JSON file with the same options in camelCase (flags win)
  --fresh                     ignore the resume ledger and fetch everything again
  --json                      print the run summary as one JSON object on stdout
  --log-level L               ${LOG_LEVELS.join(', ')} (default ${DEFAULTS.logLevel})
  --no-progress               no progress bar / progress lines
  -h, --help                  this help

Environment:
  EIA_API_KEY    your EIA key (or in .env). Without it the built-in simulator is used and the run is marked source=simulator.
  EIA_BASE_URL   API base URL (default ${EIA_BASE_URL}); point it at any simulator.
  EIA_BUDGET_FILE  the same as --budget-file (the flag wins).
  EIA_BULK_URL   where --source bulk downloads EBA.zip (default ${EIA_BULK_URL}; without a key, the built-in simulator's).
  EIA_GRID_MONITOR_URL  the folder --source grid-monitor downloads from (default ${EIA_GRID_MONITOR_URL}; without a key, the built-in simulator's).

Exit codes: 0 ok, 1 run failed, 2 bad usage (nothing written), 130 interrupted (re-run the same command to resume).

A command's own options, with examples: npm run pipeline <command> -- --help
`;

/** What each `quick` phase fetches, and what it proves that the phase before it could not. */
const PHASE_PURPOSE: Readonly<Record<Phase, string>> = {
  connectivity: '1 request, ~24 rows: the key, the network and the route answer, and all three sinks write',
  small: 'both routes for two respondents, ~2.5k rows in ~2 requests: fuel rows, several series per unit',
  medium: 'a unit over one 5,000-row page, ~19k rows in ~5 requests: paging, concurrent pages, the total check',
  full: 'the five default regions for a quarter, ~96k rows in ~21 requests: rate limiter, throughput, resume',
};

interface CommandHelp {
  readonly usage: string;
  readonly about: readonly string[];
  /** Flags as written in HELP's Options block; the common ones are added after them. */
  readonly options: readonly string[];
  readonly extra?: () => string[];
  readonly examples: readonly string[];
  /** Lines that replace HELP's for this command, where a flag means something else here (features reads, not fetches). */
  readonly optionText?: Readonly<Record<string, readonly string[]>>;
}

const FETCH_OPTIONS = ['--data-dir', '--concurrency', '--requests-per-hour', '--requests-per-second', '--timeout-ms', '--revision-horizon-hours', '--budget-file', '--fresh'];
const COMMON_OPTIONS = ['--config', '--json', '--log-level', '--no-progress', '--help'];

// Partial: a command without an entry gets the general help.
const COMMAND_HELP: Partial<Record<Command, CommandHelp>> = {
  historical: {
    usage: 'npm run pipeline historical [-- options]',
    about: [
      'Back-fill [--start, --end) for --regions × --types into the raw archive, Parquet and DuckDB. Resumable: units',
      'already committed are skipped, so re-running the same command after a failure or Ctrl-C continues.',
      'With --source bulk the same records come from EIA\'s bulk file EBA.zip instead (all routes, no API request);',
      'with --source grid-monitor from the Grid Monitor\'s six-month CSVs, 2015-07 onward (EIA\'s adjusted and imputed',
      'values are kept beside each record in bulk_variants).',
    ],
    options: ['--start', '--end', '--regions', '--types', '--source', '--bulk-file', '--grid-monitor-dir', ...FETCH_OPTIONS],
    examples: [
      'npm run pipeline historical',
      'npm run pipeline historical -- --source bulk --start 2024-01-01 --end 2025-01-01',
      'npm run pipeline historical -- --source bulk --bulk-file ~/Downloads/EBA.zip --regions ALL --types demand',
      'npm run pipeline historical -- --source grid-monitor --start 2015-07-01 --end 2019-01-01 --regions PACW --types demand',
      'npm run pipeline historical -- --start 2024-01-01 --end 2024-07-01 --regions PACW,ERCO --types demand',
      'npm run pipeline historical -- --regions CISO --types generation --data-dir ./ciso',
    ],
  },
  incremental: {
    usage: 'npm run pipeline incremental [-- options]',
    about: [
      'Fetch each series from its latest stored hour minus --lookback-hours up to now (or --end), upsert, and record',
      'every changed value as a revision. A series with nothing stored gets only the last --lookback-hours.',
    ],
    options: ['--regions', '--types', '--lookback-hours', '--start', '--end', ...FETCH_OPTIONS],
    examples: [
      'npm run pipeline incremental',
      'npm run pipeline incremental -- --lookback-hours 168 --regions PACW,ERCO',
    ],
  },
  replay: {
    usage: 'npm run pipeline replay [-- options]',
    about: ['Rebuild Parquet and DuckDB from the raw archive in --data-dir, without any API call.'],
    options: ['--data-dir'],
    examples: ['npm run pipeline replay', 'npm run pipeline replay -- --data-dir ./ciso --json'],
  },
  plan: {
    usage: 'npm run pipeline plan [-- options]',
    about: [
      'Print the work units, requests, expected rows, share of the hourly budget and ETA of a historical run with the',
      'same options. Makes no data request and writes nothing (with a key, the respondent lookup\'s one send is',
      'added to the key\'s budget record).',
    ],
    options: ['--start', '--end', '--regions', '--types', '--concurrency', '--requests-per-hour', '--requests-per-second'],
    examples: [
      'npm run pipeline plan',
      'npm run pipeline plan -- --regions US48 --types generation --json',
    ],
  },
  follow: {
    usage: 'npm run pipeline follow [-- options]',
    about: [
      'Keep the warehouse current until SIGTERM or Ctrl-C (exit 0): back-fill an empty data directory from --start',
      '(default: 7 days before EIA\'s latest hour), then run an incremental cycle a few minutes past each hour, or',
      'every --interval-seconds. A failed cycle is logged and retried with backoff. /metrics (Prometheus) and /healthz',
      'are served on --metrics-host:--metrics-port.',
    ],
    options: ['--regions', '--types', '--start', '--lookback-hours', '--interval-seconds', '--metrics-port', '--metrics-host', '--sim-clock-speed', ...FETCH_OPTIONS],
    examples: [
      'npm run pipeline follow',
      'npm run pipeline follow -- --regions PACW,ERCO --types demand --metrics-port 9464',
      'npm run pipeline follow -- --interval-seconds 60 --sim-clock-speed 3600',
    ],
  },
  features: {
    usage: 'npm run pipeline features [-- options]',
    about: [
      'Build ML tables from the warehouse in --data-dir (read-only, no API call): one row per respondent and hour,',
      'time splits and a dataset card. Without --start/--end/--regions: the warehouse\'s range and respondents.',
    ],
    options: ['--split', '--impute', '--out', '--start', '--end', '--regions', '--data-dir'],
    optionText: {
      '--start': ['  --start YYYY-MM-DD[THH]     UTC, inclusive (default: the first hour the warehouse holds for the respondents)'],
      '--end': ['  --end YYYY-MM-DD[THH]       UTC, exclusive (default: after the last hour the warehouse holds for them)'],
      '--regions': [
        '  --regions A,B,…             respondent codes (default: every respondent the warehouse holds); ALL = its BAs,',
        '                              REGIONS = its regions',
      ],
      '--data-dir': ['  --data-dir DIR              the data directory whose warehouse is read (default ./data)'],
    },
    examples: [
      'npm run pipeline features -- --split 2024-01-01,2025-01-01',
      'npm run pipeline features -- --regions PACW,ERCO --impute linear --out ./features-pacw-erco',
    ],
  },
  quick: {
    usage: `npm run pipeline quick -- --phase ${PHASES.join('|')} [options]`,
    about: [
      'The validation ladder: four real runs of growing size into --data-dir, against EIA with EIA_API_KEY set or the',
      'built-in simulator without it. Run the phases in order; each checks what the one before could not.',
      '--start, --end, --regions and --types (see npm run pipeline historical -- --help) override a phase\'s choice.',
    ],
    options: ['--phase', ...FETCH_OPTIONS],
    extra: () => [
      'Phases (range [start, end) in UTC, respondents, types):',
      ...PHASES.flatMap((p) => {
        const q = QUICK_PHASES[p];
        const what = `${q.start} → ${q.end}  ${q.regions.join(',')}  ${q.types.join(',')}`;
        return [`  ${p.padEnd(13)} ${what}`, `  ${''.padEnd(13)} ${PHASE_PURPOSE[p]}`];
      }),
    ],
    examples: [
      'npm run pipeline quick -- --phase connectivity',
      'npm run pipeline quick -- --phase medium --data-dir ./quick-data',
    ],
  },
};

/** `npm run pipeline <command> -- --help`: what the command does, the options that apply to it, and examples. */
export function commandHelp(command: Command): string {
  const h = COMMAND_HELP[command];
  if (!h) return HELP;
  const lines = optionLines();
  const options = [...new Set([...h.options, ...COMMON_OPTIONS])].flatMap((f) => h.optionText?.[f] ?? lines.get(f) ?? []);
  return [
    `eia-stream ${command}`,
    '',
    `Usage: ${h.usage}`,
    '',
    ...h.about,
    '',
    ...(h.extra ? [...h.extra(), ''] : []),
    'Options:',
    ...options,
    '',
    'Examples:',
    ...h.examples.map((e) => `  ${e}`),
    '',
    'Environment (EIA_API_KEY, EIA_BASE_URL), exit codes and the other commands: npm run pipeline -- --help',
    '',
  ].join('\n');
}

/** HELP's option lines by flag (an option's first line plus its continuation lines), so each is written once. */
function optionLines(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const block = HELP.slice(HELP.indexOf('Options:\n') + 'Options:\n'.length, HELP.indexOf('\n\nEnvironment:'));
  let current: string[] | null = null;
  for (const line of block.split('\n')) {
    const m = /^ {2}(?:-h, )?(--[a-z-]+)/.exec(line);
    if (m) out.set(m[1], (current = [line]));
    else if (current && line.trim()) current.push(line);
  }
  return out;
}
