/**
 * Staged records: a unit's normalized records held in JS typed arrays until the Parquet and DuckDB sinks commit
 * it, read by DuckDB through a table function. Nothing is copied into DuckDB while a unit is staged.
 *
 * `append` only writes numbers into typed arrays (tens of ns per row), so staging costs the JS thread next to
 * nothing; inserting through DuckDB's Appender would do DuckDB's insert work on the JS thread (~1.6 µs per row and
 * per sink; docs/parts/sinks.md has the profile). A commit runs SQL over `eia_stage(<scan>)`, a table function:
 * DuckDB pulls chunks of 2,048 rows on its own threads and the JS callback copies each column slice into the
 * vector with one memcpy.
 *
 * - **Text.** Each text column of a unit has a small local dictionary (the distinct strings seen in the unit, in
 *   first-seen order). A row stores the local index. A scan delivers a text column either as an `ENUM` of the
 *   dictionary, sorted by UTF-8 bytes (the order DuckDB compares VARCHARs in), or as the integer ids of a caller's
 *   global dictionary (the warehouse's `strings`). An `ENUM` column is written to Parquet as a dictionary-encoded
 *   UTF-8 string. `ORDER BY` on it is an integer sort in string order. The Parquet `COPY` of 1M rows costs
 *   ~0.65 CPU-s this way, against ~3.3 CPU-s for strings joined back from ids and sorted as strings.
 * - **Instants** are TIMESTAMPTZ (µs since the epoch) built from the epoch-ms values, so no conversion runs in SQL.
 *   **value** is a DOUBLE with a validity mask (null = missing).
 * - **One stage, several sinks.** Sinks on the same DuckDB instance share one store (`recordStoreFor`). A page
 *   written to two sinks (the same `records` array, as the fan-out does) is stored once. Each sink is a *holder*:
 *   a scan sees exactly the pages that holder appended, in order. A page's columns are freed when no holder keeps
 *   it any more (after every holder committed or aborted the unit).
 * - **Duplicates.** The last staged copy of a key wins: the scan has a `seq` column (row order), and
 *   `relation()` adds a `QUALIFY` only when `countDuplicates` found any.
 */
import { createRequire } from 'node:module';
import {
  DOUBLE,
  DuckDBTableFunction,
  ENUM,
  INTEGER,
  TIMESTAMPTZ,
  type DuckDBConnection,
  type DuckDBInstance,
  type DuckDBType,
} from '@duckdb/node-api';
import { DATASET_INFO } from '../core/catalog.js';
import type { ObservationRecord, WorkUnit } from '../core/contracts.js';
import { IntSet } from '../core/int-set.js';
import { HOUR_MS } from '../core/time.js';

// The low-level bindings node-api is built on (same version, its own dependency): `copy_data_to_vector` copies a
// typed-array slice into a vector with one memcpy.
const requireFromNodeApi = createRequire(createRequire(import.meta.url).resolve('@duckdb/node-api'));
const bindings = requireFromNodeApi('@duckdb/node-bindings') as typeof import('@duckdb/node-bindings');

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

/** Text columns, in the order of `ObservationRecord`'s text fields. */
export const TEXT_COLUMNS = ['dataset', 'respondent', 'respondent_name', 'series', 'series_name', 'units', 'source_page'] as const;
export type TextColumn = (typeof TEXT_COLUMNS)[number];
const TEXT_SLOT: Readonly<Record<string, number>> = Object.fromEntries(TEXT_COLUMNS.map((c, i) => [c, i]));
const SLOT_DATASET = TEXT_SLOT.dataset;
const SLOT_RESPONDENT = TEXT_SLOT.respondent;
const SLOT_SERIES = TEXT_SLOT.series;

/** Name of the table function registered on a connection by `RecordStore.register`. */
export const STAGE_FUNCTION = 'eia_stage';

const VECTOR_ROWS = 2048;

// ───────────────────────────── storage ─────────────────────────────

