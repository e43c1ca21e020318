/**
 * Stages the normalized records of open units in DuckDB temp tables, fast, for the Parquet and DuckDB sinks.
 *
 * Strings cost the most to hand to DuckDB (one native call each), and a page repeats the same few: so each row is
 * appended as numbers only — (seq, respondent-dim, series-dim, period ms, value, flags, page-dim) — through
 * DuckDB data chunks of 2,048 rows, and the strings go once into three small dimension tables
 * (dataset+respondent+respondent_name, series+series_name+units, source_page+ingested_at). `materialize` joins
 * them back in SQL, on DuckDB's threads, into a decoded temp table with the observation columns, keeping the
 * last copy of a repeated key. A null `value` is staged as NaN (a MWh figure is never NaN).
 *
 * Temp tables live in the connection's in-memory `temp` catalog (spilling under `memory_limit`), never in the
 * warehouse file. One stage per connection; not safe for concurrent calls on the same unit.
 */
import {
  DOUBLE,
  DuckDBDataChunk,
  INTEGER,
  type DuckDBAppender,
  type DuckDBConnection,
  type DuckDBDoubleVector,
  type DuckDBIntegerVector,
} from '@duckdb/node-api';
import type { ObservationRecord } from '../core/contracts.js';

/** Observation columns in order (Parquet file and `observations` table). */
export const OBSERVATION_COLUMNS = [
  'dataset',
  'respondent',
  'respondent_name',
  'series',
  'series_name',
  'period',
  'value',
  'units',
  'flags',
  'source_page',
  'ingested_at',
] as const;

/** `OBSERVATION_COLUMNS` as a SQL select list. */
export const OBSERVATION_SELECT = OBSERVATION_COLUMNS.join(', ');

const CHUNK_ROWS = 2048;
const STAGE_TYPES = [INTEGER, INTEGER, INTEGER, DOUBLE, DOUBLE, INTEGER, INTEGER];

/** A unit's decoded rows: temp table `table` (observation columns + `seq`), `rows` rows, keys unique. */
export interface MaterializedUnit {
  readonly table: string;
  readonly rows: number;
  /** Rows dropped because a later copy of the same key was staged. */
  readonly duplicates: number;
}

/** Staging of records per unit; see the module comment. */
export interface RecordStage {
  /** Append one page's records to the unit's stage (synchronous work on this thread, then a flush). */
  append(unitId: string, records: readonly ObservationRecord[]): Promise<void>;
  /** Rows staged so far for the unit. */
  stagedRows(unitId: string): number;
  /** Build the unit's decoded, de-duplicated temp table (empty table when nothing was staged). */
  materialize(unitId: string): Promise<MaterializedUnit>;
  /** Drop everything staged or materialized for the unit (idempotent). */
  drop(unitId: string): Promise<void>;
  /** Drop every unit. */
  dropAll(): Promise<void>;
}

interface UnitStage {
  table: string;
  appender: DuckDBAppender | null;
  rows: number;
  materialized: string | null;
}

/** Three strings (or two strings and a number) → small integer id, with a last-hit cache for runs of equal keys. */
class Dim {
  private readonly map = new Map<string, Map<string | number, Map<string | number, number>>>();
  private lastA: unknown;
  private lastB: unknown;
  private lastC: unknown;
  private lastId = -1;
  /** Entries not yet appended to the dimension table. */
  pending: [number, string, string | number, string | number][] = [];
  size = 0;

  id(a: string, b: string | number, c: string | number): number {
    if (a === this.lastA && b === this.lastB && c === this.lastC) return this.lastId;
    let mb = this.map.get(a);
    if (!mb) this.map.set(a, (mb = new Map()));
    let mc = mb.get(b);
    if (!mc) mb.set(b, (mc = new Map()));
    let id = mc.get(c);
    if (id === undefined) {
      id = this.size++;
      mc.set(c, id);
      this.pending.push([id, a, b, c]);
    }
    this.lastA = a;
    this.lastB = b;
    this.lastC = c;
    this.lastId = id;
    return id;
  }
}

/**
 * Create a stage on `conn`. `prefix` names its temp tables (`<prefix>_rdim`, `<prefix>_u<n>`, …) so several stages
 * can share a connection's temp catalog.
 */
