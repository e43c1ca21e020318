/**
 * Fixture replay (docs/eia-api.md §15.6): serve the recorded 200 `body_raw` of `test/fixtures/eia-recorded/` for a
 * request that matches a recording (same path and params, ignoring `api_key`, param order and a default `offset=0`).
 * The echoed key is the one sent; Content-Length/Content-Encoding are always computed fresh by the server.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseQuery, type Params } from './params.js';

/** Where the recordings live, relative to the repository root. */
export const FIXTURE_SUBDIR = path.join('test', 'fixtures', 'eia-recorded');

/**
 * The repository's recordings folder, found by walking up from this module: the module sits at a different depth
 * under tsx (`src/simulator/`) and in the esbuild bundle (`dist/`). Null when no ancestor holds the folder (a copy
 * of the bundle outside the repository), which serves nothing from recordings rather than failing.
 */
export function defaultFixtureDir(from = path.dirname(fileURLToPath(import.meta.url))): string | null {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, FIXTURE_SUBDIR);
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return null;
  }
}

interface Recorded {
  key: string;
  body: string;
}

let loaded: Map<string, Recorded> | null = null;

/** Canonical identity of a data request: normalized path + sorted params without api_key / default offset. */
export function canonicalRequest(pathname: string, params: Params): string {
  const p: Params = { ...params };
  delete p.api_key;
  if (p.offset === undefined || String(p.offset) === '0') delete p.offset;
  return `${pathname.replace(/\/+$/, '')}?${stable(p)}`;
}

function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${k}:${stable((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return String(v);
}

function load(dir: string | null): Map<string, Recorded> {
  const out = new Map<string, Recorded>();
  if (dir === null) return out;
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    return out;
  }
  for (const f of files) {
    const j = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as {
      request: { uri: string };
      response: { status: { code: number }; body_raw: string };
    };
    if (j.response.status.code !== 200) continue;
    const url = new URL(j.request.uri);
    const key = canonicalRequest(url.pathname, parseQuery(url.search.slice(1)));
    out.set(key, { key, body: j.response.body_raw });
  }
  return out;
}

/** The recorded body for this request with `apiKey` echoed in place of REDACTED, or null when none matches. */
export function replayBody(pathname: string, params: Params, apiKey: string | undefined, dir?: string): string | null {
  loaded ??= load(dir ?? defaultFixtureDir());
  const hit = loaded.get(canonicalRequest(pathname, params));
  if (!hit) return null;
  return apiKey === undefined ? hit.body : hit.body.replace('"api_key":"REDACTED"', `"api_key":${JSON.stringify(apiKey)}`);
}