/** A local dictionary: distinct strings of one text column of one unit, in first-seen order. */
class LocalDict {
  readonly values: string[] = [];
  private readonly index = new Map<string, number>();
  private lastS: string | undefined = undefined;
  private lastI = -1;

  idOf(s: string): number {
    if (s === this.lastS) return this.lastI;
    let i = this.index.get(s);
    if (i === undefined) {
      if (typeof s !== 'string') throw new TypeError(`text value must be a string, got ${typeof s}`);
      i = this.values.length;
      this.values.push(s);
      this.index.set(s, i);
    }
    this.lastS = s;
    this.lastI = i;
    return i;
  }
}

/** One appended page of one unit (column arrays of `n` rows). */
interface Block {
  readonly n: number;
  /** Local dictionary index per text column (16 bits unless a column of the unit has more than 65,536 strings). */
  readonly text: (Uint16Array | Uint32Array)[];
  /** TIMESTAMPTZ values as DuckDB stores them: µs since the epoch, int64 little-endian as (low, high) uint32 pairs. */
  readonly period: Uint32Array<ArrayBuffer>;
  readonly ingested: Uint32Array<ArrayBuffer>;
  readonly value: Float64Array<ArrayBuffer>;
  /** Validity bits of `value` (1 = present), or null when no value is null. */
  readonly valid: Uint8Array<ArrayBuffer> | null;
  readonly flags: Int32Array<ArrayBuffer>;
  /** Rows per `dataset|year` of period (UTC). */
  readonly partitions: Map<string, number>;
  readonly minPeriod: number;
  readonly maxPeriod: number;
  readonly holders: Set<number>;
  dead: boolean;
}

/** Duplicate counts already computed for a unit, per exact list of blocks (the sinks sharing it count once). */
type DuplicateMemo = { blocks: readonly Block[]; duplicates: number }[];

interface UnitData {
  readonly dicts: LocalDict[];
  readonly duplicates: DuplicateMemo;
  blocks: Block[];
  /** The block made from a given `records` array (so a page written to several sinks is stored once). */
  readonly byRecords: WeakMap<object, Block>;
}

/** What `seal` returns: one holder's view of a unit, fixed at seal time. */
export interface StagedUnit {
  readonly unitId: string;
  /** Rows staged (before de-duplication). */
  readonly stagedRows: number;
  /** Rows staged per (dataset, UTC year of period), `dataset|year` → rows (before de-duplication). */
  readonly partitions: ReadonlyMap<string, number>;
  /** Smallest and largest staged `period` (epoch ms); `minPeriod > maxPeriod` when nothing is staged. */
  readonly minPeriod: number;
  readonly maxPeriod: number;
  /** Distinct strings of each text column (local index order). */
  readonly dictionaries: readonly (readonly string[])[];
  readonly blocks: readonly Block[];
  readonly memo: DuplicateMemo;
}

/**
 * The respondent codes a unit's copies can hold: its staged rows' and its respondent facet's (an earlier copy of
 * the same unit id had the same facets, and a source yields rows of its facets' respondents only), sorted. Null when
 * the unit names no respondent facet: then the sinks prune nothing by respondent.
 */
export function unitRespondents(unit: WorkUnit, staged: StagedUnit): string[] | null {
  const facet = unit.facets[DATASET_INFO[unit.dataset].respondentFacet];
  if (!facet?.length) return null;
  return [...new Set([...facet, ...staged.dictionaries[SLOT_RESPONDENT]])].sort();
}

// ───────────────────────────── scans ─────────────────────────────

/** How a scan delivers the text columns. */
export type TextMode =
  /** `ENUM` of the unit's strings sorted by UTF-8 bytes (ORDER BY on it is string order). */
  | { kind: 'enum' }
  /** INTEGER ids: `ids[c][local index]` for text column slot c. */
  | { kind: 'ids'; ids: readonly Int32Array[] };

