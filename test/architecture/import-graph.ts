/**
 * The import graph of `src/` and the layer rules it must keep. Pure: it takes file paths and their text and returns
 * the graph, its cycles and the edges that break a rule; `imports.test.ts` feeds it the real `src/` tree and unit
 * tests feed it synthetic ones.
 *
 * Specifiers come from TypeScript's own pre-processor (`ts.preProcessFile`): static `import … from`, `import '…'`,
 * `import type`, `export … from` and dynamic `import('…')`, never text inside comments or strings. Only relative
 * specifiers are edges (packages and `node:` modules are not part of the graph); `.js` resolves to the `.ts` source.
 * Type-only imports count: a module that needs another's types depends on it.
 */
import path from 'node:path';
import ts from 'typescript';

/** Repository-relative module path (`src/store/lock.ts`) → the modules it imports, sorted. */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

/** The rooms of `src/`. `cli` is the two entry points, `config` (config.ts and config/) the flag and file parser they share. */
export type Layer = 'core' | 'store' | 'sources' | 'transforms' | 'sinks' | 'pipelines' | 'report' | 'simulator' | 'cli' | 'config' | 'outside';

/** One import edge that a rule forbids. */
export interface Violation {
  readonly rule: string;
  readonly from: string;
  readonly to: string;
}

/** A layer rule: modules of `from` may import only `allow` (when given) and never `deny` (when given). */
export interface LayerRule {
  readonly name: string;
  readonly from: readonly Layer[];
  readonly allow?: readonly Layer[];
  readonly deny?: readonly Layer[];
  /** Why the rule holds, for the failure message. */
  readonly why: string;
}

/** An edge that breaks a rule today and is kept on purpose until a named step removes it (a ratchet). */
export interface Exception {
  readonly rule: string;
  readonly from: string;
  readonly to: string;
  readonly why: string;
}

/** Relative specifiers of one module's imports and re-exports, in source order. */
export function importSpecifiers(source: string): string[] {
  const info = ts.preProcessFile(source, true, true);
  return info.importedFiles.map((f) => f.fileName).filter((s) => s.startsWith('./') || s.startsWith('../'));
}

/** The module a relative specifier of `from` names (repository-relative, `.js` → `.ts`). */
export function resolveSpecifier(from: string, specifier: string): string {
  return path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier)).replace(/\.js$/, '.ts');
}

/** Build the graph of `files` (repository-relative path → text). Targets outside `files` stay as edges. */
export function buildGraph(files: ReadonlyMap<string, string>): ImportGraph {
  const graph = new Map<string, string[]>();
  for (const [file, text] of files) {
    graph.set(file, [...new Set(importSpecifiers(text).map((s) => resolveSpecifier(file, s)))].sort());
  }
  return graph;
}

/** The layer of a repository-relative module path. */
export function layerOf(file: string): Layer {
  if (file === 'src/cli.ts' || file === 'src/report-cli.ts') return 'cli';
  if (file === 'src/config.ts') return 'config';
  const m = /^src\/([^/]+)\//.exec(file);
  const room = m?.[1];
  switch (room) {
    case 'core':
    case 'store':
    case 'sources':
    case 'transforms':
    case 'sinks':
    case 'pipelines':
    case 'report':
    case 'simulator':
    case 'config':
      return room;
    default:
      return 'outside';
  }
}

/** Edges of `graph` that break a rule and are not listed in `exceptions`; stale exceptions are reported too. */
export function checkLayers(
  graph: ImportGraph,
  rules: readonly LayerRule[],
  exceptions: readonly Exception[] = [],
): { violations: Violation[]; unusedExceptions: Exception[] } {
  const violations: Violation[] = [];
  const used = new Set<Exception>();
  for (const [from, targets] of graph) {
    const a = layerOf(from);
    for (const to of targets) {
      const b = layerOf(to);
      for (const rule of rules) {
        if (!rule.from.includes(a)) continue;
        const broken = (rule.allow !== undefined && !rule.allow.includes(b)) || (rule.deny?.includes(b) ?? false);
        if (!broken) continue;
        const ex = exceptions.find((e) => e.rule === rule.name && e.from === from && e.to === to);
        if (ex) used.add(ex);
        else violations.push({ rule: rule.name, from, to });
      }
    }
  }
  return { violations, unusedExceptions: exceptions.filter((e) => !used.has(e)) };
}

/**
 * Every import cycle of `graph`: its strongly connected components with more than one module, plus modules that
 * import themselves (Tarjan's algorithm). Each cycle is sorted, and the list is sorted by its first module.
 */
export function findCycles(graph: ImportGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(scc.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return cycles.sort((x, y) => (x[0] < y[0] ? -1 : 1));
}
