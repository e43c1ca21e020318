/**
 * Summarize a V8 `.cpuprofile` (written by `node --cpu-prof`): self time per function and per area of the code.
 * It covers the main JS thread only: DuckDB's own threads, zlib and fs work on libuv's pool are not in it (the
 * pipeline's total CPU seconds, sampled from /proc, are).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface CallFrame { functionName: string; url: string; lineNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

/** One row of a summary. */
export interface SelfTime {
  /** `name (file:line)` for a function; the area name for an area. */
  name: string;
  ms: number;
  /** Share of the main thread's busy (non-idle) sampled time, %. */
  pct: number;
  /** For a function outside src/: the src/ function that most of its time was spent under (the one to look at). */
  via?: string;
}

/** What `summarizeCpuProfile` returns. */
export interface ProfileSummary {
  /** Sampled time, ms. */
  totalMs: number;
  /** Share of sampled time spent in `(idle)` (the main thread waiting on I/O, timers or other threads), %. */
  idlePct: number;
  /** Share of busy time spent loading modules (Node's loaders, tsx compiling TypeScript): start-up, not the flow, %. */
  startupPct: number;
  /** Top functions by self time (`(idle)` and start-up excluded). */
  functions: SelfTime[];
  /** Self time by area: `src/<dir>/<file>`, `node_modules/<package>`, `node:<module>`, `(garbage collector)`, … */
  areas: SelfTime[];
  /**
   * Busy time by owning component: each sample goes to the `src/<dir>` of the nearest src/ frame on its stack, so
   * library and Node time lands on the component that called it (DuckDB's `flushSync` → `src/sinks`). Samples with
   * no src/ frame (callbacks from the libuv pool, socket reads…) are labelled by their own area.
   */
  components: SelfTime[];
}

const STARTUP = '(start-up: module loading, tsx)';
const STARTUP_URL = /^node:internal\/(modules|deps\/cjs-module-lexer|source_map|bootstrap)\/|\/node_modules\/(tsx|esbuild|get-tsconfig)\//;

/** Where a frame's code lives, for the per-area table. */
function areaOf(url: string, root: string, fn: string): string {
  if (STARTUP_URL.test(url)) return STARTUP;
  if (!url) return fn.startsWith('(') ? fn : '(native / V8 builtins)';
  if (url.startsWith('node:')) return url;
  const file = url.replace(/^file:\/\//, '');
  const nm = file.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = file.slice(nm + 14).split('/');
    return `node_modules/${rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  const rel = path.relative(root, file);
  return rel.startsWith('..') ? file : rel;
}

const sourceCache = new Map<string, string[] | null>();

/**
 * 1-based line of `name`'s definition in the original TypeScript file, or null. tsx hands V8 whitespace-minified
 * code (every frame of a src file is on line 1), so the line is found by looking for the definition by name.
 */
function definitionLine(file: string, name: string): number | null {
  if (!name || name.startsWith('(') || !/^[\w$]+$/.test(name)) return null;
  let lines = sourceCache.get(file);
  if (lines === undefined) {
    try {
      lines = readFileSync(file, 'utf8').split('\n');
    } catch {
      lines = null;
    }
    sourceCache.set(file, lines);
  }
  if (!lines) return null;
  const n = name.replace(/\$/g, '\\$');
  const def = new RegExp(
    `\\bfunction\\s*\\*?\\s*${n}\\b|\\b${n}\\s*[:=]\\s*(async\\s*)?(\\(|function|[\\w$]+\\s*=>)|^\\s*(public |private |static |async |get |set |\\*)*${n}\\s*\\(`,
  );
  // Prefer a body (`{` or `=>`) over a declaration in an interface or overload list (ends with `;`).
  let i = lines.findIndex((l) => def.test(l) && !/;\s*(\/\/.*)?$/.test(l));
  if (i < 0) i = lines.findIndex((l) => def.test(l));
  return i >= 0 ? i + 1 : null;
}

/** Read and summarize one profile; `root` makes file names relative. */
export function summarizeCpuProfile(file: string, root: string, top = 15): ProfileSummary {
  const prof = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const selfById = new Map<number, number>();
  let total = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = (prof.timeDeltas[i + 1] ?? 0) / 1000; // the delta after a sample is the time attributed to it
    total += dt;
    selfById.set(prof.samples[i], (selfById.get(prof.samples[i]) ?? 0) + dt);
  }
  const parent = new Map<number, number>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const srcPrefix = `file://${root}/src/`;
  const label = (cf: CallFrame): string => {
    const file = cf.url.replace(/^file:\/\//, '');
    const line = file.startsWith(root) && !file.includes('/node_modules/') ? definitionLine(file, cf.functionName) : cf.lineNumber + 1;
    const where = cf.url ? `${areaOf(cf.url, root, cf.functionName)}${line ? `:${line}` : ''}` : '';
    return `${cf.functionName || '(anonymous)'}${where ? ` (${where})` : ''}`;
  };
  /** The nearest ancestor frame in src/ (skipping the frame itself). */
  const srcCaller = (id: number): string | null => {
    for (let p = parent.get(id); p !== undefined; p = parent.get(p)) {
      const cf = byId.get(p)!.callFrame;
      if (cf.url.startsWith(srcPrefix)) return label(cf);
    }
    return null;
  };
  const componentOf = (id: number): string | null => {
    for (let p: number | undefined = id; p !== undefined; p = parent.get(p)) {
      const url = byId.get(p)!.callFrame.url;
      if (url.startsWith(srcPrefix)) {
        const rest = url.slice(srcPrefix.length).split('/');
        return `src/${rest[0]}`;
      }
    }
    return null;
  };
  const components = new Map<string, number>();
  const fns = new Map<string, number>();
  const via = new Map<string, Map<string, number>>();
  const areas = new Map<string, number>();
  let idle = 0;
  let startup = 0;
  for (const [id, ms] of selfById) {
    const cf = byId.get(id)!.callFrame;
    if (cf.functionName === '(idle)') {
      idle += ms;
      continue;
    }
    const a = areaOf(cf.url, root, cf.functionName);
    areas.set(a, (areas.get(a) ?? 0) + ms);
    const owner = a === STARTUP ? STARTUP : (componentOf(id) ?? (cf.functionName.startsWith('(') ? cf.functionName : `${a} (no src/ caller)`));
    components.set(owner, (components.get(owner) ?? 0) + ms);
    if (a === STARTUP) {
      startup += ms;
      continue;
    }
    const name = label(cf);
    fns.set(name, (fns.get(name) ?? 0) + ms);
    if (!cf.url.startsWith(srcPrefix)) {
      const caller = srcCaller(id);
      if (caller) {
        const m = via.get(name) ?? new Map<string, number>();
        m.set(caller, (m.get(caller) ?? 0) + ms);
        via.set(name, m);
      }
    }
  }
  const busy = Math.max(total - idle, 1e-9);
  const rows = (m: Map<string, number>, n: number): SelfTime[] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, ms]) => {
        const callers = via.get(name);
        const top1 = callers && [...callers].sort((a, b) => b[1] - a[1])[0];
        return { name, ms: Math.round(ms), pct: Math.round((ms / busy) * 1000) / 10, ...(top1 ? { via: `${top1[0]} (${Math.round((top1[1] / ms) * 100)}%)` } : {}) };
      });
  return {
    totalMs: Math.round(total),
    idlePct: Math.round((idle / total) * 1000) / 10,
    startupPct: Math.round((startup / busy) * 1000) / 10,
    functions: rows(fns, top),
    areas: rows(areas, top),
    components: rows(components, top),
  };
}
