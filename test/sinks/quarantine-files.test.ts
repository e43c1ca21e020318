import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { QuarantineRecord } from '../../src/core/contracts.js';
import { createQuarantineFilesSink, quarantineFile, toJsonl } from '../../src/sinks/quarantine-files.js';
import { fixtureBatch, fixtureUnit, fixtureUnitBatches, testSink, useTempDir, writeUnit } from '../support/sink-contract.js';

async function readAll(dataDir: string): Promise<QuarantineRecord[]> {
  const out: QuarantineRecord[] = [];
  const root = path.join(dataDir, 'quarantine');
  for (const ds of await readdir(root).catch(() => [] as string[])) {
    for (const y of await readdir(path.join(root, ds))) {
      for (const f of await readdir(path.join(root, ds, y))) {
        if (!f.endsWith('.jsonl')) continue;
        const text = await readFile(path.join(root, ds, y, f), 'utf8');
        out.push(...text.trimEnd().split('\n').map((l) => JSON.parse(l) as QuarantineRecord));
      }
    }
  }
  return out;
}

testSink('quarantine-files', async (dataDir) => ({
  sink: createQuarantineFilesSink({ dataDir, fsync: false }),
  persisted: async () => (await readAll(dataDir)).map((q) => `${q.source_page}#${q.row_index}:${q.detail}`),
  idsOf: (batches) => batches.flatMap((b) => b.quarantined.map((q) => `${q.source_page}#${q.row_index}:${q.detail}`)),
}));

describe('quarantine files', () => {
  const dataDir = useTempDir();

  it('writes one JSONL per unit at quarantine/dataset=<route>/year=<YYYY>/<unit-id>.jsonl, pages in offset order', async () => {
    const sink = createQuarantineFilesSink({ dataDir: dataDir(), fsync: false });
    const unit = fixtureUnit(0);
    const [b0, b1] = fixtureUnitBatches(unit, 2, 3);
    await sink.write(b1);
    await sink.write(b0);
    await sink.commitUnit({ kind: 'unit-end', unit, total: 8, pages: 2, rowsReceived: 8 });
    const file = quarantineFile(dataDir(), 'region-data', 2024, unit.id);
    expect(path.relative(dataDir(), file)).toBe(`quarantine/dataset=region-data/year=2024/${unit.id}.jsonl`);
    expect(await readFile(file, 'utf8')).toBe(toJsonl([...b0.quarantined, ...b1.quarantined]));
  });

  it('a re-run without rejected rows removes the earlier file', async () => {
    const sink = createQuarantineFilesSink({ dataDir: dataDir(), fsync: false });
    const unit = fixtureUnit(1);
    await writeUnit(sink, fixtureUnitBatches(unit, 1, 2));
    await writeUnit(sink, [fixtureBatch(unit, 0, [], { quarantined: 0 })]);
    expect(await readAll(dataDir())).toEqual([]);
  });
});