type ColumnFill =
  | { kind: 'text'; slot: number; map: Int32Array; width: 1 | 2 | 4 }
  | { kind: 'ts'; field: 'period' | 'ingested' }
  | { kind: 'value' }
  | { kind: 'flags' }
  | { kind: 'seq' };

interface ScanSpec {
  readonly blocks: readonly Block[];
  readonly names: readonly string[];
  readonly types: readonly DuckDBType[];
  readonly fills: readonly ColumnFill[];
  readonly rows: number;
}

interface ScanState {
  block: number;
  offset: number;
  seq: number;
  columns: number[];
}

const scans = new Map<number, ScanSpec>();
let nextScan = 1;

const utf8Compare = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

// One scratch area for the JS → vector copies (callbacks run one at a time on the JS thread).
const scratch = new ArrayBuffer(VECTOR_ROWS * 8);
const u8 = new Uint8Array(scratch);
const u16 = new Uint16Array(scratch);
const u32 = new Uint32Array(scratch);
const i32 = new Int32Array(scratch);
const allValid = new Uint8Array(VECTOR_ROWS / 8).fill(0xff);
const TWO32 = 4294967296;
/** Microseconds per hour (staged periods are µs, as DuckDB's TIMESTAMP). */
const HOUR_US = HOUR_MS * 1000;

// Index → enum value or id, into the scratch area at the vector's width (one loop per array type: monomorphic).
function mapText16(src: Uint16Array, from: number, n: number, map: Int32Array, width: number): void {
  if (width === 1) for (let i = 0; i < n; i++) u8[i] = map[src[from + i]];
  else if (width === 2) for (let i = 0; i < n; i++) u16[i] = map[src[from + i]];
  else for (let i = 0; i < n; i++) i32[i] = map[src[from + i]];
}
function mapText32(src: Uint32Array, from: number, n: number, map: Int32Array, width: number): void {
  if (width === 1) for (let i = 0; i < n; i++) u8[i] = map[src[from + i]];
  else if (width === 2) for (let i = 0; i < n; i++) u16[i] = map[src[from + i]];
  else for (let i = 0; i < n; i++) i32[i] = map[src[from + i]];
}

/** Write epoch-ms `ms` at row `i` of `out` as int64 µs (low, high uint32 words). */
function putMicros(out: Uint32Array, i: number, ms: number): void {
  const us = Math.round(ms * 1000);
  const hi = Math.floor(us / TWO32);
  out[2 * i] = us - hi * TWO32;
  out[2 * i + 1] = hi >>> 0;
}

function fillChunk(spec: ScanSpec, st: ScanState, out: { chunk: unknown; rowCount: number }): void {
  while (st.block < spec.blocks.length && st.offset >= spec.blocks[st.block].n) {
    st.block++;
    st.offset = 0;
  }
  if (st.block >= spec.blocks.length) {
    out.rowCount = 0;
    return;
  }
  const b = spec.blocks[st.block];
  const from = st.offset;
  const n = Math.min(VECTOR_ROWS, b.n - from);
  out.rowCount = n;
  const chunk = out.chunk as Parameters<typeof bindings.data_chunk_get_vector>[0];
  for (let k = 0; k < st.columns.length; k++) {
    const f = spec.fills[st.columns[k]];
    const vec = bindings.data_chunk_get_vector(chunk, k);
    switch (f.kind) {
      case 'text': {
        const src = b.text[f.slot];
        if (src instanceof Uint16Array) mapText16(src, from, n, f.map, f.width);
        else mapText32(src, from, n, f.map, f.width);
        bindings.copy_data_to_vector(vec, 0, scratch, 0, n * f.width);
        break;
      }
      case 'ts': {
        const src = f.field === 'period' ? b.period : b.ingested;
        bindings.copy_data_to_vector(vec, 0, src.buffer, src.byteOffset + from * 8, n * 8);
        break;
      }
      case 'value': {
        bindings.copy_data_to_vector(vec, 0, b.value.buffer, b.value.byteOffset + from * 8, n * 8);
        bindings.vector_ensure_validity_writable(vec);
        const mask = b.valid ?? allValid;
        bindings.copy_data_to_vector_validity(vec, 0, mask.buffer, mask.byteOffset + (b.valid ? from / 8 : 0), Math.ceil(n / 8));
        break;
      }
      case 'flags':
        bindings.copy_data_to_vector(vec, 0, b.flags.buffer, b.flags.byteOffset + from * 4, n * 4);
        break;
      case 'seq':
        for (let i = 0; i < n; i++) i32[i] = st.seq + i;
        bindings.copy_data_to_vector(vec, 0, scratch, 0, n * 4);
        break;
    }
  }
  st.offset += n;
  st.seq += n;
}

