/**
 * The help text, general and per command, generated from the schema: every option line is the option's flag, its
 * placeholder and its `.describe()` text with the default filled in, so an option is described (and its default
 * written) in one place. The commands' own words and examples are here.
 */
import {
  ENVIRONMENT,
  FOLLOW_BACKFILL_DAYS,
  OPTIONS,
  PHASES,
  QUICK_PHASES,
  defaultText,
  type Command,
  type Flag,
  type OptionSpec,
  type Phase,
} from './schema.js';

/** Width of the flag column of an option line ("  --flag ARG" padded), where its text starts. */
const FLAG_COLUMN = 30;

/** An option's help lines: `  --flag ARG   text`, continuation lines aligned under the text. */
function optionLines(flag: Flag, text: string = OPTIONS[flag].schema.description ?? ''): string[] {
  const o: OptionSpec = OPTIONS[flag];
  const head = `  ${o.short ? `-${o.short}, ` : ''}--${flag}${o.arg ? ` ${o.arg}` : ''}`;
  const [first, ...rest] = text.replace('{default}', defaultText(flag) ?? '').split('\n');
  return [`${head.padEnd(FLAG_COLUMN - 2)}  ${first}`, ...rest.map((l) => `${' '.repeat(FLAG_COLUMN)}${l}`)];
}

/** The commands as the general help lists them (`query` is the CLI's own, with its own help). */
const COMMAND_SUMMARIES: readonly (readonly [Command | 'query', string])[] = [
  ['historical', 'back-fill [--start, --end) for --regions × --types (resumable; re-run continues)'],
  ['incremental', 'fetch from the latest stored hour per series minus --lookback-hours up to now; upsert, record revisions'],
  ['replay', 'rebuild Parquet and DuckDB from the raw archive (no API call)'],
  ['plan', 'print units, requests, expected rows, budget use and ETA; writes nothing'],
  [
    'follow',
    `stay current: back-fill an empty data dir from --start (default ${FOLLOW_BACKFILL_DAYS} days back), then an incremental\n` +
      'cycle every --interval-seconds (default a few minutes past each hour); /metrics and /healthz',
  ],
  ['quick', `the validation ladder: --phase ${PHASES.join('|')}`],
  [
    'features',
    'ML tables from the warehouse (no API call): one row per respondent and hour, splits, dataset card;\n' +
      'without --start/--end/--regions: the warehouse\'s range and respondents',
  ],
  ['query', 'read-only SQL on the warehouse (npm run query -- --help)'],
];

const indented = (name: string, width: number, text: string) => {
  const [first, ...rest] = text.split('\n');
  return [`  ${name.padEnd(width)}  ${first}`, ...rest.map((l) => `${' '.repeat(width + 4)}${l}`)];
};

export const HELP = [
  'eia-stream — EIA API v2 electricity/rto (EIA-930) hourly data → raw JSON archive, Parquet, DuckDB',
  '',
  'Usage: npm run pipeline <command> [-- options]',
  '',
  'Commands:',
  ...COMMAND_SUMMARIES.flatMap(([name, text]) => indented(name, 12, text)),
  '',
  'Options:',
  ...(Object.keys(OPTIONS) as Flag[]).flatMap((flag) => optionLines(flag)),
  '',
  'Environment:',
  ...Object.entries(ENVIRONMENT).flatMap(([name, schema]) => indented(name, 13, schema.description ?? '')),
  '',
  'Exit codes: 0 ok, 1 run failed, 2 bad usage (nothing written), 130 interrupted (re-run the same command to resume).',
  '',
  'A command\'s own options, with examples: npm run pipeline <command> -- --help',
  '',
].join('\n');

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
  /** The options that apply, in this order; the common ones are added after them. */
  readonly options: readonly Flag[];
  readonly extra?: () => string[];
  readonly examples: readonly string[];
  /** Texts that replace an option's own for this command, where a flag means something else here (features reads, not fetches). */
  readonly optionText?: Partial<Record<Flag, string>>;
}

const FETCH_OPTIONS: readonly Flag[] = ['data-dir', 'concurrency', 'requests-per-hour', 'requests-per-second', 'timeout-ms', 'revision-horizon-hours', 'budget-file', 'fresh'];
const COMMON_OPTIONS: readonly Flag[] = ['config', 'json', 'log-level', 'no-progress', 'help'];

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
    options: ['start', 'end', 'regions', 'types', 'source', 'bulk-file', 'bulk-clock', 'grid-monitor-dir', ...FETCH_OPTIONS],
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
    options: ['regions', 'types', 'lookback-hours', 'start', 'end', ...FETCH_OPTIONS],
    examples: [
      'npm run pipeline incremental',
      'npm run pipeline incremental -- --lookback-hours 168 --regions PACW,ERCO',
    ],
  },
  replay: {
    usage: 'npm run pipeline replay [-- options]',
    about: ['Rebuild Parquet and DuckDB from the raw archive in --data-dir, without any API call.'],
    options: ['data-dir'],
    examples: ['npm run pipeline replay', 'npm run pipeline replay -- --data-dir ./ciso --json'],
  },
  plan: {
    usage: 'npm run pipeline plan [-- options]',
    about: [
      'Print the work units, requests, expected rows, share of the hourly budget and ETA of a historical run with the',
      'same options. Makes no data request and writes nothing (with a key, the respondent lookup\'s one send is',
      'added to the key\'s budget record).',
    ],
    options: ['start', 'end', 'regions', 'types', 'concurrency', 'requests-per-hour', 'requests-per-second'],
    examples: [
      'npm run pipeline plan',
      'npm run pipeline plan -- --regions US48 --types generation --json',
    ],
  },
  follow: {
    usage: 'npm run pipeline follow [-- options]',
    about: [
      'Keep the warehouse current until SIGTERM or Ctrl-C (exit 0): back-fill an empty data directory from --start',
      `(default: ${FOLLOW_BACKFILL_DAYS} days before EIA's latest hour), then run an incremental cycle a few minutes past each hour, or`,
      'every --interval-seconds. A failed cycle is logged and retried with backoff. /metrics (Prometheus) and /healthz',
      'are served on --metrics-host:--metrics-port.',
    ],
    options: ['regions', 'types', 'start', 'lookback-hours', 'interval-seconds', 'metrics-port', 'metrics-host', 'sim-clock-speed', ...FETCH_OPTIONS],
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
    options: ['split', 'impute', 'out', 'start', 'end', 'regions', 'data-dir'],
    optionText: {
      start: 'UTC, inclusive (default: the first hour the warehouse holds for the respondents)',
      end: 'UTC, exclusive (default: after the last hour the warehouse holds for them)',
      regions: 'respondent codes (default: every respondent the warehouse holds); ALL = its BAs,\nREGIONS = its regions',
      'data-dir': 'the data directory whose warehouse is read (default {default})',
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
    options: ['phase', ...FETCH_OPTIONS],
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
  const options = [...new Set([...h.options, ...COMMON_OPTIONS])].flatMap((f) => optionLines(f, h.optionText?.[f]));
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
