/**
 * The pipeline's options as one schema: per flag, a zod schema that checks its value (argv text, or the field of
 * the same name in camelCase in a `--config` file), holds its default (`.default()`) and its help text
 * (`.describe()`; `{default}` marks where the default is printed, `\n` where the line wraps). The general help
 * lists the options in this order (help.ts); argv.ts parses each value through its schema and adds the checks
 * that span several options, the environment and the command.
 *
 * Every default is written once: the EIA source's settings that flags expose (concurrency, the two budgets, the
 * timeout, the base URL) take theirs from the source's own schema (sources/eia/config.ts), the others are here.
 * Defaults that depend on other values (the quick phase's range, `follow`'s open end, `--budget-file` and `--out`
 * under the data directory) are resolved by argv.ts and written out in the help text.
 */
import { z } from 'zod';
import { CODE_PATTERN, DEAD_RESPONDENTS, TYPE_NAMES, type TypeName } from '../core/catalog.js';
import { configError } from '../core/errors.js';
import type { FeatureOptions } from '../pipelines/features/options.js';
import { IMPUTE_MODES } from '../pipelines/features/spec.js';
import { EIA_BASE_URL, EiaSourceConfigSchema } from '../sources/eia/config.js';

export { EIA_BASE_URL };

export const COMMANDS = ['historical', 'incremental', 'replay', 'plan', 'quick', 'features', 'follow'] as const;
export type Command = (typeof COMMANDS)[number];
export const PHASES = ['connectivity', 'small', 'medium', 'full'] as const;
export type Phase = (typeof PHASES)[number];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** `historical --source`: the API (default), EIA's bulk file `EBA.zip`, or the Grid Monitor's six-month CSVs. */
export const INPUTS = ['api', 'bulk', 'grid-monitor'] as const;
/** `--bulk-clock`: which line of each series `EBA.zip` is read from. */
export const BULK_CLOCKS = ['utc', 'local'] as const;
export type Input = (typeof INPUTS)[number];

/** EIA's bulk file of EIA-930 (keyless; it may redirect to www.eia.gov/opendata/bulk/EBA.zip). */
export const EIA_BULK_URL = 'https://api.eia.gov/bulk/EBA.zip';
/** EIA's folder of the six-month Grid Monitor CSVs (keyless). */
export const EIA_GRID_MONITOR_URL = 'https://www.eia.gov/electricity/gridmonitor/sixMonthFiles/';
/** EIA's documented key limits (FAQ): ~9,000 requests per hour sustained, bursts under 5 per second. */
export const EIA_KEY_LIMITS = { requestsPerHour: 9000, requestsPerSecond: 5 } as const;
/** The budget record's file name inside the data directory (unless --budget-file / EIA_BUDGET_FILE names one). */
export const BUDGET_FILE_NAME = 'budget.log';
/** follow's end: it runs up to the moving frontier, so its cycles never use the historical default end. */
export const FOLLOW_END = '2100-01-01';
/** follow: how far back an empty data directory is back-filled (without --start), days. */
export const FOLLOW_BACKFILL_DAYS = 7;

/** The `quick --phase` ladder: range × regions × types. */
export const QUICK_PHASES: Readonly<Record<Phase, { start: string; end: string; regions: string[]; types: TypeName[] }>> = {
  connectivity: { start: '2024-01-01', end: '2024-01-02', regions: ['PACW'], types: ['demand'] },
  small: { start: '2024-01-01', end: '2024-01-08', regions: ['PACW', 'ERCO'], types: ['demand', 'generation'] },
  medium: { start: '2024-01-01', end: '2024-02-01', regions: ['PACW', 'ERCO', 'CAL'], types: ['demand', 'generation'] },
  full: { start: '2024-01-01', end: '2024-04-01', regions: ['PACW', 'ERCO', 'CAL', 'TEX', 'MISO'], types: ['demand', 'generation'] },
};

