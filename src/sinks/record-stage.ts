/**
 * Stages the normalized records of open units in DuckDB, fast, for the Parquet and DuckDB sinks.
 *
 * Strings cost the most to hand to DuckDB (one native call each, then compression), and a page repeats the same
 * few. So every text column is replaced by an integer id from a string dictionary, and each row is appended as
 * numbers only — (seq, dataset, respondent, respondent_name, series, series_name, period ms, value, units, flags,
 * source_page, ingested_at ms) — through DuckDB data chunks of 2,048 rows. New strings go once into the dictionary
 * table (`id INTEGER, s VARCHAR`). A null `value` is staged as NaN (a MWh figure is never NaN).
 *
 * The dictionary is either private (a temp table: the Parquet sink decodes with joins) or the warehouse's
 * persistent `strings` table (the DuckDB sink stores the ids as they are). Stage tables live in the connection's
 * in-memory `temp` catalog (spilling under `memory_limit`), never in the warehouse file.
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

/** Observation columns in order (Parquet file and `observations`). */
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

/** Text columns (stored as dictionary ids). */
export const TEXT_COLUMNS = ['dataset', 'respondent', 'respondent_name', 'series', 'series_name', 'units', 'source_page'] as const;

const CHUNK_ROWS = 2048;
const STAGE_TYPES = [INTEGER, INTEGER, INTEGER, INTEGER, INTEGER, INTEGER, DOUBLE, DOUBLE, INTEGER, INTEGER, INTEGER, DOUBLE];

/**
 * epoch-ms DOUBLE column → TIMESTAMPTZ, independent of the session time zone. `to_timestamp` (epoch seconds) is
 * ~14× cheaper than `make_timestamp(…) AT TIME ZONE 'UTC'` (ICU per row) and exact to the microsecond for whole
 * milliseconds (checked over 1M consecutive values).
 */
export const msToTimestamptz = (col: string) => `to_timestamp(${col} / 1000.0)`;

/** A unit's staged rows, ready to read. */
export interface StagedUnit {
  /**
   * A view with the observation columns, text as dictionary ids, `period`/`ingested_at` as TIMESTAMPTZ, `value`
   * NULL for missing; one row per key (the last staged copy wins).
   */
  readonly ids: string;
  /** The same rows with text decoded (joins on the dictionary). */
  readonly decoded: string;
  readonly rows: number;
  /** Rows dropped because a later copy of the same key was staged. */
  readonly duplicates: number;
  /** Rows staged per (dataset, UTC year of period), `dataset|year` → rows (before de-duplication). */
  readonly partitions: ReadonlyMap<string, number>;
  /** Smallest and largest staged `period` (epoch ms); `minPeriod > maxPeriod` when nothing is staged. */
  readonly minPeriod: number;
  readonly maxPeriod: number;
}

/** Where the string dictionary lives. */
export interface DictionaryOptions {
  /** Qualified table `(id INTEGER, s VARCHAR)`, e.g. `main.strings`. Default: a private temp table. */
  table?: string;
  /** Entries already in `table` (string → id). */
  initial?: ReadonlyMap<string, number>;
}

/** Staging of records per unit; see the module comment. */
export interface RecordStage {
  /** Qualified name of the dictionary table. */
  readonly dictionary: string;
  /** Append one page's records to the unit's stage. */
  append(unitId: string, records: readonly ObservationRecord[]): Promise<void>;
  /** Rows staged so far for the unit. */
  stagedRows(unitId: string): number;
  /** Write new dictionary entries (call inside the transaction that uses them for a persistent dictionary). */
  flushDictionary(): Promise<void>;
  /** Close the unit's appender and define its views; flushes the dictionary when it is private. */
  seal(unitId: string): Promise<StagedUnit>;
  /** Drop everything staged for the unit (idempotent). */
  drop(unitId: string): Promise<void>;
  /** Drop every unit. */
  dropAll(): Promise<void>;
}

