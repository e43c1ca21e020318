/**
 * sha256 of a page body, computed once per page object and shared by the sinks that record it (the raw archive's
 * manifest and DuckDB's `pages` table), so a 1 MB body is hashed once, not once per sink.
 */
import { createHash } from 'node:crypto';
import type { FetchedPage } from '../core/contracts.js';

const memo = new WeakMap<FetchedPage, string>();

/** Hex sha256 of `page.body` (the redacted, uncompressed body as received). */
export function pageSha256(page: FetchedPage): string {
  let h = memo.get(page);
  if (h === undefined) {
    h = createHash('sha256').update(page.body).digest('hex');
    memo.set(page, h);
  }
  return h;
}