const DEFAULT_REGIONS = ['PACW', 'ERCO', 'CAL', 'TEX', 'MISO'];
/** Loopback: the figures on /metrics describe a private directory. */
const METRICS_HOST = '127.0.0.1';

/** Record a one-line message as the value's only issue. */
function fail(ctx: z.RefinementCtx, message: string): never {
  ctx.addIssue({ code: z.ZodIssueCode.custom, message });
  return z.NEVER;
}

/** A whole number in [min, max], from argv text or a `--config` number. */
function wholeNumber(flag: string, min: number, max: number) {
  return z.union([z.string(), z.number()]).transform((v, ctx) => {
    const n = typeof v === 'number' ? v : /^\d+$/.test(v.trim()) ? Number(v) : NaN;
    if (!Number.isInteger(n) || n < min || n > max) return fail(ctx, `${flag} must be a whole number from ${min} to ${max} (got '${v}')`);
    return n;
  });
}

/** One of `values`. */
function oneOf<T extends string>(flag: string, values: readonly T[]) {
  return z.string().transform((v, ctx) => ((values as readonly string[]).includes(v) ? (v as T) : fail(ctx, `${flag} must be one of ${values.join(', ')} (got '${v}')`)));
}

/** A comma-separated argv list or a `--config` array: trimmed, empty items dropped. */
function listItems(v: string | readonly string[]): string[] {
  const items = typeof v === 'string' ? v.split(',') : [...v];
  return items.map((s) => s.trim()).filter((s) => s.length > 0);
}

const list = () => z.union([z.string(), z.array(z.string())]);

const regionList = list().transform((v, ctx) => {
  const codes = listItems(v).map((s) => s.toUpperCase());
  if (codes.length === 0) return fail(ctx, `--regions must list at least one code, e.g. ${DEFAULT_REGIONS.join(',')}`);
  for (const r of codes) {
    if (!CODE_PATTERN.test(r)) return fail(ctx, `--regions: '${r}' is not a respondent code (letters, digits, . _ -; e.g. PACW,ERCO,CAL)`);
    if (DEAD_RESPONDENTS.has(r)) {
      const hint = r === 'SPP' ? 'SWPP' : 'CAR';
      return fail(ctx, `--regions: '${r}' is not an EIA code and returns no data; did you mean ${hint}?`);
    }
  }
  return [...new Set(codes)];
});

const typeList = list().transform((v, ctx) => {
  const names = listItems(v);
  if (names.length === 0) return fail(ctx, `--types must list at least one of ${TYPE_NAMES.join(', ')}`);
  for (const t of names) {
    if (!(TYPE_NAMES as readonly string[]).includes(t)) return fail(ctx, `--types: unknown type '${t}'; allowed: ${TYPE_NAMES.join(', ')}`);
  }
  return [...new Set(names)] as TypeName[];
});

/** An http(s) URL in an environment variable. */
const httpUrl = (name: string, example: string) =>
  z.string().refine((v) => /^https?:\/\/[^\s]+$/.test(v), (v) => ({ message: `${name} must be an http(s) URL such as ${example} (got '${v}')` }));

const SOURCE = EiaSourceConfigSchema.shape;

/** The EIA source's default of a numeric setting that a flag exposes. */
function sourceDefault(field: 'concurrency' | 'requestsPerHour' | 'requestsPerSecond' | 'headersTimeoutMs'): number {
  const v: unknown = SOURCE[field].parse(undefined);
  if (typeof v !== 'number') throw new Error(`sources/eia/config.ts: ${field} has no numeric default`);
  return v;
}

/** One option: how it is typed and, through its schema, checked, defaulted and described. */
export interface OptionSpec {
  /** The value's placeholder in the help (`N`, `DIR`…); absent for a switch. */
  readonly arg?: string;
  readonly short?: string;
  /** The value's check, `.default()` where it has a fixed one, and `.describe()`: its help text. */
  readonly schema: z.ZodTypeAny;
  /** Its type as a field of a `--config` file; absent: a flag only. */
  readonly file?: z.ZodTypeAny;
}

