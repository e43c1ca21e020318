/** Shared helpers of the simulator tests (not a test file). */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';

/** Repository root (test/simulator/ → ../..). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The recorded responses. */
export const fixtureDir = path.resolve(repoRoot, 'test/fixtures/eia-recorded');

/** A valid key under the default key rule (20–64 letters/digits). */
export const KEY = 'TESTKEY0123456789abcdef';
/** A fixed simulated now, after every range the tests query. */
export const NOW = Date.UTC(2026, 1, 1, 12);

/** One recorded interaction. */
export interface Recording {
  file: string;
  request: { method: string; uri: string; headers: Record<string, string[]> };
  response: { status: { code: number; message: string }; headers: Record<string, string[]>; body_raw: string };
}

/** Every recording in the fixture folder. */
export function recordings(): Recording[] {
  return readdirSync(fixtureDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, ...(JSON.parse(readFileSync(path.join(fixtureDir, file), 'utf8')) as Omit<Recording, 'file'>) }));
}

/** A plain HTTP response. */
export interface Got {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  raw: Buffer;
  text: string;
}

/** GET/POST `pathAndQuery` (relative to the server root, e.g. `/v2/...`) without any implicit Accept-Encoding. */
export async function get(baseUrl: string, pathAndQuery: string, init: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string } = {}): Promise<Got> {
  const root = baseUrl.replace(/\/v2$/, '');
  const res = await request(root + pathAndQuery, { method: init.method ?? 'GET', headers: init.headers, body: init.body });
  const raw = Buffer.from(await res.body.arrayBuffer());
  return { status: res.statusCode, headers: res.headers, raw, text: raw.toString('utf8') };
}

/** Build a data query string from readable parts (brackets literal; undici sends them as is). */
export function dataQuery(parts: Record<string, string | number | readonly string[]>): string {
  const out: string[] = [];
  for (const [k, v] of Object.entries(parts)) {
    if (Array.isArray(v)) for (const x of v) out.push(`${k}=${encodeURIComponent(x)}`);
    else out.push(`${k}=${encodeURIComponent(String(v))}`);
  }
  return out.join('&');
}
