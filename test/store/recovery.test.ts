import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { JOURNAL_DIR, journalPath, tempPathFor } from '../../src/store/atomic-files.js';
import { openWarehouse } from '../../src/store/duckdb/warehouse.js';
import { recoverDataDir } from '../../src/store/recovery.js';
import { useTempDir } from '../support/sink-contract.js';

async function walk(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(path.join(dir, rel), { withFileTypes: true }).catch(() => [])) {
    const r = path.join(rel, e.name);
    if (e.isDirectory()) out.push(...(await walk(dir, r)));
    else out.push(r);
  }
  return out.sort();
}

async function put(file: string, text = 'x'): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  return file;
}

describe('start-up recovery of a data dir (what a kill -9 leaves)', () => {
  const dataDir = useTempDir();

  it('rolls journals forward, then removes every temp file: journal, raw page/manifest, Parquet part, quarantine, spill files', async () => {
    const d = dataDir();
    const year = path.join(d, 'raw', 'eia', 'region-data', '2024');
    // A raw commit that reached its journal: the page must be renamed in, not deleted.
    const staged = await put(path.join(year, '.region-data-2024-u1-p0.json.gz.tmp'), 'page');
    await put(journalPath(d, 'raw-', 'region-data-2024-u1'), JSON.stringify({ renames: [[staged, path.join(year, 'region-data-2024-u1-p0.json.gz')]], removes: [] }));
    // Leftovers of commits that never reached their journal.
    await put(tempPathFor(journalPath(d, 'raw-', 'region-data-2024-u2')));
    await put(tempPathFor(journalPath(d, 'parquet-', 'region-data-2024-u2')));
    await put(path.join(year, '.region-data-2024-u2-p5000.json.gz.tmp'));
    await put(path.join(year, '.region-data-2024-u2.manifest.json.tmp'));
    await put(tempPathFor(path.join(d, 'parquet', 'dataset=region-data', 'year=2024', 'part-000003.parquet'), 'w'));
    await put(tempPathFor(path.join(d, 'quarantine', 'dataset=region-data', 'year=2024', 'region-data-2024-u2.jsonl')));
    await put(path.join(d, '.duckdb-tmp', 'duckdb_temp_storage-0.tmp'));
    // Committed files stay.
    await put(path.join(d, 'parquet', 'dataset=region-data', 'year=2024', 'part-000001.parquet'));
    await put(path.join(d, 'quarantine', 'dataset=region-data', 'year=2024', 'region-data-2024-u1.jsonl'));

    // (the two journal temps go with the journal recovery; the other four are counted)
    expect(await recoverDataDir(d)).toEqual({ journals: 1, tempFiles: 4, spillFiles: 1 });
    expect(await walk(d)).toEqual([
      'parquet/dataset=region-data/year=2024/part-000001.parquet',
      'quarantine/dataset=region-data/year=2024/region-data-2024-u1.jsonl',
      'raw/eia/region-data/2024/region-data-2024-u1-p0.json.gz',
    ]);
    expect(await readFile(path.join(year, 'region-data-2024-u1-p0.json.gz'), 'utf8')).toBe('page');
    expect(await readdir(path.join(d, JOURNAL_DIR))).toEqual([]);
  });

  it('openWarehouse recovers under the lock, before the writer starts', async () => {
    const d = dataDir();
    const tmp = await put(tempPathFor(journalPath(d, 'raw-', 'region-data-2024-u9')));
    const w = await openWarehouse(d);
    await w.close();
    expect((await walk(d)).filter((f) => f.startsWith(JOURNAL_DIR) || f.endsWith('.tmp'))).toEqual([]);
    expect(path.basename(tmp)).toMatch(/^\.raw-region-data-2024-u9\.json\.[0-9a-f]+\.tmp$/);
  });
});
