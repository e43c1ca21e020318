/**
 * CLI flag parsing for `npm run simulator`, pure: argv → { port, options } or a one-line error naming the flag
 * (`ETL_CONFIG_INVALID`). The flag table doubles as the `--help` text.
 */
import { configError } from '../core/errors.js';
import { DEFAULT_QUIRKS, FAULT_KINDS, type FaultKind, type QuirkRates, type SimulatorOptions } from './options.js';
import { parseUniverse } from './perturb.js';

/** Parsed command line. */
export interface CliConfig {
  port: number;
  help: boolean;
  options: Partial<SimulatorOptions>;
}

type Setter = (cfg: CliConfig, value: string, flag: string) => void;
interface Flag { arg: string | null; help: string; set: Setter }

function int(flag: string, v: string, min = 0): number {
  if (!/^-?\d+$/.test(v) || Number(v) < min) throw configError(`${flag} expects an integer${min > -1e9 ? ` ≥ ${min}` : ''}, got '${v}'`);
  return Number(v);
}
function num(flag: string, v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw configError(`${flag} expects a non-negative number, got '${v}'`);
  return n;
}
function oneOf<T extends string>(flag: string, v: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(v)) throw configError(`${flag} expects one of ${allowed.join(', ')}, got '${v}'`);
  return v as T;
}
function pairs(flag: string, v: string): [string, string][] {
  return v.split(',').filter(Boolean).map((p) => {
    const eq = p.indexOf('=');
    if (eq <= 0) throw configError(`${flag} expects name=value pairs separated by commas, got '${p}'`);
    return [p.slice(0, eq), p.slice(eq + 1)];
  });
}
function fault(flag: string, v: string): FaultKind {
  return oneOf(flag, v, FAULT_KINDS);
}
const bool = (key: keyof SimulatorOptions): Flag => ({
  arg: null, help: `set ${key}=true`, set: (c) => void ((c.options as Record<string, unknown>)[key] = true),
});

const QUIRK_NUMBERS = Object.keys(DEFAULT_QUIRKS).filter((k) => typeof DEFAULT_QUIRKS[k as keyof QuirkRates] === 'number');

