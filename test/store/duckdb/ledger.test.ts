/** The ledger's open units, read back by the warehouse and read-only; re-fetch counts; warehouses from before `open`. */
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { HOUR_MS } from '../../../src/core/time.js';
import { readLedger } from '../../../src/store/duckdb/ledger.js';
import { openWarehouse, WAREHOUSE_FILE } from '../../../src/pipelines/warehouse.js';
import { fixtureUnit, fixtureUnitBatches, useTempDir, writeUnit } from '../../support/sink-contract.js';

describe('the ledger', () => {
  const dataDir = useTempDir('eia-ledger-');

  it('records an open unit with its frontier; it is not done until closed; read-only reading agrees', async () => {
    const w = await openWarehouse(dataDir());
    const base = fixtureUnit(0);
    const frontierMs = base.endMs + 5 * HOUR_MS;
    const open = { ...base, open: true, frontierMs };
    const closed = fixtureUnit(1);
    await writeUnit(w.sink, fixtureUnitBatches(open, 2, 4));
    await writeUnit(w.sink, fixtureUnitBatches(closed, 1, 4));
    expect([...(await w.completedUnitIds())]).toEqual([closed.id]);
    const ledger = await w.ledger();
    expect(ledger.get(open.id)).toEqual({
      id: open.id, dataset: 'region-data', facets: open.facets, startMs: open.startMs, endMs: open.endMs, pages: 2, rows: 10, open: true, frontierMs,
    });
    expect(ledger.get(closed.id)).toMatchObject({ open: false, frontierMs: null, pages: 1 });
    await w.close();
    expect(await readLedger(path.join(dataDir(), WAREHOUSE_FILE))).toEqual(ledger);

    const again = await openWarehouse(dataDir());
    await again.closeUnits([open.id]);
    expect([...(await again.completedUnitIds())].sort()).toEqual([open.id, closed.id].sort());
    await again.close();
  });

  it('counts re-fetched keys, and of them the changed ones, when a unit is fetched again', async () => {
    const w = await openWarehouse(dataDir());
    const unit = fixtureUnit(2);
    await writeUnit(w.sink, fixtureUnitBatches(unit, 2, 10, (i) => i));
    expect(w.sink.stats()).toMatchObject({ rowsLoaded: 20, rowsExisting: 0, revisions: 0 });
    // Again, with 5 more rows and two values changed.
    await writeUnit(w.sink, fixtureUnitBatches(unit, 5, 5, (i) => (i === 3 ? 333 : i === 7 ? null : i)));
    expect(w.sink.stats()).toMatchObject({ rowsLoaded: 45, rowsExisting: 20, revisions: 2 });
    await w.close();
  });

  it('a warehouse written before the open/frontier columns gains them and reads its units as closed', async () => {
    const file = path.join(dataDir(), WAREHOUSE_FILE);
    const db = await DuckDBInstance.create(file);
    const c = await db.connect();
    await c.run(`CREATE TABLE units (unit_id VARCHAR PRIMARY KEY, dataset VARCHAR NOT NULL, facets JSON, window_start TIMESTAMPTZ NOT NULL,
      window_end TIMESTAMPTZ NOT NULL, year INTEGER, total BIGINT, rows BIGINT, pages INTEGER, records BIGINT, quarantined BIGINT,
      committed_at TIMESTAMPTZ NOT NULL)`);
    await c.run(`INSERT INTO units VALUES ('old', 'region-data', '{"respondent":["PACW"]}', '2024-01-01 00:00:00+00', '2024-02-01 00:00:00+00',
      2024, 744, 744, 1, 744, 0, '2024-03-01 00:00:00+00')`);
    c.closeSync();
    db.closeSync();
    expect((await readLedger(file))!.get('old')).toMatchObject({ open: false, frontierMs: null, rows: 744 });
    const w = await openWarehouse(dataDir());
    expect([...(await w.completedUnitIds())]).toEqual(['old']);
    expect((await w.ledger()).get('old')).toMatchObject({ open: false, startMs: Date.UTC(2024, 0, 1), endMs: Date.UTC(2024, 1, 1) });
    await w.close();
  });
});
