/**
 * The ledger (`units`) read back: by the warehouse's own connection, or read-only by `plan`, which must write
 * nothing and may run while no writer holds the data directory. Columns are read by name, so a warehouse written
 * before the `open`/`frontier` columns existed reads as all closed (which its units were taken to be).
 */
import { existsSync } from 'node:fs';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/** One row of the ledger (`units`). */
export interface LedgerUnit {
  readonly id: string;
  readonly dataset: string;
  readonly facets: Readonly<Record<string, readonly string[]>>;
  readonly startMs: number;
  /** End of the window fetched (exclusive; clamped to the route's latest published hour + 1 h when it was open). */
  readonly endMs: number;
  /** Pages fetched: the unit's requests, retries left out. */
  readonly pages: number;
  readonly rows: number;
  readonly open: boolean;
  /** The route's latest published hour when fetched, or null when it was not read. */
  readonly frontierMs: number | null;
}

const ms = (v: unknown) => (v === null || v === undefined ? null : v instanceof Object && 'micros' in v ? Number((v as { micros: bigint }).micros / 1000n) : Number(v));

/** Every unit of the ledger on `conn`, by id. */
export async function queryLedger(conn: DuckDBConnection): Promise<Map<string, LedgerUnit>> {
  const reader = await conn.runAndReadAll('SELECT * FROM units ORDER BY window_start, unit_id');
  const out = new Map<string, LedgerUnit>();
  for (const row of reader.getRowObjects()) {
    const id = String(row.unit_id);
    out.set(id, {
      id,
      dataset: String(row.dataset),
      facets: JSON.parse(String(row.facets ?? '{}')) as Record<string, string[]>,
      startMs: ms(row.window_start)!,
      endMs: ms(row.window_end)!,
      pages: Number(row.pages ?? 0),
      rows: Number(row.rows ?? 0),
      open: row.open === true,
      frontierMs: ms(row.frontier),
    });
  }
  return out;
}

/**
 * The ledger of the warehouse file `file` opened read-only, or null when there is none yet.
 * Rejects when the file cannot be opened (another process writing it holds DuckDB's lock).
 */
export async function readLedger(file: string): Promise<Map<string, LedgerUnit> | null> {
  if (!existsSync(file)) return null;
  const db = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  const conn = await db.connect();
  try {
    return await queryLedger(conn);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}
