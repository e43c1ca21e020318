/**
 * The repository stands alone: no tracked text file refers to a path outside it (a sibling shared folder, an
 * absolute machine path, or `..` segments that climb above the root). The detector is tested first on samples,
 * so that a scan which finds nothing means something.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findOutsideRefs, isText } from './outside-paths.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** This file holds the bad samples below on purpose. */
const SELF = path.relative(root, fileURLToPath(import.meta.url)).split(path.sep).join('/');

/** Tracked files (git), or every file outside the generated folders when the tree is not a git checkout. */
function trackedFiles(): string[] {
  try {
    return execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
  } catch {
    const skip = new Set(['.git', 'node_modules', 'data', 'dist', '.test-dist', 'coverage']);
    const walk = (rel: string): string[] => readdirSync(path.join(root, rel), { withFileTypes: true }).flatMap((d) => {
      const r = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) return skip.has(d.name) && !rel ? [] : walk(r);
      return d.isFile() ? [r] : [];
    });
    return walk('');
  }
}

const rules = (file: string, text: string) => findOutsideRefs(file, text).map((r) => r.rule);
/** The bad samples' paths, assembled so that this file does not itself name a place outside the repository. */
const SIBLING = ['..', 'shared'].join('/');
const MACHINE = ['', 'work', 'shared'].join('/');

describe('findOutsideRefs (the detector)', () => {
  it('flags a sibling shared folder, wherever the file sits', () => {
    expect(rules('src/simulator/x.ts', `path.resolve(here, '../../${SIBLING}/fixtures/eia-recorded')`)).toEqual(['sibling-shared']);
    expect(rules('test/x/y.ts', `path.resolve(repoRoot, '${SIBLING}/fixtures')`)).toEqual(['sibling-shared']);
    expect(rules('docs/parts/simulator.md', `see \`${SIBLING}/docs/eia-api-v2.md\``)).toEqual(['sibling-shared']);
  });

  it('flags absolute machine paths as tokens', () => {
    expect(rules('test/a.test.ts', `const FIX = '${MACHINE}/fixtures/eia-recorded';`)).toEqual(['absolute-path']);
    expect(rules('README.md', 'cd /root/project && npm ci')).toEqual(['absolute-path']);
    expect(rules('bench/x.ts', 'writeFileSync("/tmp/bench-out.json", s)')).toEqual(['absolute-path']);
    expect(rules('docs/a.md', 'run `/home/alice/eia/run.sh`')).toEqual(['absolute-path']);
    expect(rules('x.ts', 'const p = [`/Users/bob/data`]')).toEqual(['absolute-path']);
    expect(rules('x.sh', 'OUT=/mnt/disk/out')).toEqual(['absolute-path']);
  });

  it('flags relative paths that climb above the root from the file\'s own folder', () => {
    expect(rules('README.md', 'see [notes](../notes.md)')).toEqual(['climbs-above-root']);
    expect(rules('docs/parts/a.md', 'see ../../../elsewhere/x.md')).toEqual(['climbs-above-root']);
    expect(rules('test/transforms/fixtures/pages.ts', "import x from '../../../../lib/x.js';")).toEqual(['climbs-above-root']);
    expect(rules('scripts/build.mjs', "path.resolve(here, '../..')")).toEqual(['climbs-above-root']);
  });

  it('leaves URLs, in-repo relative paths, spreads, ellipses and ranges alone', () => {
    const good = [
      ['README.md', 'Get a key at <https://www.eia.gov/opendata/register.php> or https://example.org/home/tmp/x'],
      ['README.md', 'http://127.0.0.1:8787/v2 and file names like data/raw/eia/<route>/<YYYY>/'],
      ['docs/parts/a.md', 'see [architecture](../architecture.md) and ../../README.md'],
      ['test/transforms/fixtures/pages.ts', "import type { X } from '../../../src/core/contracts.js';"],
      ['test/simulator/helpers.ts', "path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')"],
      ['src/a.ts', 'const all = [...rows, ...more]; // and so on... wait.. 1..5'],
      ['src/a.ts', "const t = '...'; f(...args);"],
      ['src/a.ts', 'const re = /^\\/v2\\/electricity\\/rto/;'],
      ['docs/a.md', 'a path like `data/tmp/x` or `node_modules/home/y` is in the repo'],
    ] as const;
    for (const [file, text] of good) expect(rules(file, text), `${file}: ${text}`).toEqual([]);
  });

  it('skips a line marked as a deliberate outside path, and reports line numbers', () => {
    expect(rules('test/r/x.test.ts', "{ type: '../../../../tmp/evil' }, // outside-path-ok: traversal probe")).toEqual([]);
    const refs = findOutsideRefs('a.md', 'fine\n/tmp/x is not\nfine');
    expect(refs).toEqual([{ file: 'a.md', line: 2, rule: 'absolute-path', text: '/tmp/x' }]);
  });

  it('tells binary from text', () => {
    expect(isText(Buffer.from('plain text'))).toBe(true);
    expect(isText(Buffer.from([0x50, 0x41, 0x52, 0x31, 0x00, 0x15]))).toBe(false);
  });
});

describe('the repository', () => {
  it('has no tracked text file that refers to a path outside it', () => {
    const files = trackedFiles();
    expect(files.length).toBeGreaterThan(50);
    const found = files
      .filter((f) => f !== SELF)
      .flatMap((f) => {
        let bytes: Buffer;
        try {
          bytes = readFileSync(path.join(root, f));
        } catch {
          return []; // tracked but deleted in the work tree
        }
        return isText(bytes) ? findOutsideRefs(f, bytes.toString('utf8')) : [];
      })
      .map((r) => `${r.file}:${r.line} ${r.rule} ${r.text}`);
    expect(found).toEqual([]);
  });
});