interface UnitStage {
  table: string;
  appender: DuckDBAppender | null;
  rows: number;
  partitions: Map<string, number>;
  /** Partition of the previous row: dataset, year bounds [lo, hi), key `dataset|year`. */
  ds: string;
  lo: number;
  hi: number;
  key: string;
  minPeriod: number;
  maxPeriod: number;
}

/**
 * Create a stage on `conn`. `prefix` names its temp tables (`<prefix>_u<n>`, `<prefix>_dict`) so several stages can
 * share a connection's temp catalog.
 */
export async function createRecordStage(conn: DuckDBConnection, prefix: string, dict: DictionaryOptions = {}): Promise<RecordStage> {
  const persistent = dict.table !== undefined;
  const dictTable = dict.table ?? `temp.${prefix}_dict`;
  if (!persistent) await conn.run(`CREATE OR REPLACE TEMP TABLE ${prefix}_dict (id INTEGER, s VARCHAR)`);
  const ids = new Map<string, number>(dict.initial ?? []);
  let nextId = Math.max(-1, ...ids.values()) + 1;
  let pending: [number, string][] = [];
  const lastS: (string | undefined)[] = new Array(TEXT_COLUMNS.length);
  const lastId: number[] = new Array(TEXT_COLUMNS.length).fill(-1);
  const units = new Map<string, UnitStage>();
  let tableNo = 0;
  let seq = 0;
  const chunk = DuckDBDataChunk.create(STAGE_TYPES, CHUNK_ROWS);

  /** Dictionary id of `s` in text column slot `c` (a per-column last-hit cache first: pages repeat values). */
  const idOf = (c: number, s: string): number => {
    if (s === lastS[c]) return lastId[c];
    let id = ids.get(s);
    if (id === undefined) {
      id = nextId++;
      ids.set(s, id);
      pending.push([id, s]);
    }
    lastS[c] = s;
    lastId[c] = id;
    return id;
  };

  async function flushDictionary(): Promise<void> {
    if (pending.length === 0) return;
    const [schema, table] = dictTable.startsWith('temp.') ? ['main', dictTable.slice(5)] : dictTable.split('.');
    const a = await conn.createAppender(table, schema, dictTable.startsWith('temp.') ? 'temp' : null);
    for (const [id, s] of pending) {
      a.appendInteger(id);
      a.appendVarchar(s);
      a.endRow();
    }
    a.closeSync();
    pending = [];
  }

  async function unitStage(unitId: string): Promise<UnitStage> {
    let u = units.get(unitId);
    if (!u) {
      const table = `${prefix}_u${tableNo++}`;
      await conn.run(
        `CREATE TEMP TABLE ${table} (seq INTEGER, dataset INTEGER, respondent INTEGER, respondent_name INTEGER, series INTEGER,
           series_name INTEGER, period DOUBLE, value DOUBLE, units INTEGER, flags INTEGER, source_page INTEGER, ingested_at DOUBLE)`,
      );
      u = { table, appender: null, rows: 0, partitions: new Map(), ds: '', lo: 0, hi: -1, key: '', minPeriod: Infinity, maxPeriod: -Infinity };
      units.set(unitId, u);
    }
    return u;
  }

  function fill(u: UnitStage, records: readonly ObservationRecord[], from: number, n: number): void {
    chunk.reset();
    chunk.rowCount = n;
    const v = STAGE_TYPES.map((_, i) => chunk.getColumnVector(i)) as (DuckDBIntegerVector | DuckDBDoubleVector)[];
    let run = 0;
    let min = u.minPeriod;
    let max = u.maxPeriod;
    for (let i = 0; i < n; i++) {
      const r = records[from + i];
      if (r.period < min) min = r.period;
      if (r.period > max) max = r.period;
      if (r.period < u.lo || r.period >= u.hi || r.dataset !== u.ds) {
        if (run > 0) u.partitions.set(u.key, (u.partitions.get(u.key) ?? 0) + run);
        run = 0;
        const y = new Date(r.period).getUTCFullYear();
        u.ds = r.dataset;
        u.lo = Date.UTC(y, 0, 1);
        u.hi = Date.UTC(y + 1, 0, 1);
        u.key = `${r.dataset}|${y}`;
      }
      run++;
      v[0].setItem(i, seq++);
      v[1].setItem(i, idOf(0, r.dataset));
      v[2].setItem(i, idOf(1, r.respondent));
      v[3].setItem(i, idOf(2, r.respondent_name));
      v[4].setItem(i, idOf(3, r.series));
      v[5].setItem(i, idOf(4, r.series_name));
      v[6].setItem(i, r.period);
      v[7].setItem(i, r.value === null ? NaN : r.value);
      v[8].setItem(i, idOf(5, r.units));
      v[9].setItem(i, r.flags);
      v[10].setItem(i, idOf(6, r.source_page));
      v[11].setItem(i, r.ingested_at);
    }
    if (run > 0) u.partitions.set(u.key, (u.partitions.get(u.key) ?? 0) + run);
    u.minPeriod = min;
    u.maxPeriod = max;
    for (const x of v) x.flush();
  }

  async function dropUnit(unitId: string): Promise<void> {
    const u = units.get(unitId);
    if (!u) return;
    units.delete(unitId);
    u.appender?.closeSync();
    await conn.run(`DROP VIEW IF EXISTS temp.${u.table}_dec`);
    await conn.run(`DROP VIEW IF EXISTS temp.${u.table}_ids`);
    await conn.run(`DROP TABLE IF EXISTS temp.${u.table}`);
  }

  return {
    dictionary: dictTable,
    flushDictionary,

    async append(unitId, records) {
      const u = await unitStage(unitId);
      if (records.length === 0) return;
      u.appender ??= await conn.createAppender(u.table, 'main', 'temp');
      for (let from = 0; from < records.length; from += CHUNK_ROWS) {
        const n = Math.min(CHUNK_ROWS, records.length - from);
        fill(u, records, from, n);
        u.appender.appendDataChunk(chunk);
      }
      u.appender.flushSync();
      u.rows += records.length;
    },

    stagedRows: (unitId) => units.get(unitId)?.rows ?? 0,

    async seal(unitId) {
      const u = await unitStage(unitId);
      u.appender?.closeSync();
      u.appender = null;
      if (!persistent) await flushDictionary();
      const [[n, k]] = (
        await conn.runAndReadAll(
          `SELECT count(*)::INTEGER, count(DISTINCT (dataset, respondent, series, period))::INTEGER FROM temp.${u.table}`,
        )
      ).getRows() as [number, number][];
      const idsView = `temp.${u.table}_ids`;
      await conn.run(`CREATE OR REPLACE TEMP VIEW ${u.table}_ids AS
        SELECT dataset, respondent, respondent_name, series, series_name, ${msToTimestamptz('period')} AS period,
          CASE WHEN isnan(value) THEN NULL ELSE value END AS value, units, flags, source_page,
          ${msToTimestamptz('ingested_at')} AS ingested_at
        FROM temp.${u.table}
        ${k < n ? 'QUALIFY row_number() OVER (PARTITION BY dataset, respondent, series, period ORDER BY seq DESC) = 1' : ''}`);
      const join = TEXT_COLUMNS.map((c) => `JOIN ${dictTable} d_${c} ON d_${c}.id = t.${c}`).join(' ');
      await conn.run(`CREATE OR REPLACE TEMP VIEW ${u.table}_dec AS
        SELECT ${OBSERVATION_COLUMNS.map((c) => ((TEXT_COLUMNS as readonly string[]).includes(c) ? `d_${c}.s AS ${c}` : `t.${c}`)).join(', ')}
        FROM ${idsView} t ${join}`);
      return {
        ids: idsView,
        decoded: `temp.${u.table}_dec`,
        rows: k,
        duplicates: n - k,
        partitions: new Map(u.partitions),
        minPeriod: u.minPeriod,
        maxPeriod: u.maxPeriod,
      };
    },

    drop: dropUnit,

    async dropAll() {
      for (const id of [...units.keys()]) await dropUnit(id);
    },
  };
}
