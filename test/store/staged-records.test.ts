import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObservationRecord } from '../../src/core/contracts.js';
import { HOUR_MS } from '../../src/core/time.js';
import { countDuplicates, createRecordStore, openScan, stagedRelation } from '../../src/store/staged-records.js';
import { fixtureRecords, fixtureUnit } from '../support/sink-contract.js';
import { seededInt } from '../support/random.js';

let db: DuckDBInstance;
let conn: DuckDBConnection;
beforeAll(async () => {
  db = await DuckDBInstance.create(':memory:', { threads: '2' });
  conn = await db.connect();
});
afterAll(() => {
  conn.closeSync();
  db.closeSync();
});

const read = async (sql: string) => (await conn.runAndReadAll(sql)).getRows();

describe('record stage (JS columns read through eia_stage)', () => {
  it('round-trips every column: text, instants (µs, before 1970 too), null values, flags; ids mode maps to given ids', async () => {
    const store = createRecordStore();
    store.register(conn);
    const h = store.holder();
    const unit = fixtureUnit(0);
    const recs: ObservationRecord[] = [
      ...fixtureRecords(unit, 0, 3, (i) => (i === 1 ? null : i + 0.25)),
      { ...fixtureRecords(unit, 3, 1)[0], period: Date.UTC(1969, 11, 31, 23), value: -1e300, flags: 63, respondent: 'Zürich', ingested_at: -1 },
    ];
    store.append(h, unit.id, recs);
    const staged = store.seal(h, unit.id);
    const scan = openScan(staged, { kind: 'enum' });
    try {
      const rows = await read(
        `SELECT dataset::VARCHAR, respondent::VARCHAR, respondent_name::VARCHAR, series::VARCHAR, series_name::VARCHAR,
           epoch_ms(period)::DOUBLE, value, units::VARCHAR, flags, source_page::VARCHAR, epoch_ms(ingested_at)::DOUBLE
         FROM ${stagedRelation(scan, 0)} ORDER BY epoch_ms(period), respondent::VARCHAR, series::VARCHAR`,
      );
      const expected = [...recs]
        .sort((a, b) => a.period - b.period || (a.respondent < b.respondent ? -1 : a.respondent > b.respondent ? 1 : 0) || (a.series < b.series ? -1 : 1))
        .map((r) => [r.dataset, r.respondent, r.respondent_name, r.series, r.series_name, r.period, r.value, r.units, r.flags, r.source_page, r.ingested_at]);
      expect(rows).toEqual(expected);
    } finally {
      scan.close();
    }
    const ids = staged.dictionaries.map((values) => Int32Array.from(values, (_, i) => 1000 + i));
    const byId = openScan(staged, { kind: 'ids', ids });
    try {
      const [[minResp, maxResp, n]] = await read(`SELECT min(respondent), max(respondent), count(*)::INTEGER FROM ${byId.from}`);
      expect([minResp, maxResp, n]).toEqual([1000, 1000 + staged.dictionaries[1].length - 1, 4]);
    } finally {
      byId.close();
    }
    store.release(h, unit.id);
    expect(store.size()).toEqual({ units: 0, rows: 0 });
  });

  it('ENUM order is UTF-8 byte order (what a VARCHAR sort gives), so ORDER BY on the stage sorts like strings', async () => {
    const store = createRecordStore();
    store.register(conn);
    const h = store.holder();
    const unit = fixtureUnit(1);
    const names = ['b', 'a', 'Z', 'é', 'ab', 'A', '', '~', 'ä', '€', '😀'];
    store.append(h, unit.id, names.map((respondent, i) => ({ ...fixtureRecords(unit, i, 1)[0], respondent, period: unit.startMs + i * HOUR_MS })));
    const scan = openScan(store.seal(h, unit.id), { kind: 'enum' });
    try {
      const viaEnum = (await read(`SELECT respondent::VARCHAR FROM ${scan.from} ORDER BY respondent`)).map(([r]) => r);
      const viaText = (await read(`SELECT respondent::VARCHAR AS r FROM ${scan.from} ORDER BY r`)).map(([r]) => r);
      expect(viaEnum).toEqual(viaText);
    } finally {
      scan.close();
    }
    store.releaseAll(h);
  });

  it('two holders share a page appended by both; each sees only its own pages; memory is freed when both released', async () => {
    const store = createRecordStore();
    store.register(conn);
    const a = store.holder();
    const b = store.holder();
    const unit = fixtureUnit(2);
    const p0 = fixtureRecords(unit, 0, 100);
    const p1 = fixtureRecords(unit, 100, 50);
    store.append(a, unit.id, p0);
    store.append(b, unit.id, p0); // same array: stored once
    store.append(a, unit.id, p1); // only a
    expect(store.size()).toEqual({ units: 1, rows: 150 });
    expect(store.stagedRows(a, unit.id)).toBe(150);
    expect(store.stagedRows(b, unit.id)).toBe(100);
    const count = async (h: number) => {
      const scan = openScan(store.seal(h, unit.id), { kind: 'enum' });
      try {
        return Number((await read(`SELECT count(*) FROM ${scan.from}`))[0][0]);
      } finally {
        scan.close();
      }
    };
    expect([await count(a), await count(b)]).toEqual([150, 100]);
    store.release(a, unit.id);
    expect(store.size()).toEqual({ units: 1, rows: 100 });
    store.release(b, unit.id);
    expect(store.size()).toEqual({ units: 0, rows: 0 });
    // After both released, appending the same array again stages it anew.
    store.append(b, unit.id, p0);
    expect(store.stagedRows(b, unit.id)).toBe(100);
    store.releaseAll(b);
  });

  it('duplicate count (JS) equals DuckDB count(DISTINCT key) on random pages: repeats within and across pages, several datasets', async () => {
    const rand = seededInt(11);
    for (let trial = 0; trial < 5; trial++) {
      const store = createRecordStore();
      store.register(conn);
      const h = store.holder();
      const unit = fixtureUnit(trial, { respondents: ['AAA', 'BBB', 'CCC'] });
      for (let p = 0; p < 4; p++) {
        const recs = fixtureRecords(unit, rand(60), 40).map((r) => ({
          ...r,
          dataset: rand(4) === 0 ? 'fuel-type-data' : r.dataset,
          // Non-whole-hour periods must stay distinct too.
          period: rand(10) === 0 ? r.period + 1 : r.period,
        }));
        store.append(h, unit.id, recs);
      }
      const staged = store.seal(h, unit.id);
      const scan = openScan(staged, { kind: 'enum' });
      try {
        const [[viaDuckDb]] = await read(`SELECT (count(*) - count(DISTINCT (dataset, respondent, series, period)))::INTEGER FROM ${scan.from}`);
        expect(countDuplicates(staged)).toBe(viaDuckDb);
        expect(viaDuckDb).toBeGreaterThan(0);
      } finally {
        scan.close();
        store.releaseAll(h);
      }
    }
  });

  it('duplicate keys: counted once per block list; the last staged copy wins', async () => {
    const store = createRecordStore();
    store.register(conn);
    const h = store.holder();
    const unit = fixtureUnit(3);
    store.append(h, unit.id, fixtureRecords(unit, 0, 10, () => 1));
    store.append(h, unit.id, fixtureRecords(unit, 5, 10, () => 2)); // rows 5..9 again
    const staged = store.seal(h, unit.id);
    expect(countDuplicates(staged)).toBe(5);
    expect(staged.memo.length).toBe(1);
    expect(countDuplicates(store.seal(h, unit.id))).toBe(5);
    expect(staged.memo.length).toBe(1);
    const scan = openScan(staged, { kind: 'enum' });
    try {
      expect(await read(`SELECT value, count(*)::INTEGER FROM ${stagedRelation(scan, 5)} GROUP BY 1 ORDER BY 1`)).toEqual([[1, 5], [2, 10]]);
    } finally {
      scan.close();
    }
    store.releaseAll(h);
  });

  it('a text column with more than 65,536 strings in a unit is indexed in 32 bits', async () => {
    const store = createRecordStore();
    store.register(conn);
    const h = store.holder();
    const unit = fixtureUnit(4);
    const recs = fixtureRecords(unit, 0, 70_000).map((r, i) => ({ ...r, source_page: `p${i}`, period: unit.startMs + i * HOUR_MS }));
    store.append(h, unit.id, recs.slice(0, 40_000));
    store.append(h, unit.id, recs.slice(40_000));
    const scan = openScan(store.seal(h, unit.id), { kind: 'enum' });
    try {
      expect(await read(`SELECT count(DISTINCT source_page)::INTEGER, max(source_page::VARCHAR), bool_and(source_page::VARCHAR = 'p' || ((epoch_ms(period) - ${unit.startMs}) // ${HOUR_MS})) FROM ${scan.from}`)).toEqual([
        [70_000, 'p9999', true],
      ]);
    } finally {
      scan.close();
    }
    store.releaseAll(h);
  });
});
