/**
 * DuckDB sink: loads units into the warehouse tables (`store/duckdb/`), on the warehouse's instance; attached to the
 * warehouse by `pipelines/warehouse.ts` (`warehouse.sink`).
 *
 * - `write` stages records in JS columns (`store/staged-records.ts`, shared with the Parquet sink on the same instance);
 *   page facts and quarantined rows wait in memory (a few per page). It never calls DuckDB, so it never waits
 *   for a commit in progress.
 * - `commitUnit` reads the staged rows through the stage's table function (text as `strings` ids).
 * - `commitUnit`, in ONE transaction: `source_copies` for keys another form of the data stored (API vs EBA.zip vs
 *   six-month CSVs, read from the stored row's page id: `core/provenance.ts`), equal or not, so copies reconcile;
 *   `revisions` for keys whose value changed (IS DISTINCT FROM); delete the
 *   rows an earlier copy of the unit wrote and the rows whose key the unit re-delivers, insert the unit's rows
 *   (the upsert); replace the unit's quarantine rows and pages; insert the ledger row in `units`. A failure rolls
 *   back: the unit is not done and earlier units are intact.
 */
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { PageBatch, QuarantineRecord, Sink, UnitEnd } from '../../core/contracts.js';
import { copySourceOf, copySourceSql } from '../../core/provenance.js';
import { serialSink } from '../serial-sink.js';
import { pageSha256 } from '../../store/page-digest.js';
import { OBSERVATION_SELECT, countDuplicates, openScan, recordStoreFor, stagedRelation, unitRespondents } from '../../store/staged-records.js';
import { sqlString, tsLiteral } from '../../store/sql.js';

interface PageRow {
  page_id: string;
  page_offset: number;
  url: string;
  status: number;
  latency_ms: number;
  attempts: number;
  bytes: number;
  sha256: string;
  rows: number;
  total: number;
  api_version: string | null;
  fetched_at: string;
}

interface Staged {
  pages: Map<string, PageRow>;
  quarantine: Map<string, readonly QuarantineRecord[]>;
}

/** Counts for the run summary. */
export interface DuckDbSinkStats {
  unitsCommitted: number;
  rowsLoaded: number;
  revisions: number;
  /** Loaded rows whose key another form of the data had stored (`source_copies` rows written). */
  copies: number;
  /** Loaded rows whose key was already stored (re-fetched); `revisions` of them changed value, the rest are unchanged. */
  rowsExisting: number;
  duplicatesDropped: number;
}

const msToTs = tsLiteral;
/**
 * A constant filter on `o.respondent` (string ids) that every stored row the commit can touch passes, or '' when
 * the unit names no respondent facet (`unitRespondents`). The joins only meet rows with a staged respondent; an
 * earlier copy of the unit wrote rows of its facets' respondents only; a code without an id was never stored. A
 * range plus a list: DuckDB skips row groups by the range's zone maps, which matters where units load one
 * respondent at a time (a bulk file's unit is one respondent's year, and without it each commit probed every
 * respondent's rows of the year).
 */
function respondentFilter(codes: readonly string[] | null, idOf: (s: string) => number | undefined): string {
  if (codes === null) return '';
  const known = codes.map(idOf).filter((id): id is number => id !== undefined).sort((a, b) => a - b);
  if (known.length === 0) return ' AND false';
  return ` AND o.respondent BETWEEN ${known[0]} AND ${known[known.length - 1]} AND o.respondent IN (${known.join(', ')})`;
}

