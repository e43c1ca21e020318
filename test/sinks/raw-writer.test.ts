import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createPageWriter } from '../../src/sinks/raw-writer.js';
import { useTempDir } from '../support/sink-contract.js';

describe('raw page writer (worker thread)', () => {
  const dir = useTempDir();

  it('hashes, gzips and writes pages in order, creating directories; close waits for jobs in flight', async () => {
    const w = createPageWriter();
    const bodies = Array.from({ length: 5 }, (_, i) => Buffer.from(JSON.stringify({ page: i, data: 'x'.repeat(10_000 * (i + 1)) })));
    const files = bodies.map((_, i) => path.join(dir(), 'a', String(i), `.p${i}.json.gz.tmp`));
    const jobs = bodies.map((b, i) => w.write(b, files[i], 2));
    await w.close();
    const done = await Promise.all(jobs);
    for (let i = 0; i < bodies.length; i++) {
      const gz = await readFile(files[i]);
      expect(gunzipSync(gz).equals(bodies[i])).toBe(true);
      expect(done[i]).toEqual({ sha256: createHash('sha256').update(bodies[i]).digest('hex'), storedBytes: gz.length });
    }
    await expect(w.write(bodies[0], files[0], 2)).rejects.toThrow(/closed/);
  });

  it('reports a file system error with its code (the directory is a file)', async () => {
    const w = createPageWriter();
    await writeFile(path.join(dir(), 'blocked'), 'not a directory');
    const e = await w.write(Buffer.from('{}'), path.join(dir(), 'blocked', '.p0.json.gz.tmp'), 2).then(() => null, (x: unknown) => x);
    expect((e as NodeJS.ErrnoException).code).toMatch(/ENOTDIR|EEXIST/);
    // The writer still works after a failed job.
    await expect(w.write(Buffer.from('{}'), path.join(dir(), 'ok', '.p0.json.gz.tmp'), 2)).resolves.toMatchObject({ storedBytes: expect.any(Number) });
    await w.close();
  });
});