export async function createRecordStage(conn: DuckDBConnection, prefix: string): Promise<RecordStage> {
  const rdimT = `${prefix}_rdim`;
  const sdimT = `${prefix}_sdim`;
  const pdimT = `${prefix}_pdim`;
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${rdimT} (id INTEGER, dataset VARCHAR, respondent VARCHAR, respondent_name VARCHAR)`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${sdimT} (id INTEGER, series VARCHAR, series_name VARCHAR, units VARCHAR)`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${pdimT} (id INTEGER, source_page VARCHAR, ingested_at DOUBLE)`);
  const rdim = new Dim();
  const sdim = new Dim();
  const pdim = new Dim();
  const units = new Map<string, UnitStage>();
  let tableNo = 0;
  let seq = 0;
  const chunk = DuckDBDataChunk.create(STAGE_TYPES, CHUNK_ROWS);

  async function flushDims(): Promise<void> {
    for (const [dim, table, numericC] of [
      [rdim, rdimT, false],
      [sdim, sdimT, false],
      [pdim, pdimT, true],
    ] as const) {
      if (dim.pending.length === 0) continue;
      const a = await conn.createAppender(table, 'main', 'temp');
      for (const [id, x, y, z] of dim.pending) {
        a.appendInteger(id);
        a.appendVarchar(x);
        if (numericC) {
          a.appendDouble(y as number);
        } else {
          a.appendVarchar(y as string);
          a.appendVarchar(z as string);
        }
        a.endRow();
      }
      a.closeSync();
      dim.pending = [];
    }
  }

  async function unitStage(unitId: string): Promise<UnitStage> {
    let u = units.get(unitId);
    if (!u) {
      const table = `${prefix}_u${tableNo++}`;
      await conn.run(
        `CREATE TEMP TABLE ${table} (seq INTEGER, rdim INTEGER, sdim INTEGER, period DOUBLE, value DOUBLE, flags INTEGER, pdim INTEGER)`,
      );
      u = { table, appender: await conn.createAppender(table, 'main', 'temp'), rows: 0, materialized: null };
      units.set(unitId, u);
    }
    return u;
  }

  function fill(records: readonly ObservationRecord[], from: number, n: number): void {
    chunk.reset();
    chunk.rowCount = n;
    const vSeq = chunk.getColumnVector(0) as DuckDBIntegerVector;
    const vR = chunk.getColumnVector(1) as DuckDBIntegerVector;
    const vS = chunk.getColumnVector(2) as DuckDBIntegerVector;
    const vPeriod = chunk.getColumnVector(3) as DuckDBDoubleVector;
    const vValue = chunk.getColumnVector(4) as DuckDBDoubleVector;
    const vFlags = chunk.getColumnVector(5) as DuckDBIntegerVector;
    const vP = chunk.getColumnVector(6) as DuckDBIntegerVector;
    for (let i = 0; i < n; i++) {
      const r = records[from + i];
      vSeq.setItem(i, seq++);
      vR.setItem(i, rdim.id(r.dataset, r.respondent, r.respondent_name));
      vS.setItem(i, sdim.id(r.series, r.series_name, r.units));
      vPeriod.setItem(i, r.period);
      vValue.setItem(i, r.value === null ? NaN : r.value);
      vFlags.setItem(i, r.flags);
      vP.setItem(i, pdim.id(r.source_page, r.ingested_at, 0));
    }
    vSeq.flush();
    vR.flush();
    vS.flush();
    vPeriod.flush();
    vValue.flush();
    vFlags.flush();
    vP.flush();
  }

  async function dropUnit(unitId: string): Promise<void> {
    const u = units.get(unitId);
    if (!u) return;
    units.delete(unitId);
    u.appender?.closeSync();
    await conn.run(`DROP TABLE IF EXISTS temp.${u.table}`);
    if (u.materialized) await conn.run(`DROP TABLE IF EXISTS temp.${u.materialized}`);
  }

  return {
    async append(unitId, records) {
      const u = await unitStage(unitId);
      if (records.length === 0) return;
      if (!u.appender) u.appender = await conn.createAppender(u.table, 'main', 'temp');
      for (let from = 0; from < records.length; from += CHUNK_ROWS) {
        const n = Math.min(CHUNK_ROWS, records.length - from);
        fill(records, from, n);
        u.appender.appendDataChunk(chunk);
      }
      u.appender.flushSync();
      u.rows += records.length;
      u.materialized = null;
    },

    stagedRows: (unitId) => units.get(unitId)?.rows ?? 0,

    async materialize(unitId) {
      const u = await unitStage(unitId);
      u.appender?.closeSync();
      u.appender = null;
      await flushDims();
      const out = `${u.table}_cur`;
      const decode = (dedupe: boolean) => `CREATE OR REPLACE TEMP TABLE ${out} AS
        SELECT r.dataset, r.respondent, r.respondent_name, s.series, s.series_name,
          make_timestamp(CAST(t.period AS BIGINT) * 1000) AT TIME ZONE 'UTC' AS period,
          CASE WHEN isnan(t.value) THEN NULL ELSE t.value END AS value,
          s.units, t.flags, p.source_page,
          make_timestamp(CAST(p.ingested_at AS BIGINT) * 1000) AT TIME ZONE 'UTC' AS ingested_at,
          t.seq
        FROM temp.${u.table} t
          JOIN temp.${rdimT} r ON r.id = t.rdim
          JOIN temp.${sdimT} s ON s.id = t.sdim
          JOIN temp.${pdimT} p ON p.id = t.pdim
        ${dedupe ? 'QUALIFY row_number() OVER (PARTITION BY r.dataset, r.respondent, s.series, t.period ORDER BY t.seq DESC) = 1' : ''}`;
      await conn.run(decode(false));
      const check = await conn.runAndReadAll(
        `SELECT count(*)::INTEGER AS n, count(DISTINCT (dataset, respondent, series, period))::INTEGER AS k FROM temp.${out}`,
      );
      const [n, k] = check.getRows()[0] as [number, number];
      if (k < n) await conn.run(decode(true));
      u.materialized = out;
      return { table: `temp.${out}`, rows: k, duplicates: n - k };
    },

    drop: dropUnit,

    async dropAll() {
      for (const id of [...units.keys()]) await dropUnit(id);
    },
  };
}