/** Create the DuckDB sink on `instance` (its own connection). `onClose` runs once after the sink closed. */
export function createDuckDbSink(instance: DuckDBInstance, now: () => number = Date.now): Sink & { stats(): DuckDbSinkStats } {
  const stagedPages = new Map<string, Staged>();
  const stats: DuckDbSinkStats = { unitsCommitted: 0, rowsLoaded: 0, revisions: 0, copies: 0, rowsExisting: 0, duplicatesDropped: 0 };
  let conn: DuckDBConnection | null = null;
  const store = recordStoreFor(instance);
  const holder = store.holder();
  /** The `strings` dictionary: text → id, and entries not yet inserted. */
  const ids = new Map<string, number>();
  let nextId = 0;
  let pending: [number, string][] = [];
  async function init(): Promise<void> {
    conn = await instance.connect();
    store.register(conn);
    for (const [s, id] of (await conn.runAndReadAll('SELECT s, id FROM strings')).getRows() as [string, number][]) {
      ids.set(s, id);
      if (id >= nextId) nextId = id + 1;
    }
    await conn.run(`CREATE OR REPLACE TEMP TABLE wh_pages AS SELECT * EXCLUDE (unit_id, dataset) FROM pages LIMIT 0`);
    await conn.run(`CREATE OR REPLACE TEMP TABLE wh_quarantine AS SELECT * EXCLUDE (unit_id) FROM quarantine LIMIT 0`);
  }

  const idOf = (s: string): number => {
    let id = ids.get(s);
    if (id === undefined) {
      ids.set(s, (id = nextId++));
      pending.push([id, s]);
    }
    return id;
  };

  /** Insert new dictionary entries (own autocommit: unused strings are harmless if the unit's transaction fails). */
  async function flushStrings(): Promise<void> {
    while (pending.length > 0) {
      const part = pending.slice(0, 500);
      await conn!.run(`INSERT INTO strings VALUES ${part.map(() => '(?, ?)').join(', ')}`, part.flat());
      pending = pending.slice(part.length);
    }
  }

  async function loadSmallTables(s: Staged): Promise<void> {
    const c = conn!;
    await c.run('DELETE FROM temp.wh_pages');
    await c.run('DELETE FROM temp.wh_quarantine');
    const pa = await c.createAppender('wh_pages', 'main', 'temp');
    for (const p of s.pages.values()) {
      pa.appendVarchar(p.page_id);
      pa.appendInteger(p.page_offset);
      pa.appendVarchar(p.url);
      pa.appendInteger(p.status);
      pa.appendInteger(Math.round(p.latency_ms));
      pa.appendInteger(p.attempts);
      pa.appendBigInt(BigInt(p.bytes));
      pa.appendVarchar(p.sha256);
      pa.appendInteger(p.rows);
      pa.appendBigInt(BigInt(p.total));
      if (p.api_version === null) pa.appendNull();
      else pa.appendVarchar(p.api_version);
      pa.appendVarchar(p.fetched_at);
      pa.endRow();
    }
    pa.closeSync();
    const qa = await c.createAppender('wh_quarantine', 'main', 'temp');
    for (const rows of s.quarantine.values()) {
      for (const q of rows) {
        qa.appendVarchar(q.dataset);
        qa.appendVarchar(q.reason);
        qa.appendVarchar(q.detail);
        qa.appendVarchar(q.raw);
        qa.appendVarchar(q.source_page);
        qa.appendInteger(q.row_index);
        qa.appendVarchar(new Date(q.ingested_at).toISOString());
        qa.endRow();
      }
    }
    qa.closeSync();
  }

  async function commit(end: UnitEnd): Promise<void> {
    const { unit } = end;
    const c = conn!;
    const s = stagedPages.get(unit.id) ?? { pages: new Map(), quarantine: new Map() };
    const cur = store.seal(holder, unit.id);
    const scan = openScan(cur, { kind: 'ids', ids: cur.dictionaries.map((values) => Int32Array.from(values, (v) => idOf(v))) });
    // After the scan's ids: every staged code has one.
    const byRespondent = respondentFilter(unitRespondents(unit, cur), (v) => ids.get(v));
    let duplicates = 0;
    let rows = 0;
    const uid = sqlString(unit.id);
    // Constant period bounds let DuckDB skip row groups by their zone maps instead of scanning every fact.
    const inRange =
      cur.minPeriod <= cur.maxPeriod ? `o.period BETWEEN ${msToTs(cur.minPeriod)} AND ${msToTs(cur.maxPeriod)}${byRespondent}` : 'false';
    const key = (a: string, b: string) =>
      `${a}.dataset = ${b}.dataset AND ${a}.respondent = ${b}.respondent AND ${a}.series = ${b}.series AND ${a}.period = ${b}.period`;
    const quarantined = [...s.quarantine.values()].reduce((n, q) => n + q.length, 0);
    try {
      duplicates = countDuplicates(cur);
      rows = cur.stagedRows - duplicates;
      const staged = stagedRelation(scan, duplicates);
      await flushStrings();
      await loadSmallTables(s);
      await c.run('BEGIN TRANSACTION');
      // A first load of a window overlaps nothing: skip the joins. Only the unit's own datasets count: the other
      // route's rows of the same window never share a key (without this filter every fuel-type unit ran the
      // revisions join and both deletes against the region-data rows of its window).
      const lo = Math.min(unit.startMs, cur.minPeriod);
      const hi = Math.max(unit.endMs, cur.maxPeriod);
      const datasetIds = [...new Set([unit.dataset, ...[...cur.partitions.keys()].map((k) => k.slice(0, k.lastIndexOf('|')))])]
        .map((d) => ids.get(d))
        .filter((id): id is number => id !== undefined);
      const overlap = datasetIds.length
        ? await c.runAndReadAll(
            `SELECT count(*)::BIGINT FROM observation_facts o
             WHERE period BETWEEN ${msToTs(lo)} AND ${msToTs(hi)} AND dataset IN (${datasetIds.join(', ')})${byRespondent}`,
          )
        : null;
      let revisions = 0;
      let copies = 0;
      let existing = 0;
      if (overlap && Number(overlap.getRows()[0][0]) > 0) {
        // Before the upsert replaces them: every stored row of another form meeting this unit's key, equal or not.
        const loaded = copySourceOf(unit.id);
        const copied = await c.run(
          `INSERT INTO source_copies SELECT d.s, r.s, se.s, n.period, o.src, o.value, '${loaded}', n.value, n.ingested_at, ${uid}
           FROM ${staged} n
             JOIN (SELECT f.*, ${copySourceSql('sp.s')} AS src FROM observation_facts f JOIN strings sp ON sp.id = f.source_page) o
               ON ${key('o', 'n')} AND ${inRange} AND o.src <> '${loaded}'
             JOIN strings d ON d.id = n.dataset JOIN strings r ON r.id = n.respondent JOIN strings se ON se.id = n.series`,
        );
        copies = Number(copied.rowsChanged);
        const rev = await c.run(
          // The changed rows first, then their names: joining the names before the filter made DuckDB look up three
          // strings for every re-delivered row (a replay's 411k rows: 785 ms of joins against 310–395 ms this way).
          `INSERT INTO revisions SELECT d.s, r.s, se.s, x.period, x.old_value, x.new_value, x.ingested_at, ${uid}
           FROM (SELECT n.dataset, n.respondent, n.series, n.period, o.value AS old_value, n.value AS new_value, n.ingested_at
                 FROM ${staged} n JOIN observation_facts o ON ${key('o', 'n')} AND ${inRange}
                 WHERE o.value IS DISTINCT FROM n.value) x
             JOIN strings d ON d.id = x.dataset JOIN strings r ON r.id = x.respondent JOIN strings se ON se.id = x.series`,
        );
        revisions = Number(rev.rowsChanged);
        // Rows whose key the unit re-delivers (their count is the re-fetched rows), then what is left of an earlier
        // copy of this unit within its window (rows the API no longer sends).
        const redelivered = await c.run(`DELETE FROM observation_facts o USING ${staged} n WHERE ${key('o', 'n')} AND ${inRange}`);
        existing = Number(redelivered.rowsChanged);
        await c.run(
          `DELETE FROM observation_facts o WHERE dataset = (SELECT id FROM strings WHERE s = ${sqlString(unit.dataset)})
             AND period >= ${msToTs(unit.startMs)} AND period < ${msToTs(unit.endMs)}${byRespondent}
             AND source_page IN (SELECT id FROM strings WHERE starts_with(s, ${sqlString(`${unit.id}-p`)}))`,
        );
      }
      await c.run(`INSERT INTO observation_facts SELECT ${OBSERVATION_SELECT} FROM ${staged}`);
      await c.run(`DELETE FROM quarantine WHERE unit_id = ${uid}`);
      await c.run(`INSERT INTO quarantine SELECT ${uid}, * FROM temp.wh_quarantine`);
      await c.run(`DELETE FROM pages WHERE unit_id = ${uid} OR page_id IN (SELECT page_id FROM temp.wh_pages)`);
      await c.run(
        `INSERT INTO pages SELECT page_id, ${uid}, ${sqlString(unit.dataset)}, page_offset, url, status, latency_ms, attempts,
           bytes, sha256, rows, total, api_version, fetched_at FROM temp.wh_pages`,
      );
      await c.run(
        `DELETE FROM units WHERE unit_id = ${uid}`,
      );
      // Not INSERT OR REPLACE: DuckDB's conflict path took ~20 ms per unit (1.4 s of a 20 s bulk load of 70 units),
      // the delete and the insert a few ms together.
      await c.run(
        `INSERT INTO units VALUES (${uid}, ${sqlString(unit.dataset)}, ${sqlString(JSON.stringify(unit.facets))},
           ${msToTs(unit.startMs)}, ${msToTs(unit.endMs)}, ${unit.year}, ${end.total}, ${end.rowsReceived}, ${end.pages},
           ${rows}, ${quarantined}, ${msToTs(now())}, ${unit.open === true}, ${unit.frontierMs === undefined ? 'NULL' : msToTs(unit.frontierMs)})`,
      );
      await c.run('COMMIT');
      stats.revisions += revisions;
      stats.copies += copies;
      stats.rowsExisting += existing;
    } catch (e) {
      await c.run('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      scan.close();
      stagedPages.delete(unit.id);
      store.release(holder, unit.id);
    }
    stats.unitsCommitted++;
    stats.rowsLoaded += rows;
    stats.duplicatesDropped += duplicates;
  }

  /** Stage a page: its records in the shared record store, its page facts and quarantined rows in memory. */
  function stage(batch: PageBatch): void {
    const { page, envelope } = batch;
    store.append(holder, page.unit.id, batch.records);
    let s = stagedPages.get(page.unit.id);
    if (!s) stagedPages.set(page.unit.id, (s = { pages: new Map(), quarantine: new Map() }));
    s.pages.set(page.pageId, {
      page_id: page.pageId,
      page_offset: page.offset,
      url: page.url,
      status: page.status,
      latency_ms: page.latencyMs,
      attempts: page.attempts,
      bytes: page.body.length,
      sha256: pageSha256(page),
      rows: envelope.rows.length,
      total: envelope.total,
      api_version: envelope.apiVersion,
      fetched_at: page.fetchedAt,
    });
    s.quarantine.set(page.pageId, batch.quarantined);
  }

  const sink = serialSink({
    name: 'duckdb',
    init,
    stage,
    commit,
    drop: (unitId) => {
      stagedPages.delete(unitId);
      store.release(holder, unitId);
    },
    shutdown: async () => {
      stagedPages.clear();
      store.releaseAll(holder);
      await conn?.run('DROP TABLE IF EXISTS temp.wh_pages').catch(() => undefined);
      conn?.closeSync();
      conn = null;
    },
  });
  return Object.assign(sink, { stats: () => ({ ...stats }) });
}