const stageFunction = () =>
  DuckDBTableFunction.create({
    name: STAGE_FUNCTION,
    parameterTypes: [INTEGER],
    supportsProjectionPushdown: true,
    bindFunction: (info) => {
      const handle = Number(info.getParameter(0));
      const spec = scans.get(handle);
      if (!spec) {
        info.setError(`${STAGE_FUNCTION}: no open scan ${handle}`);
        return;
      }
      for (let c = 0; c < spec.names.length; c++) info.addResultColumn(spec.names[c], spec.types[c]);
      info.setBindData({ handle });
      info.setCardinality(spec.rows, true);
    },
    initFunction: (info) => {
      info.setInitData({ block: 0, offset: 0, seq: 0, columns: info.getColumnIndexes() } satisfies ScanState);
    },
    mainFunction: (info, out) => {
      try {
        const spec = scans.get((info.bindData as { handle: number }).handle);
        if (!spec) throw new Error('scan closed while running');
        fillChunk(spec, info.initData as ScanState, out);
      } catch (e) {
        out.rowCount = 0;
        info.setError(`${STAGE_FUNCTION}: ${(e as Error).message}`);
      }
    },
  });

/** An open scan of a staged unit: `sql` is a relation usable in FROM; `close` frees it. */
export interface StageScan {
  /** `eia_stage(<handle>)`: columns `OBSERVATION_COLUMNS` + `seq`. */
  readonly from: string;
  close(): void;
}

/** Open a scan of `unit` (see `TextMode`). Close it when the statements that use it are done. */
export function openScan(unit: StagedUnit, mode: TextMode): StageScan {
  const names: string[] = [];
  const types: DuckDBType[] = [];
  const fills: ColumnFill[] = [];
  for (const col of OBSERVATION_COLUMNS) {
    names.push(col);
    const slot = TEXT_SLOT[col];
    if (slot !== undefined) {
      const values = unit.dictionaries[slot];
      if (mode.kind === 'enum') {
        const order = values.map((_, i) => i).sort((a, b) => utf8Compare(values[a], values[b]));
        const rank = new Int32Array(values.length);
        order.forEach((local, r) => (rank[local] = r));
        const n = values.length;
        // An ENUM needs a member; a unit without rows references none.
        types.push(ENUM(n > 0 ? order.map((i) => values[i]) : ['']));
        fills.push({ kind: 'text', slot, map: rank, width: n < 256 ? 1 : n < 65536 ? 2 : 4 });
      } else {
        types.push(INTEGER);
        fills.push({ kind: 'text', slot, map: mode.ids[slot], width: 4 });
      }
    } else if (col === 'period' || col === 'ingested_at') {
      types.push(TIMESTAMPTZ);
      fills.push({ kind: 'ts', field: col === 'period' ? 'period' : 'ingested' });
    } else if (col === 'value') {
      types.push(DOUBLE);
      fills.push({ kind: 'value' });
    } else {
      types.push(INTEGER);
      fills.push({ kind: 'flags' });
    }
  }
  names.push('seq');
  types.push(INTEGER);
  fills.push({ kind: 'seq' });
  const handle = nextScan++;
  scans.set(handle, { blocks: unit.blocks, names, types, fills, rows: unit.stagedRows });
  return { from: `${STAGE_FUNCTION}(${handle})`, close: () => void scans.delete(handle) };
}

