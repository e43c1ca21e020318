/**
 * The variants sink: EIA's adjusted and imputed figures that a bulk source carries beside each record's value
 * (`FetchedPage.variants`; the six-month Grid Monitor CSVs), kept apart from `observations` so the record schema
 * every reader depends on stays the same.
 *
 *   DuckDB   bulk_variants(dataset, respondent, series, period, adjusted, imputed, unit_id)   (+ view observation_variants)
 *   Parquet  <dataDir>/variants/dataset=<dataset>/year=<YYYY>/data_0.parquet   the table exported at close, load order
 *
 * `write` stages the figures of the records the page loaded (a quarantined row's are dropped). `commitUnit`
 * replaces the unit's earlier rows and every re-delivered key in one transaction; it runs before the DuckDB sink's
 * commit, so a unit in the ledger has its figures. `close` exports the table to the Parquet dataset (a temp
 * directory renamed over the old one): the Parquet copy is as fresh as the last run that closed.
 */
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { PageBatch, Sink, UnitEnd, ValueVariants } from '../core/contracts.js';
import { sqlString, tsLiteral } from '../store/sql.js';
import { closedError, sinkError } from './errors.js';

export interface BulkVariantsOptions {
  readonly dataDir: string;
  readonly duckdb: DuckDBInstance;
}

/** Where the Parquet copy of `bulk_variants` lives. */
export function variantsDir(dataDir: string): string {
  return path.join(dataDir, 'variants');
}

export function createBulkVariantsSink(opts: BulkVariantsOptions): Sink & { stats(): { rowsWritten: number; unitsCommitted: number } } {
  const name = 'bulk-variants';
  const staged = new Map<string, { dataset: string; rows: ValueVariants[] }>();
  let conn: DuckDBConnection | null = null;
  let rowsWritten = 0;
  let unitsCommitted = 0;
  let wrote = false;
  let closed = false;
  const connect = async () => (conn ??= await opts.duckdb.connect());

  return {
    name,
    stats: () => ({ rowsWritten, unitsCommitted }),

    async write(batch: PageBatch): Promise<void> {
      if (closed) throw closedError(name);
      const vs = batch.page.variants;
      if (!vs?.length) return;
      const loaded = new Set(batch.records.map((r) => `${r.respondent}|${r.series}|${r.period}`));
      let s = staged.get(batch.page.unit.id);
      if (!s) staged.set(batch.page.unit.id, (s = { dataset: batch.page.unit.dataset, rows: [] }));
      for (const v of vs) if (loaded.has(`${v.respondent}|${v.series}|${v.period}`)) s.rows.push(v);
    },

    async commitUnit(end: UnitEnd): Promise<void> {
      if (closed) throw closedError(name);
      const id = end.unit.id;
      const s = staged.get(id);
      staged.delete(id);
      const c = await connect();
      try {
        await c.run('BEGIN TRANSACTION');
        await c.run(`DELETE FROM bulk_variants WHERE unit_id = ${sqlString(id)}`);
        if (s?.rows.length) {
          await c.run('CREATE TEMP TABLE IF NOT EXISTS bv_stage (respondent VARCHAR, series VARCHAR, period TIMESTAMPTZ, adjusted DOUBLE, imputed DOUBLE)');
          await c.run('DELETE FROM temp.bv_stage');
          const a = await c.createAppender('bv_stage', 'main', 'temp');
          for (const v of s.rows) {
            a.appendVarchar(v.respondent);
            a.appendVarchar(v.series);
            a.appendVarchar(new Date(v.period).toISOString());
            if (v.adjusted === null) a.appendNull();
            else a.appendDouble(v.adjusted);
            if (v.imputed === null) a.appendNull();
            else a.appendDouble(v.imputed);
            a.endRow();
          }
          a.closeSync();
          const ds = sqlString(s.dataset);
          // Constant bounds on the stored side (the unit's respondents and hours) let DuckDB skip the other
          // respondents' row groups: without them the join read every stored row of the dataset, and a load of
          // every BA ran out of the instance's memory once the table held a few million rows.
          let lo = Infinity;
          let hi = -Infinity;
          const codes = new Set<string>();
          for (const v of s.rows) {
            codes.add(v.respondent);
            if (v.period < lo) lo = v.period;
            if (v.period > hi) hi = v.period;
          }
          const inList = [...codes].sort().map(sqlString).join(', ');
          await c.run(`DELETE FROM bulk_variants b USING temp.bv_stage n
                       WHERE b.dataset = ${ds} AND b.respondent IN (${inList})
                         AND b.period BETWEEN ${tsLiteral(lo)} AND ${tsLiteral(hi)}
                         AND b.respondent = n.respondent AND b.series = n.series AND b.period = n.period`);
          await c.run(`INSERT INTO bulk_variants SELECT ${ds}, respondent, series, period, adjusted, imputed, ${sqlString(id)} FROM temp.bv_stage`);
          rowsWritten += s.rows.length;
          wrote = true;
        }
        await c.run('COMMIT');
        unitsCommitted++;
      } catch (e) {
        await c.run('ROLLBACK').catch(() => undefined);
        throw sinkError(name, `commit of unit ${id} failed`, e);
      }
    },

    async abortUnit(unitId: string): Promise<void> {
      staged.delete(unitId);
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      staged.clear();
      try {
        if (wrote) await exportParquet(await connect(), opts.dataDir);
      } finally {
        conn?.closeSync();
        conn = null;
      }
    },
  };
}

/**
 * COPY the table, partitioned like the observations (`dataset=…/year=…/data_0.parquet`), into a temp directory
 * renamed over the old copy. One COPY per partition, rows in load order (each unit's rows together): a single
 * `PARTITION_BY` COPY sorted by key ran out of the instance's 64 MB on a load of every BA (a few million rows).
 */
async function exportParquet(c: DuckDBConnection, dataDir: string): Promise<void> {
  const dir = variantsDir(dataDir);
  const tmp = `${dir}.tmp-${process.pid}`;
  const old = `${dir}.old-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  try {
    const parts = (
      await c.runAndReadAll(`SELECT DISTINCT dataset, year(timezone('UTC', period))::INTEGER FROM bulk_variants ORDER BY 1, 2`)
    ).getRows() as [string, number][];
    await mkdir(tmp, { recursive: true });
    for (const [dataset, year] of parts) {
      const partDir = path.join(tmp, `dataset=${dataset}`, `year=${year}`);
      await mkdir(partDir, { recursive: true });
      await c.run(
        `COPY (SELECT respondent, series, timezone('UTC', period) AS period, adjusted, imputed FROM bulk_variants
               WHERE dataset = ${sqlString(dataset)} AND period >= ${tsLiteral(Date.UTC(year, 0, 1))} AND period < ${tsLiteral(Date.UTC(year + 1, 0, 1))})
         TO ${sqlString(path.join(partDir, 'data_0.parquet'))} (FORMAT parquet, COMPRESSION zstd)`,
      );
    }
    await rename(dir, old).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));
    await rename(tmp, dir);
    await rm(old, { recursive: true, force: true });
  } catch (e) {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw sinkError('bulk-variants', `exporting ${dir} failed`, e);
  }
}
