import { createHash } from 'node:crypto';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { SourceItem } from '../../src/core/contracts.js';
import { isEtlError } from '../../src/core/errors.js';
import { createRawArchiveSink } from '../../src/sinks/raw-archive.js';
import { manifestFileName, unitDir } from '../../src/store/raw-layout.js';
import { parseEnvelope } from '../../src/sources/eia/envelope.js';
import { createRawArchiveSource } from '../../src/sources/raw-archive.js';
import { fixtureUnit, fixtureUnitBatches, useTempDir, writeUnit } from '../support/sink-contract.js';

async function collect(it: AsyncIterable<SourceItem>): Promise<SourceItem[]> {
  const out: SourceItem[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function archive(dataDir: string) {
  const sink = createRawArchiveSink({ dataDir, fsync: false });
  const a = fixtureUnitBatches(fixtureUnit(3), 2, 4); // written first, later window
  const b = fixtureUnitBatches(fixtureUnit(1), 3, 4);
  const c = fixtureUnitBatches({ ...fixtureUnit(0), dataset: 'fuel-type-data', id: 'fuel-type-data-2024-u0000' }, 1, 4);
  for (const u of [a, b, c]) await writeUnit(sink, u);
  await sink.close();
  return { a, b, c };
}

describe('raw archive source', () => {
  const dataDir = useTempDir();

  it('replays every page (same bytes and facts, envelope parsed from the archived body) then the unit-end, in a deterministic order', async () => {
    const { a, b, c } = await archive(dataDir());
    const items = await collect(createRawArchiveSource({ dataDir: dataDir() }).read(new AbortController().signal));
    const order = items.map((x) => (x.kind === 'page' ? x.page.pageId : `end ${x.unit.id}`));
    const ids = (bs: typeof a) => [...bs.map((x) => x.page.pageId), `end ${bs[0].page.unit.id}`];
    expect(order).toEqual([...ids(c), ...ids(b), ...ids(a)]);
    const first = items.find((x) => x.kind === 'page' && x.page.pageId === b[1].page.pageId);
    if (first?.kind !== 'page') throw new Error('missing');
    const src = b[1].page;
    expect(first.page.body.equals(src.body)).toBe(true);
    expect(first.page.envelope).toEqual(parseEnvelope(src.body));
    expect(first.page.envelope.rows.length).toBeGreaterThan(0);
    for (const x of items) if (x.kind === 'page') expect(x.page.envelope.total).toBeGreaterThan(0);
    expect(first.page).toMatchObject({ offset: src.offset, url: src.url, status: 200, latencyMs: 120, attempts: 1, fetchedAt: src.fetchedAt });
    expect(first.page.unit).toEqual(src.unit);
    const end = items.find((x) => x.kind === 'unit-end' && x.unit.id === b[0].page.unit.id);
    expect(end).toMatchObject({ total: 15, pages: 3, rowsReceived: 15 });
  });

  it('filters by dataset and year, and counts the units it will replay', async () => {
    await archive(dataDir());
    const s = createRawArchiveSource({ dataDir: dataDir(), datasets: ['fuel-type-data'] });
    expect(await s.countUnits()).toBe(1);
    expect(await createRawArchiveSource({ dataDir: dataDir(), years: [2023] }).countUnits()).toBe(0);
    expect(await createRawArchiveSource({ dataDir: dataDir() }).countUnits()).toBe(3);
  });

  it('a missing page file fails with ETL_REPLAY_INVALID naming the file', async () => {
    const { b } = await archive(dataDir());
    const file = path.join(unitDir(dataDir(), b[0].page.unit), `${b[1].page.pageId}.json.gz`);
    await rm(file);
    const e = await collect(createRawArchiveSource({ dataDir: dataDir() }).read(new AbortController().signal)).then(() => null, (x: unknown) => x);
    expect(isEtlError(e, 'ETL_REPLAY_INVALID')).toBe(true);
    expect((e as Error).message).toContain(file);
  });

  it('an altered page (sha256 differs) and a corrupt manifest fail with ETL_REPLAY_INVALID naming the file', async () => {
    const { a } = await archive(dataDir());
    const dir = unitDir(dataDir(), a[0].page.unit);
    const file = path.join(dir, `${a[0].page.pageId}.json.gz`);
    await writeFile(file, gzipSync(Buffer.from('{"tampered":true}')));
    const e = await collect(createRawArchiveSource({ dataDir: dataDir() }).read(new AbortController().signal)).then(() => null, (x: unknown) => x);
    expect(isEtlError(e, 'ETL_REPLAY_INVALID')).toBe(true);
    expect((e as Error).message).toContain(file);
    const manifest = path.join(dir, manifestFileName(a[0].page.unit.id));
    await writeFile(manifest, '{"version":1,');
    const e2 = await collect(createRawArchiveSource({ dataDir: dataDir() }).read(new AbortController().signal)).then(() => null, (x: unknown) => x);
    expect(isEtlError(e2, 'ETL_REPLAY_INVALID')).toBe(true);
    expect((e2 as Error).message).toContain(manifest);
  });

  it('a page whose body does not parse fails with the parser\'s error and the page id', async () => {
    const { b } = await archive(dataDir());
    const dir = unitDir(dataDir(), b[0].page.unit);
    const pageId = b[1].page.pageId;
    // A consistent archive (the manifest's sha256 matches) of a body that is not an envelope.
    const body = Buffer.from('{"response":');
    await writeFile(path.join(dir, `${pageId}.json.gz`), gzipSync(body));
    const manifestFile = path.join(dir, manifestFileName(b[0].page.unit.id));
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8'));
    for (const p of manifest.pages) if (p.page_id === pageId) p.sha256 = createHash('sha256').update(body).digest('hex');
    await writeFile(manifestFile, JSON.stringify(manifest));
    const got: string[] = [];
    const e = await (async () => {
      for await (const x of createRawArchiveSource({ dataDir: dataDir() }).read(new AbortController().signal)) got.push(x.kind === 'page' ? x.page.pageId : 'end');
    })().then(() => null, (x: unknown) => x);
    expect(isEtlError(e, 'ETL_BODY_MALFORMED')).toBe(true);
    expect((e as { stage: string }).stage).toBe('parse');
    expect((e as { details: Record<string, unknown> }).details.pageId).toBe(pageId);
    expect((e as Error).message).toContain(pageId);
    expect(got).toContain(b[0].page.pageId);
    expect(got).not.toContain(pageId);
  });

  it('stops with ETL_ABORTED when the signal aborts', async () => {
    await archive(dataDir());
    const ac = new AbortController();
    const got: SourceItem[] = [];
    const e = await (async () => {
      for await (const x of createRawArchiveSource({ dataDir: dataDir() }).read(ac.signal)) {
        got.push(x);
        ac.abort();
      }
    })().then(() => null, (x: unknown) => x);
    expect(isEtlError(e, 'ETL_ABORTED')).toBe(true);
    expect(got.length).toBe(1);
  });

  it('reads nothing from an empty data dir', async () => {
    expect(await collect(createRawArchiveSource({ dataDir: dataDir() }).read(new AbortController().signal))).toEqual([]);
    expect(await readdir(dataDir())).toEqual([]);
  });
});
