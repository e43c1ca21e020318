/**
 * The respondent facet lists the API returned, cached in the warehouse (`respondent_facets`: route, code, name,
 * fetched_at) so `--regions` is checked against EIA's own list without a request per run; a list older than
 * `FACET_CACHE_MAX_AGE_MS` is fetched again. Read before a run takes the data directory's lock (read-only, and only
 * when the warehouse file exists), written inside the run.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { KnownRespondent } from '../../core/region-selection.js';
import { sqlString } from '../sql.js';
import { WAREHOUSE_FILE } from './file.js';

/** A cached list is used while it is younger than a day. */
export const FACET_CACHE_MAX_AGE_MS = 24 * 3600 * 1000;

/** One route's list and when it was fetched (epoch ms). */
export interface FacetList {
  readonly route: string;
  readonly fetchedAtMs: number;
  readonly respondents: readonly KnownRespondent[];
}

const CREATE = `CREATE TABLE IF NOT EXISTS respondent_facets (
  route VARCHAR NOT NULL, code VARCHAR NOT NULL, name VARCHAR, fetched_at TIMESTAMPTZ NOT NULL)`;

/**
 * The cached lists of `dataDir`'s warehouse by route, or an empty map when there is no warehouse, no cache table,
 * or the file cannot be opened read-only (another process writing it): the caller then asks the API.
 */
export async function readFacetCache(dataDir: string): Promise<Map<string, FacetList>> {
  const file = path.join(dataDir, WAREHOUSE_FILE);
  const out = new Map<string, FacetList>();
  if (!(await access(file).then(() => true, () => false))) return out;
  let instance: DuckDBInstance | undefined;
  try {
    instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
    const conn = await instance.connect();
    try {
      const has = (await conn.runAndReadAll(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'respondent_facets'",
      )).getRows()[0][0];
      if (Number(has) === 0) return out;
      const rows = (await conn.runAndReadAll(
        'SELECT route, code, name, epoch_ms(fetched_at) FROM respondent_facets ORDER BY route, code',
      )).getRows();
      for (const [route, code, name, at] of rows) {
        const r = String(route);
        let list = out.get(r) as { route: string; fetchedAtMs: number; respondents: KnownRespondent[] } | undefined;
        if (!list) out.set(r, (list = { route: r, fetchedAtMs: Number(at), respondents: [] }));
        list.fetchedAtMs = Math.min(list.fetchedAtMs, Number(at));
        list.respondents.push({ code: String(code), name: name === null ? String(code) : String(name) });
      }
    } finally {
      conn.closeSync();
    }
  } catch {
    return new Map();
  } finally {
    instance?.closeSync();
  }
  return out;
}

/** Replace the cached lists of the given routes (one transaction). */
export async function writeFacetCache(conn: DuckDBConnection, lists: readonly FacetList[]): Promise<void> {
  if (lists.length === 0) return;
  await conn.run(CREATE);
  await conn.run('BEGIN TRANSACTION');
  try {
    for (const l of lists) {
      await conn.run(`DELETE FROM respondent_facets WHERE route = ${sqlString(l.route)}`);
      const at = `to_timestamp(${l.fetchedAtMs / 1000})`;
      const values = l.respondents.map((r) => `(${sqlString(l.route)}, ${sqlString(r.code)}, ${sqlString(r.name)}, ${at})`);
      for (let i = 0; i < values.length; i += 500) {
        await conn.run(`INSERT INTO respondent_facets VALUES ${values.slice(i, i + 500).join(', ')}`);
      }
    }
    await conn.run('COMMIT');
  } catch (e) {
    await conn.run('ROLLBACK').catch(() => undefined);
    throw e;
  }
}
