/**
 * sha256 of a page body, computed once per page object and shared by the sinks that record it (the raw archive's
 * manifest and DuckDB's `pages` table), so a 1 MB body is hashed once, not once per sink. The raw archive hashes
 * on its page writer's thread and registers the result (`providePageSha256`) before any other sink asks.
 */
import { createHash } from 'node:crypto';
import type { FetchedPage } from '../core/contracts.js';

const memo = new WeakMap<FetchedPage, Promise<string>>();

const hash = (body: Uint8Array) => createHash('sha256').update(body).digest('hex');

/** Hex sha256 of `page.body` (the redacted, uncompressed body as received). */
export function pageSha256(page: FetchedPage): Promise<string> {
  let h = memo.get(page);
  if (h === undefined) {
    h = Promise.resolve(hash(page.body));
    memo.set(page, h);
  }
  return h;
}

/** Register the digest another thread is computing for `page` (falls back to hashing here if that fails). */
export function providePageSha256(page: FetchedPage, digest: Promise<string>): void {
  if (memo.has(page)) return;
  const body = page.body;
  memo.set(page, digest.catch(() => hash(body)));
}