/** Every option, by flag name (without `--`), in the order of the help. */
export const OPTIONS = {
  start: {
    arg: 'YYYY-MM-DD[THH]',
    file: z.string(),
    schema: z.string().default('2019-01-01').describe('UTC, inclusive (default {default}; earlier than 2019-01-01 is clamped)'),
  },
  end: { arg: 'YYYY-MM-DD[THH]', file: z.string(), schema: z.string().default('2026-01-01').describe('UTC, exclusive (default {default})') },
  regions: {
    arg: 'A,B,…',
    file: z.array(z.string()),
    schema: regionList
      .default(DEFAULT_REGIONS)
      .describe(
        'respondent codes (default {default}); ALL = every BA with data in\n' +
          "the range and types, REGIONS = the 14 regions; with a key, checked against EIA's list",
      ),
  },
  types: {
    arg: 'a,b,…',
    file: z.array(z.string()),
    schema: typeList.default(['demand', 'generation']).describe(`${TYPE_NAMES.join(', ')} (default {default});\nco2 only with 'historical --source bulk' (EBA.zip's CO2 series)`),
  },
  'data-dir': { arg: 'DIR', file: z.string(), schema: z.string().default('./data').describe('output directory (default {default})') },
  concurrency: {
    arg: 'N',
    file: z.number(),
    schema: wholeNumber('--concurrency', 1, SOURCE.concurrency.removeDefault().maxValue ?? 64)
      .default(sourceDefault('concurrency'))
      .describe('requests in flight (default {default})'),
  },
  'requests-per-hour': {
    arg: 'N',
    file: z.number(),
    schema: wholeNumber('--requests-per-hour', 1, 1_000_000)
      .default(sourceDefault('requestsPerHour'))
      .describe('rolling-hour budget of the key, retries included (default {default})'),
  },
  'requests-per-second': {
    arg: 'N',
    file: z.number(),
    schema: wholeNumber('--requests-per-second', 1, 1000).default(sourceDefault('requestsPerSecond')).describe('burst budget (default {default})'),
  },
  'lookback-hours': {
    arg: 'N',
    file: z.number(),
    schema: wholeNumber('--lookback-hours', 1, 24 * 365)
      .default(72)
      .describe('incremental, follow: re-fetch this many hours before the latest stored (default {default})'),
  },
  'revision-horizon-hours': {
    arg: 'N',
    file: z.number(),
    // EIA revises recent hours; a unit whose last hour is less than this behind the route's latest published hour
    // stays open in the ledger and is fetched again (the newest ~48 h are provisional, some regions lag 72 h).
    schema: wholeNumber('--revision-horizon-hours', 0, 24 * 365)
      .default(72)
      .describe(
        "a unit whose last hour is less than N h behind EIA's latest published hour stays open\n" +
          'and is fetched again by later runs (default {default})',
      ),
  },
  'timeout-ms': {
    arg: 'N',
    file: z.number(),
    // One flag sets both the source's header wait and its body silence; they share one default there.
    schema: wholeNumber('--timeout-ms', 100, 600_000)
      .default(sourceDefault('headersTimeoutMs'))
      .describe('per-request timeout for headers and body silence, retried (default {default})'),
  },
  'budget-file': {
    arg: 'PATH',
    schema: z.string().optional().describe(`send-time record of the key, shared by every process using it (default DIR/${BUDGET_FILE_NAME})`),
  },
  'interval-seconds': {
    arg: 'N',
    schema: wholeNumber('--interval-seconds', 1, 86_400).optional().describe('follow: seconds between cycle starts (default: hourly, a few minutes past the hour)'),
  },
  'metrics-port': {
    arg: 'P',
    schema: wholeNumber('--metrics-port', 0, 65_535).default(9464).describe(`follow: port of /metrics and /healthz on ${METRICS_HOST} (default {default}; 0 = any)`),
  },
  'metrics-host': {
    arg: 'H',
    schema: z
      .string()
      .refine((v) => /^[0-9A-Za-z.:-]+$/.test(v), (v) => ({ message: `--metrics-host must be an IP address or host name such as 127.0.0.1 or 0.0.0.0 (got '${v}')` }))
      .default(METRICS_HOST)
      .describe('follow: address of /metrics and /healthz (default {default}; 0.0.0.0 in a container)'),
  },
  'sim-clock-speed': {
    arg: 'N',
    schema: wholeNumber('--sim-clock-speed', 1, 1_000_000).default(1).describe('built-in simulator: simulated time runs N× real time (default {default})'),
  },
  source: {
    arg: INPUTS.join('|'),
    schema: oneOf('--source', INPUTS)
      .default('api')
      .describe(
        "historical: read the API (default), or EIA's bulk file EBA.zip (downloaded from\n" +
          'EIA_BULK_URL into DIR/raw/bulk, resumable; no API request, no budget spent), or the\n' +
          "Grid Monitor's six-month CSVs, 2015-07 onward (downloaded from EIA_GRID_MONITOR_URL\n" +
          'into DIR/raw/gridmonitor, resumable; no API request)',
      ),
  },
  'bulk-file': { arg: 'PATH', schema: z.string().optional().describe('historical --source bulk: read this EBA.zip instead of downloading one') },
  'bulk-clock': {
    arg: BULK_CLOCKS.join('|'),
    schema: oneOf('--bulk-clock', BULK_CLOCKS)
      .default('utc')
      .describe(
        "historical --source bulk: read each series' UTC line (default utc), or with local its\n" +
          "local-time twin (EBA.<BA>-ALL.D.HL: the same hours and values on the BA's clock, read\n" +
          'back to UTC); the records are the same either way, and a local run over a UTC one\n' +
          'records any value that differs as a revision',
      ),
  },
  'grid-monitor-dir': {
    arg: 'DIR',
    schema: z.string().optional().describe('historical --source grid-monitor: read the six-month CSVs in DIR instead of downloading'),
  },
  phase: { arg: 'P', schema: oneOf('--phase', PHASES).optional().describe(`quick: ${PHASES.join(', ')}`) },
  split: {
    arg: 'A[,B]',
    schema: z.string().optional().describe('features: time split boundaries → train [start, A), validation [A, B), test [B, end)'),
  },
  impute: {
    arg: IMPUTE_MODES.join('|'),
    schema: oneOf('--impute', IMPUTE_MODES).default('none').describe('features: fill missing runs of ≤ 6 h linearly (default {default})'),
  },
  out: { arg: 'DIR', schema: z.string().optional().describe('features: output directory (default <data-dir>/features)') },
  config: { arg: 'FILE', schema: z.string().optional().describe('JSON file with the same options in camelCase (flags win)') },
  fresh: { schema: z.boolean().default(false).describe('ignore the resume ledger and fetch everything again') },
  json: { schema: z.boolean().default(false).describe('print the run summary as one JSON object on stdout') },
  'log-level': { arg: 'L', file: z.string(), schema: oneOf('--log-level', LOG_LEVELS).default('info').describe(`${LOG_LEVELS.join(', ')} (default {default})`) },
  'no-progress': { schema: z.boolean().default(false).describe('no progress bar / progress lines') },
  help: { short: 'h', schema: z.boolean().default(false).describe('this help') },
} as const satisfies Record<string, OptionSpec>;