/**
 * The unit's rows as a parenthesized relation with `OBSERVATION_COLUMNS`, one row per key (the last staged copy
 * wins when `duplicates > 0`). `asText` casts ENUM columns to VARCHAR (for unions and comparisons with files).
 */
export function stagedRelation(scan: StageScan, duplicates: number, asText = false): string {
  const cols = OBSERVATION_COLUMNS.map((c) => (asText && TEXT_SLOT[c] !== undefined ? `${c}::VARCHAR AS ${c}` : c)).join(', ');
  const dedup = duplicates > 0 ? ' QUALIFY row_number() OVER (PARTITION BY dataset, respondent, series, period ORDER BY seq DESC) = 1' : '';
  return `(SELECT ${cols} FROM ${scan.from}${dedup})`;
}

/**
 * Rows of the unit whose key (dataset, respondent, series, period) a later staged row repeats (0 in the normal
 * flow: keys are unique per unit). Counted once per list of blocks (the sinks sharing a unit count once).
 *
 * Counted in JS over the staged columns, not by a DuckDB `count(DISTINCT …)`: that aggregate needed 30–48 MB of
 * DuckDB memory for a 150k-row unit (the largest allocation of a first-load commit), against well under 1 MB
 * here (a bitmap of the unit's hours per series). Keys: facet codes as the unit's local dictionary indexes,
 * period as epoch hours (whole hours in the bitmap; any other value, exactly, in a Set).
 */
export function countDuplicates(unit: StagedUnit): number {
  if (unit.stagedRows < 2) return 0;
  const same = (a: readonly Block[]) => a.length === unit.blocks.length && a.every((b, i) => b === unit.blocks[i]);
  const known = unit.memo.find((m) => same(m.blocks));
  if (known) return known.duplicates;
  const [nd, nr, ns] = [SLOT_DATASET, SLOT_RESPONDENT, SLOT_SERIES].map((slot) => Math.max(1, unit.dictionaries[slot].length));
  const numericCombo = nd * nr * ns < 2 ** 30;
  // Each key's hours go to a bitmap over the unit's staged period range (1 bit per hour).
  const firstHour = Math.floor(unit.minPeriod / HOUR_MS);
  const span = unit.minPeriod <= unit.maxPeriod ? Math.floor(unit.maxPeriod / HOUR_MS) - firstHour + 1 : 0;
  const seen = new Map<number | string, IntSet>();
  let duplicates = 0;
  for (const b of unit.blocks) {
    const ds = b.text[SLOT_DATASET];
    const rs = b.text[SLOT_RESPONDENT];
    const se = b.text[SLOT_SERIES];
    const period = b.period;
    for (let i = 0; i < b.n; i++) {
      const combo = numericCombo ? (ds[i] * ns + se[i]) * nr + rs[i] : `${ds[i]}|${se[i]}|${rs[i]}`;
      const hour = (period[2 * i] + period[2 * i + 1] * TWO32) / HOUR_US;
      let hours = seen.get(combo);
      if (!hours) seen.set(combo, (hours = new IntSet(firstHour, span)));
      if (!hours.add(hour)) duplicates++;
    }
  }
  unit.memo.push({ blocks: unit.blocks, duplicates });
  return duplicates;
}

// ───────────────────────────── the store ─────────────────────────────

/** Staged records of open units, shared by the sinks (holders) of one DuckDB instance. */
export interface RecordStore {
  /** A new holder id (one per sink). */
  holder(): number;
  /** Register the `eia_stage` table function on `conn` (once per connection). */
  register(conn: DuckDBConnection): void;
  /** Stage one page's records for `holder` (synchronous; the same `records` array is stored once). */
  append(holder: number, unitId: string, records: readonly ObservationRecord[]): void;
  /** Rows `holder` staged for the unit. */
  stagedRows(holder: number, unitId: string): number;
  /** `holder`'s view of the unit (its pages, in order). The unit stays staged until `release`. */
  seal(holder: number, unitId: string): StagedUnit;
  /** `holder` drops the unit (after commit or abort); pages no holder keeps are freed. */
  release(holder: number, unitId: string): void;
  /** `holder` drops every unit. */
  releaseAll(holder: number): void;
  /** Units and rows held (for tests and memory checks). */
  size(): { units: number; rows: number };
}

