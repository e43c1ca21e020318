/**
 * The pipeline's configuration, parsed and validated ONCE at the edge (argv + optional JSON config file +
 * environment), then deep-frozen. Components never read `process.env`.
 *
 * Every user error is an `EtlError('ETL_CONFIG_INVALID')` whose message is one line naming the flag (or config
 * field) and the allowed values; the CLI prints it and exits 2 before anything is written.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { CODE_PATTERN, DEAD_RESPONDENTS, HISTORY_START_MS, RESPONDENTS } from './core/catalog.js';
import { configError } from './core/errors.js';
import { HOUR_MS, floorHour, formatHourStamp } from './core/time.js';
import { parseFeatureOptions, type FeatureOptions } from './pipelines/features/options.js';
import { TYPE_NAMES, type TypeName } from './pipelines/selections.js';

export const COMMANDS = ['historical', 'incremental', 'replay', 'plan', 'quick', 'features', 'follow'] as const;
export type Command = (typeof COMMANDS)[number];
export const PHASES = ['connectivity', 'small', 'medium', 'full'] as const;
export type Phase = (typeof PHASES)[number];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Defaults of the user-facing options (issue 6). */
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
}

export const EIA_BASE_URL = 'https://api.eia.gov/v2';
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
  'interval-seconds': { type: 'string' },
  'metrics-port': { type: 'string' },
  'metrics-host': { type: 'string' },
  'sim-clock-speed': { type: 'string' },
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
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    const m = /'(-[^']*)'/.exec((e as Error).message);
    throw configError(`unknown or malformed option ${m ? m[1] : ''}; allowed: ${ALLOWED_FLAGS}`.replace('  ', ' '));
  }
  const { values: v, positionals } = parsed;
  if (v.help || positionals.length === 0) return { kind: 'help', text: HELP };
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
  if (endMs <= HISTORY_START_MS) {
    throw configError(`--end (${endText}) is before 2019-01-01T00, where EIA API v2 hourly history starts`);
  }
  if (startMs < HISTORY_START_MS) {
    warnings.push(`--start ${startText} is before 2019-01-01T00 (start of API v2 hourly history); clamped to 2019-01-01T00`);
    startMs = HISTORY_START_MS;
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

  for (const f of ['split', 'impute', 'out'] as const) {
    if (v[f] !== undefined && command !== 'features') throw configError(`--${f} only applies to 'features'`);
  }
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
  };
  if (config.dataDir.trim() === '') throw configError('--data-dir must not be empty');
  return { kind: 'run', config: deepFreeze(config) };
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
    if (!RESPONDENTS[r]) {
      throw configError(`--regions: unknown respondent '${r}'; known: ${Object.keys(RESPONDENTS).join(', ')}`);
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
  --regions A,B,…             respondent codes (default ${DEFAULTS.regions.join(',')})
  --types a,b,…               ${TYPE_NAMES.join(', ')} (default ${DEFAULTS.types.join(',')})
  --data-dir DIR              output directory (default ${DEFAULTS.dataDir})
  --concurrency N             requests in flight (default ${DEFAULTS.concurrency})
  --requests-per-hour N       rolling-hour budget of the key, retries included (default ${DEFAULTS.requestsPerHour})
  --requests-per-second N     burst budget (default ${DEFAULTS.requestsPerSecond})
  --lookback-hours N          incremental: re-fetch this many hours before the latest stored (default ${DEFAULTS.lookbackHours})
  --revision-horizon-hours N  a unit whose last hour is less than N h behind EIA's latest published hour stays open
                              and is fetched again by later runs (default ${DEFAULTS.revisionHorizonHours})
  --timeout-ms N              per-request timeout for headers and body silence, retried (default ${DEFAULTS.timeoutMs})
  --interval-seconds N        follow: seconds between cycle starts (default: hourly, a few minutes past the hour)
  --metrics-port P            follow: port of /metrics and /healthz on 127.0.0.1 (default ${DEFAULTS.metricsPort}; 0 = any)
  --metrics-host H            follow: address of /metrics and /healthz (default 127.0.0.1; 0.0.0.0 in a container)
  --sim-clock-speed N         built-in simulator: simulated time runs N× real time (default 1)
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

Exit codes: 0 ok, 1 run failed, 2 bad usage (nothing written), 130 interrupted (re-run the same command to resume).
`;