export type Flag = keyof typeof OPTIONS;
/** The parsed value of an option. */
export type OptionValue<F extends Flag> = z.output<(typeof OPTIONS)[F]['schema']>;

/**
 * One option's value, parsed through its schema (undefined = its default).
 * @throws EtlError ETL_CONFIG_INVALID with the schema's one-line message, which names the flag.
 */
export function optionValue<F extends Flag>(flag: F, raw: unknown): OptionValue<F> {
  const r = (OPTIONS[flag].schema as z.ZodTypeAny).safeParse(raw);
  if (!r.success) throw configError(r.error.issues[0].message);
  return r.data as OptionValue<F>;
}

const defaultOf = <F extends Flag>(flag: F): OptionValue<F> => optionValue(flag, undefined);

/** The defaults of the options, read from their schemas. */
export const DEFAULTS = Object.freeze({
  start: defaultOf('start'),
  end: defaultOf('end'),
  regions: Object.freeze(defaultOf('regions')) as readonly string[],
  types: Object.freeze(defaultOf('types')) as readonly TypeName[],
  dataDir: defaultOf('data-dir'),
  concurrency: defaultOf('concurrency'),
  requestsPerHour: defaultOf('requests-per-hour'),
  requestsPerSecond: defaultOf('requests-per-second'),
  lookbackHours: defaultOf('lookback-hours'),
  revisionHorizonHours: defaultOf('revision-horizon-hours'),
  timeoutMs: defaultOf('timeout-ms'),
  logLevel: defaultOf('log-level'),
  metricsPort: defaultOf('metrics-port'),
  followBackfillDays: FOLLOW_BACKFILL_DAYS,
  input: defaultOf('source'),
});

