/** Where fixture replay finds the recordings: the repository's own copy, from the sources and from the bundle. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultFixtureDir, FIXTURE_SUBDIR } from '../../src/simulator/fixture-replay.js';
import { fixtureDir, repoRoot } from './helpers.js';

describe('defaultFixtureDir', () => {
  it('is the in-repository copy when running from the sources', () => {
    expect(defaultFixtureDir()).toBe(fixtureDir);
    expect(fixtureDir).toBe(path.join(repoRoot, FIXTURE_SUBDIR));
  });

  it('finds the same folder from the bundle directory (dist/) and from deeper folders', () => {
    expect(defaultFixtureDir(path.join(repoRoot, 'dist'))).toBe(fixtureDir);
    expect(defaultFixtureDir(path.join(repoRoot, 'src', 'simulator'))).toBe(fixtureDir);
  });

  it('is null outside any repository, so replay serves nothing instead of failing', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'eia-no-repo-'));
    try {
      expect(defaultFixtureDir(dir)).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