/** Every flag, its argument and what it sets. */
export const FLAGS: Readonly<Record<string, Flag>> = {
  '--port': { arg: 'N', help: 'listen port on 127.0.0.1 (default 0 = ephemeral)', set: (c, v, f) => void (c.port = int(f, v)) },
  '--seed': { arg: 'N', help: 'data and fault seed (default 1)', set: (c, v, f) => void (c.options.seed = int(f, v, -2147483648)) },
  '--keys': { arg: 'K1,K2', help: 'valid keys (default: any 20–64 letters/digits)', set: (c, v) => void (c.options.keys = v.split(',').filter(Boolean)) },
  '--strict-key-in-url': bool('strictKeyInUrl'),
  '--now': {
    arg: 'ISO|MS', help: 'fixed simulated now (default: the real clock)',
    set: (c, v, f) => {
      const ms = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
      if (!Number.isFinite(ms)) throw configError(`${f} expects an ISO date or epoch ms, got '${v}'`);
      c.options.nowMs = ms;
    },
  },
  '--clock-speed': {
    arg: 'N', help: 'simulated time runs N× real time from --now (default 1)',
    set: (c, v, f) => {
      const n = num(f, v);
      if (n <= 0) throw configError(`${f} expects a positive number, got '${v}'`);
      c.options.clockSpeed = n;
    },
  },
  '--lag-hours': { arg: 'N', help: 'endPeriod = now − N h (default 2)', set: (c, v, f) => void (c.options.lagHours = int(f, v)) },
  '--latency': {
    arg: 'BASE,PERROW,JITTER', help: 'latency model in ms (default off)',
    set: (c, v, f) => {
      const p = v.split(',').map((x) => num(f, x));
      if (p.length !== 3) throw configError(`${f} expects BASE,PERROW,JITTER in ms, got '${v}'`);
      c.options.latency = { baseMs: p[0], perRowMs: p[1], jitterMs: p[2] };
    },
  },
  '--faults': {
    arg: 'KIND=RATE,…', help: `fault probabilities per request; kinds: ${FAULT_KINDS.join(' ')}`,
    set: (c, v, f) => {
      const rates: Partial<Record<FaultKind, number>> = { ...c.options.faults?.rates };
      for (const [k, r] of pairs(f, v)) rates[fault(f, k)] = num(f, r);
      c.options.faults = { ...c.options.faults, rates };
    },
  },
  '--fault-script': {
    arg: 'N=KIND,…', help: 'fault of the N-th request (1-based)',
    set: (c, v, f) => {
      const script: Record<number, FaultKind> = { ...c.options.faults?.script };
      for (const [n, k] of pairs(f, v)) script[int(f, n, 1)] = fault(f, k);
      c.options.faults = { ...c.options.faults, script };
    },
  },
  '--fault-delay-ms': { arg: 'MS', help: 'delay of the latency fault (default 30000)', set: (c, v, f) => void (c.options.faults = { ...c.options.faults, delayMs: num(f, v) }) },
  '--oversized-bytes': { arg: 'N', help: 'body size of the oversized fault (default 64 MiB)', set: (c, v, f) => void (c.options.faults = { ...c.options.faults, oversizedBytes: int(f, v, 1) }) },
  '--budget': {
    arg: 'PERSEC,PERHOUR|off', help: 'per-key budget (default 5,9000)',
    set: (c, v, f) => {
      if (v === 'off') return void (c.options.budget = null);
      const p = v.split(',');
      if (p.length !== 2) throw configError(`${f} expects PERSEC,PERHOUR or off, got '${v}'`);
      c.options.budget = { perSecond: num(f, p[0]), perHour: num(f, p[1]) };
    },
  },
  '--throttle-mode': { arg: '429|403-suspend', help: 'over-budget answer (default 429)', set: (c, v, f) => void (c.options.throttleMode = oneOf(f, v, ['429', '403-suspend'] as const)) },
  '--suspend-ms': { arg: 'MS', help: 'suspension length (default 60000)', set: (c, v, f) => void (c.options.suspendMs = num(f, v)) },
  '--arrival-jitter-ms': { arg: 'J', help: 'delay each request a random 0…J ms before it is stamped and counted (default 0)', set: (c, v, f) => void (c.options.arrivalJitterMs = num(f, v)) },
  '--retry-after-secs': { arg: 'N', help: 'add Retry-After to 429s', set: (c, v, f) => void (c.options.retryAfterSecs = int(f, v)) },
  '--warn-placement': { arg: 'root-first|inside-response|root-null-when-none', help: 'warning placement', set: (c, v, f) => void (c.options.warnPlacement = oneOf(f, v, ['root-first', 'inside-response', 'root-null-when-none'] as const)) },
  '--warn-when': { arg: 'total>5000|truncated', help: 'when to warn', set: (c, v, f) => void (c.options.warnWhen = oneOf(f, v, ['total>5000', 'truncated'] as const)) },
  '--compat-mode': { arg: 'current|2023', help: 'value/total types', set: (c, v, f) => void (c.options.compatMode = oneOf(f, v, ['current', '2023'] as const)) },
  '--legacy-status': bool('legacyStatus'),
  '--legacy-not-found-500': bool('legacyNotFound500'),
  '--unstable-ties': bool('unstableTies'),
  '--legacy-unsorted-default': bool('legacyUnsortedDefault'),
  '--omit-excel-add-in-version': bool('omitExcelAddInVersion'),
  '--fixture-replay': bool('fixtureReplay'),
  '--gzip-level': { arg: '0-9', help: 'gzip level (default 1)', set: (c, v, f) => void (c.options.gzipLevel = Math.min(9, int(f, v))) },
  '--request-log': { arg: 'PATH', help: 'append the request log as JSON lines', set: (c, v) => void (c.options.requestLogPath = v) },
  '--quirks': {
    arg: 'NAME=VALUE,…', help: `data quirks: ${QUIRK_NUMBERS.join(' ')}, taxonomyChange, fixedAnomalies (true|false), missingExempt (codes separated by ;), timestampShift=off`,
    set: (c, v, f) => {
      const q: Record<string, unknown> = { ...c.options.quirks };
      for (const [k, val] of pairs(f, v)) {
        if (QUIRK_NUMBERS.includes(k)) q[k] = num(`${f} ${k}`, val);
        else if (k === 'taxonomyChange' || k === 'fixedAnomalies') q[k] = oneOf(`${f} ${k}`, val, ['true', 'false'] as const) === 'true';
        else if (k === 'missingExempt') q[k] = val.split(';').filter(Boolean);
        else if (k === 'timestampShift' && val === 'off') q[k] = null;
        else throw configError(`${f} has an unknown quirk '${k}'`);
      }
      c.options.quirks = q as Partial<QuirkRates>;
    },
  },
  '--universe': {
    arg: 'table|perturbed[:SEED]',
    help: "the series universe: the respondent table's (default) or perturbed (extra/missing fuels, BAs starting or stopping mid-range, decimal values; seed default 1)",
    set: (c, v, f) => {
      const p = parseUniverse(v);
      if (p === undefined) throw configError(`${f} expects table, perturbed or perturbed:SEED, got '${v}'`);
      c.options.perturb = p;
    },
  },
  '--help': { arg: null, help: 'print this help', set: (c) => void (c.help = true) },
};

/** Parse argv (without node and script). Throws `ETL_CONFIG_INVALID` naming the bad flag. */
export function parseCliArgs(argv: readonly string[]): CliConfig {
  const cfg: CliConfig = { port: 0, help: false, options: {} };
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i];
    const eq = raw.indexOf('=');
    const name = raw.startsWith('--') && eq > 0 ? raw.slice(0, eq) : raw;
    const flag = FLAGS[name];
    if (!flag) throw configError(`unknown flag ${name} (see --help)`);
    if (flag.arg === null) {
      if (eq > 0) throw configError(`${name} takes no value`);
      flag.set(cfg, '', name);
      continue;
    }
    const value = eq > 0 ? raw.slice(eq + 1) : argv[++i];
    if (value === undefined) throw configError(`${name} expects a value (${flag.arg})`);
    flag.set(cfg, value, name);
  }
  return cfg;
}

/** The `--help` text. */
export function helpText(): string {
  const lines = Object.entries(FLAGS).map(([f, d]) => `  ${(d.arg ? `${f} ${d.arg}` : f).padEnd(44)} ${d.help}`);
  return ['Usage: npm run simulator -- [flags]', '', 'EIA API v2 electricity/rto simulator on 127.0.0.1.', '', ...lines, ''].join('\n');
}