/** An option's default as the help prints it (lists comma-joined); null when it has no fixed one. */
export function defaultText(flag: Flag): string | null {
  const v: unknown = defaultOf(flag);
  if (v === undefined) return null;
  return Array.isArray(v) ? v.join(',') : String(v);
}

/** `data-dir` → `dataDir`. */
type Camel<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;
const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

type FileShape = {
  [F in Flag as (typeof OPTIONS)[F] extends { file: z.ZodTypeAny } ? Camel<F> : never]: (typeof OPTIONS)[F] extends { file: infer S } ? S : never;
};

/** The JSON config file (`--config file.json`): the options that have a `file` type, camelCase; flags win over it. */
export const FileSchema = z
  .object(Object.fromEntries(Object.entries(OPTIONS).flatMap(([flag, o]) => ('file' in o ? [[camel(flag), o.file]] : []))) as FileShape)
  .partial()
  .strict();
export type ConfigFile = z.infer<typeof FileSchema>;

/** The environment the config reads: each variable's check and help text. Empty or blank counts as unset. */
export const ENVIRONMENT = {
  // The message never holds the value: it is the key.
  EIA_API_KEY: z
    .string()
    .regex(/^[A-Za-z0-9]{20,64}$/, 'EIA_API_KEY must be 20–64 letters and digits (EIA keys are 40); check the environment or .env')
    .describe('your EIA key (or in .env). Without it the built-in simulator is used and the run is marked source=simulator.'),
  EIA_BASE_URL: httpUrl('EIA_BASE_URL', EIA_BASE_URL).describe(`API base URL (default ${EIA_BASE_URL}); point it at any simulator.`),
  EIA_BUDGET_FILE: z.string().describe('the same as --budget-file (the flag wins).'),
  EIA_BULK_URL: httpUrl('EIA_BULK_URL', EIA_BULK_URL).describe(
    `where --source bulk downloads EBA.zip (default ${EIA_BULK_URL}; without a key, the built-in simulator's).`,
  ),
  EIA_GRID_MONITOR_URL: httpUrl('EIA_GRID_MONITOR_URL', EIA_GRID_MONITOR_URL).describe(
    `the folder --source grid-monitor downloads from (default ${EIA_GRID_MONITOR_URL}; without a key, the built-in simulator's).`,
  ),
} as const;
export type EnvName = keyof typeof ENVIRONMENT;

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
  readonly logLevel: LogLevel;
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
  /** historical `--source`: `api` (the API or the built-in simulator), `bulk` (EIA's `EBA.zip`) or `grid-monitor` (the six-month CSVs); the last two send no API request. */
  readonly input: Input;
  /** `--bulk-file`: a local `EBA.zip` to read instead of downloading one (null = download). */
  readonly bulkFile: string | null;
  /** `--bulk-clock`: read each series' UTC (`H`) line or its local-time (`HL`) twin; `utc` unless asked. */
  readonly bulkClock: (typeof BULK_CLOCKS)[number];
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
