/**
 * The rooms of `src/` and who may import whom (docs/architecture.md, "Tree"):
 *
 *   cli.ts, report-cli.ts   entry points: imported by nobody
 *   pipelines/, report/     compose the rest
 *   sources/  transforms/  sinks/   the flow's stages, side by side: none imports another
 *   store/                  the data directory, below the sources and sinks that read and write it
 *   core/                   contracts, catalog, errors, time: imports nothing above it
 *   simulator/              a program of its own over core/
 *
 * Checked on the real import graph (every `.ts` under `src/`), with no import cycle anywhere. An edge that breaks a
 * rule today and is kept on purpose is an `EXCEPTIONS` entry naming the edge and the step that removes it; an
 * exception that no longer matches an edge fails too, so the list only shrinks.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildGraph, checkLayers, findCycles, importSpecifiers, layerOf, type Exception, type LayerRule } from './import-graph.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const RULES: readonly LayerRule[] = [
  { name: 'sources-not-sinks', from: ['sources'], deny: ['sinks'], why: 'sources and sinks stand side by side over the store' },
  { name: 'sinks-not-sources', from: ['sinks'], deny: ['sources'], why: 'sources and sinks stand side by side over the store' },
  { name: 'core-alone', from: ['core'], allow: ['core'], why: 'core/ is the floor: contracts, catalog, errors, time' },
  { name: 'store-over-core', from: ['store'], allow: ['core', 'store'], why: 'the data directory knows no source, sink or command' },
  {
    name: 'transforms-over-core',
    from: ['transforms'],
    allow: ['core', 'transforms'],
    why: 'transforms are pure stages between source and sinks: no store, sink, source or pipeline',
  },
  {
    name: 'sources-over-store',
    from: ['sources'],
    allow: ['core', 'store', 'sources'],
    why: 'a source reads the wire (or the raw archive) itself; it borrows no other stage',
  },
  { name: 'sinks-over-store', from: ['sinks'], allow: ['core', 'store', 'sinks'], why: 'a sink is an adapter over the store' },
  {
    name: 'stages-not-up',
    from: ['sources', 'sinks', 'store', 'transforms'],
    deny: ['pipelines', 'report', 'cli', 'config'],
    why: 'the commands compose the stages, never the other way round',
  },
  { name: 'report-reads-store', from: ['report'], allow: ['core', 'store', 'report'], why: 'the report reads the warehouse only' },
  { name: 'simulator-alone', from: ['simulator'], allow: ['core', 'simulator'], why: 'the simulator is the API, not part of the pipeline' },
  {
    name: 'entry-points-last',
    from: ['core', 'store', 'sources', 'transforms', 'sinks', 'pipelines', 'report', 'simulator', 'cli', 'config'],
    deny: ['cli'],
    why: 'cli.ts and report-cli.ts own the process (signals, exit codes)',
  },
  {
    name: 'src-self-contained',
    from: ['core', 'store', 'sources', 'transforms', 'sinks', 'pipelines', 'report', 'simulator', 'cli', 'config'],
    deny: ['outside'],
    why: 'src/ never imports bench/, test/ or scripts/',
  },
];

const EXCEPTIONS: readonly Exception[] = [];

function srcFiles(dir = path.join(ROOT, 'src')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? srcFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

function realGraph() {
  const files = new Map<string, string>();
  for (const f of srcFiles()) files.set(path.relative(ROOT, f).split(path.sep).join('/'), readFileSync(f, 'utf8'));
  return buildGraph(files);
}

const show = (vs: readonly { rule: string; from: string; to: string }[]) =>
  vs.map((v) => `${v.rule}: ${v.from} -> ${v.to} (${RULES.find((r) => r.name === v.rule)?.why ?? ''})`);

describe('the import graph of src/', () => {
  const graph = realGraph();

  it('is read from every module, and every relative import names a module of the tree', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('src/sources/raw-archive.ts')).toContain('src/store/raw-layout.ts');
    const missing = [...graph].flatMap(([from, tos]) => tos.filter((to) => to.startsWith('src/') && !graph.has(to)).map((to) => `${from} -> ${to}`));
    expect(missing).toEqual([]);
  });

  it('keeps every layer rule (named exceptions aside)', () => {
    const { violations } = checkLayers(graph, RULES, EXCEPTIONS);
    expect(show(violations)).toEqual([]);
  });

  it('lists only exceptions that still match an edge (the list only shrinks)', () => {
    const { unusedExceptions } = checkLayers(graph, RULES, EXCEPTIONS);
    expect(unusedExceptions.map((e) => `${e.rule}: ${e.from} -> ${e.to}`)).toEqual([]);
  });

  it('has no import cycle', () => {
    expect(findCycles(graph)).toEqual([]);
  });
});

describe('the checker', () => {
  const graphOf = (files: Record<string, string>) => buildGraph(new Map(Object.entries(files)));

  it('reads static, type-only, re-export, side-effect and dynamic imports, and nothing in comments or strings', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from '../b.js';",
      "export { c } from './c.js';",
      "export * from './d.js';",
      "import './e.js';",
      "const f = await import('./f.js');",
      "import { readFile } from 'node:fs/promises';",
      "import { z } from 'zod';",
      "// import { g } from './g.js';",
      "/* export { h } from './h.js'; */",
      "const s = \"import { i } from './i.js'\";",
    ].join('\n');
    expect(importSpecifiers(text)).toEqual(['./a.js', '../b.js', './c.js', './d.js', './e.js', './f.js']);
  });

  it('resolves specifiers to modules and names their layers', () => {
    const g = graphOf({ 'src/sinks/duckdb/sink.ts': "import { sqlString } from '../../store/sql.js';" });
    expect(g.get('src/sinks/duckdb/sink.ts')).toEqual(['src/store/sql.ts']);
    expect(layerOf('src/store/sql.ts')).toBe('store');
    expect(layerOf('src/cli.ts')).toBe('cli');
    expect(layerOf('src/config.ts')).toBe('config');
    expect(layerOf('bench/lib/old-plan.ts')).toBe('outside');
  });

  it('catches a sideways import between sources and sinks, in either direction', () => {
    const g = graphOf({
      'src/sources/raw-archive.ts': "import { RAW_JOURNAL_PREFIX } from '../sinks/raw-archive.js';",
      'src/sinks/raw-archive.ts': "import { readPages } from '../sources/raw-archive.js';",
    });
    const { violations } = checkLayers(g, RULES);
    expect(violations).toContainEqual({ rule: 'sources-not-sinks', from: 'src/sources/raw-archive.ts', to: 'src/sinks/raw-archive.ts' });
    expect(violations).toContainEqual({ rule: 'sinks-not-sources', from: 'src/sinks/raw-archive.ts', to: 'src/sources/raw-archive.ts' });
  });

  it('catches core, the store or a transform importing upwards, and src/ importing bench code', () => {
    const g = graphOf({
      'src/core/errors.ts': "import type { Warehouse } from '../store/duckdb/warehouse.js';",
      'src/store/duckdb/warehouse.ts': "import { createDuckDbSink } from '../../sinks/duckdb/sink.js';",
      'src/core/time.ts': "export { oldApproachPlan } from '../../bench/lib/old-plan.js';",
      'src/transforms/validate.ts': "import type { RunDeps } from '../pipelines/run.js';",
    });
    const rules = checkLayers(g, RULES).violations.map((v) => v.rule);
    expect(rules).toEqual(expect.arrayContaining(['core-alone', 'store-over-core', 'stages-not-up', 'src-self-contained']));
    expect(rules).not.toContain('sources-not-sinks');
  });

  it('lets an exception through only for its own edge, and reports an exception no edge matches', () => {
    const sample: readonly Exception[] = [
      { rule: 'sources-over-store', from: 'src/sources/eia/envelope.ts', to: 'src/transforms/parse-json.ts', why: 'a sample edge' },
    ];
    const g = graphOf({ 'src/sources/eia/envelope.ts': "import { parsePage } from '../../transforms/parse-json.js';" });
    expect(checkLayers(g, RULES, sample)).toEqual({ violations: [], unusedExceptions: [] });
    expect(checkLayers(g, RULES).violations).toHaveLength(1);
    const other = graphOf({ 'src/sources/raw-archive.ts': "import { parsePage } from '../transforms/parse-json.js';" });
    expect(checkLayers(other, RULES, sample)).toEqual({
      violations: [{ rule: 'sources-over-store', from: 'src/sources/raw-archive.ts', to: 'src/transforms/parse-json.ts' }],
      unusedExceptions: sample,
    });
    const stale = checkLayers(graphOf({ 'src/sources/eia/envelope.ts': '' }), RULES, sample);
    expect(stale.unusedExceptions).toEqual(sample);
  });

  it('finds a cycle, a long one and a self-import, and nothing in an acyclic graph', () => {
    const g = graphOf({
      'src/sources/eia/planner.ts': "export { oldApproachPlan } from './old-plan.js';",
      'src/sources/eia/old-plan.ts': "import type { Selection } from './planner.js';",
      'src/core/a.ts': "import './b.js';",
      'src/core/b.ts': "import './c.js';",
      'src/core/c.ts': "import './a.js';",
      'src/core/d.ts': "import './d.js';",
      'src/core/e.ts': "import './a.js';",
    });
    expect(findCycles(g)).toEqual([
      ['src/core/a.ts', 'src/core/b.ts', 'src/core/c.ts'],
      ['src/core/d.ts'],
      ['src/sources/eia/old-plan.ts', 'src/sources/eia/planner.ts'],
    ]);
    expect(findCycles(graphOf({ 'src/core/a.ts': "import './b.js';", 'src/core/b.ts': '' }))).toEqual([]);
  });
});