/** A new, private store. */
export function createRecordStore(): RecordStore {
  const units = new Map<string, UnitData>();
  const registered = new WeakSet<DuckDBConnection>();
  let holders = 0;

  const blocksOf = (holder: number, unitId: string) => (units.get(unitId)?.blocks ?? []).filter((b) => b.holders.has(holder));

  function makeBlock(u: UnitData, holder: number, records: readonly ObservationRecord[]): Block {
    const n = records.length;
    // One allocation per page for all its columns (views into it), 8-byte aligned.
    const validBytes = Math.ceil(n / 8) + 8;
    const r8 = (bytes: number) => Math.ceil(bytes / 8) * 8;
    const buf = new ArrayBuffer(3 * 8 * n + r8(4 * n) + TEXT_COLUMNS.length * r8(2 * n) + r8(validBytes));
    let at = 0;
    const view = <T>(make: (b: ArrayBuffer, offset: number, length: number) => T, length: number, bytes: number): T => {
      const v = make(buf, at, length);
      at += r8(bytes);
      return v;
    };
    const value = view((b, o, l) => new Float64Array(b, o, l), n, 8 * n);
    const period = view((b, o, l) => new Uint32Array(b, o, l), 2 * n, 8 * n);
    const ingested = view((b, o, l) => new Uint32Array(b, o, l), 2 * n, 8 * n);
    const flags = view((b, o, l) => new Int32Array(b, o, l), n, 4 * n);
    const text: (Uint16Array | Uint32Array)[] = TEXT_COLUMNS.map(() => view((b, o, l) => new Uint16Array(b, o, l), n, 2 * n));
    const validBits = view((b, o, l) => new Uint8Array(b, o, l), validBytes, validBytes);
    let valid: Uint8Array<ArrayBuffer> | null = null;
    let lastIngested = NaN;
    let ingestedLo = 0;
    let ingestedHi = 0;
    const partitions = new Map<string, number>();
    const [dDataset, dResp, dRespName, dSeries, dSeriesName, dUnits, dPage] = u.dicts;
    const [tDataset, tResp, tRespName, tSeries, tSeriesName, tUnits, tPage] = text;
    let min = Infinity;
    let max = -Infinity;
    // Partition of the previous row: dataset, year bounds [lo, hi), key `dataset|year`.
    let ds = '';
    let lo = 0;
    let hi = -1;
    let key = '';
    let run = 0;
    for (let i = 0; i < n; i++) {
      const r = records[i];
      const p = r.period;
      if (p < min) min = p;
      if (p > max) max = p;
      if (p < lo || p >= hi || r.dataset !== ds) {
        if (run > 0) partitions.set(key, (partitions.get(key) ?? 0) + run);
        run = 0;
        const y = new Date(p).getUTCFullYear();
        ds = r.dataset;
        lo = Date.UTC(y, 0, 1);
        hi = Date.UTC(y + 1, 0, 1);
        key = `${r.dataset}|${y}`;
      }
      run++;
      tDataset[i] = dDataset.idOf(r.dataset);
      tResp[i] = dResp.idOf(r.respondent);
      tRespName[i] = dRespName.idOf(r.respondent_name);
      tSeries[i] = dSeries.idOf(r.series);
      tSeriesName[i] = dSeriesName.idOf(r.series_name);
      tUnits[i] = dUnits.idOf(r.units);
      tPage[i] = dPage.idOf(r.source_page);
      putMicros(period, i, p);
      // ingested_at is the run's start: the same for every row, converted once.
      if (r.ingested_at !== lastIngested) {
        lastIngested = r.ingested_at;
        putMicros(ingested, i, lastIngested);
        ingestedLo = ingested[2 * i];
        ingestedHi = ingested[2 * i + 1];
      } else {
        ingested[2 * i] = ingestedLo;
        ingested[2 * i + 1] = ingestedHi;
      }
      flags[i] = r.flags;
      if (r.value === null) {
        valid ??= validBits.fill(0xff);
        valid[i >> 3] &= ~(1 << (i & 7));
        value[i] = 0;
      } else {
        value[i] = r.value;
      }
    }
    if (run > 0) partitions.set(key, (partitions.get(key) ?? 0) + run);
    // A column whose dictionary outgrew 16 bits is indexed again in 32 bits (same indexes: the dictionary is stable).
    u.dicts.forEach((d, c) => {
      if (d.values.length <= 0x10000) return;
      const wide = new Uint32Array(n);
      const field = TEXT_COLUMNS[c];
      for (let i = 0; i < n; i++) wide[i] = d.idOf(records[i][field]);
      text[c] = wide;
    });
    return { n, text, period, ingested, value, valid, flags, partitions, minPeriod: min, maxPeriod: max, holders: new Set([holder]), dead: false };
  }

  function release(holder: number, unitId: string): void {
    const u = units.get(unitId);
    if (!u) return;
    for (const b of u.blocks) {
      if (b.holders.delete(holder) && b.holders.size === 0) b.dead = true;
    }
    u.blocks = u.blocks.filter((b) => !b.dead);
    if (u.blocks.length === 0) units.delete(unitId);
  }

  return {
    holder: () => holders++,

    register(conn) {
      if (registered.has(conn)) return;
      conn.registerTableFunction(stageFunction());
      registered.add(conn);
    },

    append(holder, unitId, records) {
      let u = units.get(unitId);
      if (!u) units.set(unitId, (u = { dicts: TEXT_COLUMNS.map(() => new LocalDict()), duplicates: [], blocks: [], byRecords: new WeakMap() }));
      if (records.length === 0) return;
      const shared = u.byRecords.get(records);
      if (shared && !shared.dead && !shared.holders.has(holder)) {
        shared.holders.add(holder);
        return;
      }
      const b = makeBlock(u, holder, records);
      u.blocks.push(b);
      u.byRecords.set(records, b);
    },

    stagedRows: (holder, unitId) => blocksOf(holder, unitId).reduce((n, b) => n + b.n, 0),

    seal(holder, unitId) {
      const blocks = blocksOf(holder, unitId);
      const partitions = new Map<string, number>();
      let min = Infinity;
      let max = -Infinity;
      let rows = 0;
      for (const b of blocks) {
        rows += b.n;
        if (b.minPeriod < min) min = b.minPeriod;
        if (b.maxPeriod > max) max = b.maxPeriod;
        for (const [k, n] of b.partitions) partitions.set(k, (partitions.get(k) ?? 0) + n);
      }
      const u = units.get(unitId);
      const dicts = u?.dicts.map((d) => d.values.slice()) ?? TEXT_COLUMNS.map(() => []);
      return { unitId, stagedRows: rows, partitions, minPeriod: min, maxPeriod: max, dictionaries: dicts, blocks, memo: u?.duplicates ?? [] };
    },

    release,

    releaseAll(holder) {
      for (const id of [...units.keys()]) release(holder, id);
    },

    size() {
      let rows = 0;
      for (const u of units.values()) for (const b of u.blocks) rows += b.n;
      return { units: units.size, rows };
    },
  };
}

const shared = new WeakMap<DuckDBInstance, RecordStore>();

/** The store shared by every sink on `instance` (Parquet and DuckDB on the warehouse's instance stage once). */
export function recordStoreFor(instance: DuckDBInstance): RecordStore {
  let s = shared.get(instance);
  if (!s) shared.set(instance, (s = createRecordStore()));
  return s;
}
