import { readFile, readdir, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isEtlError } from '../../src/core/errors.js';
import { applyJournal, commitJournal, journalPath, recoverJournals } from '../../src/store/atomic-files.js';
import { createRawArchiveSink } from '../../src/sinks/raw-archive.js';
import { manifestFileName, RAW_JOURNAL_PREFIX, unitDir, type UnitManifest } from '../../src/store/raw-layout.js';
import { fixtureBatch, fixtureRecords, fixtureUnit, fixtureUnitBatches, testSink, useTempDir, writeUnit } from '../support/sink-contract.js';
import { createHash } from 'node:crypto';

/** Page ids + sha256 of every page listed by a manifest, verified against the file on disk. */
async function readArchive(dataDir: string): Promise<string[]> {
  const out: string[] = [];
  const root = path.join(dataDir, 'raw', 'eia');
  for (const ds of await readdir(root).catch(() => [])) {
    for (const y of await readdir(path.join(root, ds))) {
      const dir = path.join(root, ds, y);
      for (const f of (await readdir(dir)).filter((n) => n.endsWith('.manifest.json'))) {
        const m = JSON.parse(await readFile(path.join(dir, f), 'utf8')) as UnitManifest;
        for (const p of m.pages) {
          const body = gunzipSync(await readFile(path.join(dir, p.file)));
          expect(createHash('sha256').update(body).digest('hex')).toBe(p.sha256);
          out.push(`${p.page_id}:${p.sha256}`);
        }
      }
    }
  }
  return out;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

testSink('raw-archive', async (dataDir) => ({
  sink: createRawArchiveSink({ dataDir, fsync: false }),
  persisted: () => readArchive(dataDir),
  idsOf: (batches) => batches.map((b) => `${b.page.pageId}:${sha(b.page.body)}`),
}));

describe('raw archive files', () => {
  const dataDir = useTempDir();

  it('stores each page gzip-compressed under raw/eia/<dataset>/<YYYY>/<unit-id>-p<offset>.json.gz, byte-identical', async () => {
    const sink = createRawArchiveSink({ dataDir: dataDir(), fsync: false });
    const unit = fixtureUnit(0);
    const batches = fixtureUnitBatches(unit, 2, 5);
    await writeUnit(sink, batches);
    await sink.close();
    const dir = path.join(dataDir(), 'raw', 'eia', 'region-data', '2024');
    expect((await readdir(dir)).sort()).toEqual([`${unit.id}-p0.json.gz`, `${unit.id}-p5.json.gz`, manifestFileName(unit.id)].sort());
    expect(gunzipSync(await readFile(path.join(dir, `${unit.id}-p5.json.gz`)))).toEqual(batches[1].page.body);
  });

  it('writes a manifest with the unit and one entry per page, without the key', async () => {
    const sink = createRawArchiveSink({ dataDir: dataDir(), fsync: false, now: () => Date.UTC(2024, 11, 2) });
    const unit = fixtureUnit(1);
    const batches = fixtureUnitBatches(unit, 2, 5);
    await writeUnit(sink, batches);
    const m = JSON.parse(await readFile(path.join(unitDir(dataDir(), unit), manifestFileName(unit.id)), 'utf8')) as UnitManifest;
    expect(m.unit).toEqual({ ...unit, facets: { respondent: ['AAA', 'BBB'], type: ['D', 'NG'] } });
    expect(m.pages.map((p) => p.page_id)).toEqual([`${unit.id}-p0`, `${unit.id}-p5`]);
    const p = m.pages[1];
    expect(p).toMatchObject({ offset: 5, status: 200, latency_ms: 120, attempts: 1, rows: 6, total: batches[1].envelope.total, api_version: '2.1.8' });
    expect(p.params).toEqual({ offset: '5', length: '5000', 'facets[respondent][]': 'AAA' });
    expect(p.bytes).toBe(batches[1].page.body.length);
    expect(p.sha256).toBe(sha(batches[1].page.body));
    expect(m.committed_at).toBe('2024-12-02T00:00:00.000Z');
    expect(JSON.stringify(m)).not.toMatch(/api_key=(?!REDACTED)/);
  });

  it('refuses a body that still carries an api_key (ETL_SINK_WRITE) and writes nothing', async () => {
    const sink = createRawArchiveSink({ dataDir: dataDir(), fsync: false });
    const unit = fixtureUnit(2);
    const b = fixtureBatch(unit, 0, fixtureRecords(unit, 0, 2));
    const leaked = { ...b, page: { ...b.page, body: Buffer.from(b.page.body.toString().replace('"api_key":"REDACTED"', '"api_key": "abcDEF123"')) } };
    const e = await sink.write(leaked).then(() => null, (x: unknown) => x);
    expect(isEtlError(e, 'ETL_SINK_WRITE')).toBe(true);
    expect((e as Error).message).not.toContain('abcDEF123');
    await expect(readdir(path.join(dataDir(), 'raw'))).rejects.toThrow();
    await sink.close();
  });

  it('keeps uncommitted pages invisible: only hidden temp files until commitUnit', async () => {
    const sink = createRawArchiveSink({ dataDir: dataDir(), fsync: false });
    const unit = fixtureUnit(3);
    await sink.write(fixtureUnitBatches(unit, 1, 3)[0]);
    const names = await readdir(unitDir(dataDir(), unit));
    expect(names.every((n) => n.startsWith('.') && n.endsWith('.tmp'))).toBe(true);
    await sink.close();
    expect(await readdir(unitDir(dataDir(), unit))).toEqual([]);
  });

  it('recreates a unit directory removed between two pages (directories are created once, then remembered)', async () => {
    const sink = createRawArchiveSink({ dataDir: dataDir(), fsync: false });
    const batches = fixtureUnitBatches(fixtureUnit(7), 2, 5);
    await sink.write(batches[0]);
    const { rm } = await import('node:fs/promises');
    await rm(unitDir(dataDir(), batches[0].page.unit), { recursive: true });
    await sink.write(batches[1]);
    await sink.abortUnit(batches[0].page.unit.id);
    await writeUnit(sink, batches);
    await sink.close();
    expect((await readArchive(dataDir())).length).toBe(2);
  });

  it('a re-run with fewer pages removes the pages the earlier copy had', async () => {
    const unit = fixtureUnit(4);
    const s1 = createRawArchiveSink({ dataDir: dataDir(), fsync: false });
    await writeUnit(s1, fixtureUnitBatches(unit, 3, 4));
    await s1.close();
    const s2 = createRawArchiveSink({ dataDir: dataDir(), fsync: false });
    await writeUnit(s2, fixtureUnitBatches(unit, 1, 4));
    await s2.close();
    expect((await readdir(unitDir(dataDir(), unit))).sort()).toEqual([`${unit.id}-p0.json.gz`, manifestFileName(unit.id)]);
  });

  it('rolls an interrupted commit forward at the next start (journal written, renames not done)', async () => {
    const unit = fixtureUnit(5);
    const dir = unitDir(dataDir(), unit);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, '.a.tmp'), 'page');
    await writeFile(path.join(dir, '.m.tmp'), '{}');
    await writeFile(path.join(dir, 'stale.json.gz'), 'old');
    const ops = { renames: [[path.join(dir, '.a.tmp'), path.join(dir, 'a.json.gz')], [path.join(dir, '.m.tmp'), path.join(dir, 'm.manifest.json')]] as [string, string][], removes: [path.join(dir, 'stale.json.gz')] };
    const jf = journalPath(dataDir(), RAW_JOURNAL_PREFIX, unit.id);
    await mkdir(path.dirname(jf), { recursive: true });
    await writeFile(jf, JSON.stringify(ops));
    // half applied: first rename done before the crash
    await applyJournal(jf + '.partial', { renames: [ops.renames[0]], removes: [] }, false);
    expect(await recoverJournals(dataDir(), RAW_JOURNAL_PREFIX)).toBe(1);
    expect((await readdir(dir)).sort()).toEqual(['a.json.gz', 'm.manifest.json']);
    expect(await readdir(path.dirname(jf))).toEqual([]);
  });

  it('commitJournal applies renames then removals and deletes the journal', async () => {
    const d = dataDir();
    await writeFile(path.join(d, '.x.tmp'), 'x');
    await writeFile(path.join(d, 'old'), 'o');
    const jf = journalPath(d, 'test-', 'u');
    await commitJournal(jf, { renames: [[path.join(d, '.x.tmp'), path.join(d, 'x')]], removes: [path.join(d, 'old')] }, false);
    expect((await readdir(d)).sort()).toEqual(['.journal', 'x']);
  });
});
