import { createServer, type Server, type ServerResponse, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEtlError, type EtlError } from '../../../src/core/errors.js';
import { createHttpTransport, gunzipChunkSize, type HttpTransport } from '../../../src/sources/eia/http.js';

const KEY = 'TESTKEY0123456789abcdef';
type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const routes: Record<string, Handler> = {
  '/ok': (_q, r) => {
    const body = `{"response":{"total":"0","data":[]},"request":{"params":{"api_key":"${KEY}"}}}`;
    r.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
  },
  '/gzip': (q, r) => {
    const body = gzipSync(`{"key":"${KEY}","accept":"${q.headers['accept-encoding']}"}`);
    r.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': body.length }).end(body);
  },
  '/truncated': (_q, r) => {
    r.writeHead(200, { 'content-type': 'application/json', 'content-length': 1000 });
    r.write('{"response":');
    setTimeout(() => r.socket?.destroy(), 10);
  },
  '/gzip-cut': (_q, r) => {
    const body = gzipSync('x'.repeat(10_000) + Math.random()).subarray(0, 20);
    r.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': body.length }).end(body);
  },
  '/reset': (q) => q.socket.destroy(),
  '/slow': (_q, r) => void setTimeout(() => r.writeHead(200).end('{}'), 1500),
  '/big': (_q, r) => {
    const body = Buffer.alloc(4096, 'a');
    r.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }).end(body);
  },
  '/status': (_q, r) => void r.writeHead(503, { 'retry-after': '2', 'content-type': 'text/plain' }).end('busy'),
};

let server: Server;
let base: string;
let transport: HttpTransport;
const opts = { apiKey: KEY, connectTimeoutMs: 1000, headersTimeoutMs: 300, bodyTimeoutMs: 300, maxBodyBytes: 1024, connections: 4 };

beforeAll(async () => {
  server = createServer((q, r) => routes[new URL(q.url!, 'http://x').pathname]?.(q, r));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  transport = createHttpTransport({ baseUrl: base, ...opts });
});
afterAll(async () => {
  await transport.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const url = (path: string) => `${base}${path}?x=1&api_key=${KEY}`;
async function failure(path: string): Promise<EtlError> {
  try {
    await transport.get(url(path), { label: 'unit-1-p0' });
  } catch (e) {
    if (isEtlError(e)) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('http transport', () => {
  it('returns the body with the echoed key redacted and the URL redacted', async () => {
    const r = await transport.get(url('/ok'), { label: 'u' });
    expect(r.status).toBe(200);
    expect(r.body.toString()).toContain('"api_key":"REDACTED"');
    expect(r.body.toString()).not.toContain(KEY);
    expect(r.url).toBe(`${base}/ok?x=1&api_key=REDACTED`);
  });

  it('asks for gzip and decodes it', async () => {
    const r = await transport.get(url('/gzip'), { label: 'u' });
    expect(JSON.parse(r.body.toString())).toEqual({ key: 'REDACTED', accept: 'gzip' });
    expect(r.wireBytes).toBeLessThan(r.body.length + 40);
  });

  it('returns non-2xx responses with status and Retry-After (classification is not its job)', async () => {
    const r = await transport.get(url('/status'), { label: 'u' });
    expect([r.status, r.retryAfter, r.contentType]).toEqual([503, '2', 'text/plain']);
  });

  it.each([
    ['/truncated', 'ETL_BODY_TRUNCATED'],
    ['/gzip-cut', 'ETL_BODY_TRUNCATED'],
    ['/reset', 'ETL_NETWORK'],
    ['/slow', 'ETL_TIMEOUT'],
    ['/big', 'ETL_BODY_TOO_LARGE'],
  ])('%s → %s, message names method, safe URL and unit, never the key', async (path, code) => {
    const e = await failure(path);
    expect(e.code).toBe(code);
    expect(e.message).toContain(`GET ${base}${path}?x=1&api_key=REDACTED (unit-1-p0)`);
    expect(JSON.stringify({ m: e.message, d: e.details })).not.toContain(KEY);
  });

  it('an aborted signal rejects with ETL_ABORTED', async () => {
    const ac = new AbortController();
    const p = transport.get(url('/slow'), { label: 'u', signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await expect(p).rejects.toSatisfy((e) => isEtlError(e, 'ETL_ABORTED'));
  });

  it('a connection refused is ETL_NETWORK', async () => {
    const dead = createHttpTransport({ baseUrl: 'http://127.0.0.1:1', ...opts });
    await expect(dead.get('http://127.0.0.1:1/x?api_key=K', { label: 'u' })).rejects.toSatisfy((e) => isEtlError(e, 'ETL_NETWORK'));
    await dead.close();
  });
});

describe('gunzipChunkSize', () => {
  it('sizes the output from the gzip trailer (ISIZE + 1), between 16 KiB and 4 MiB', () => {
    const page = Buffer.alloc(900_000, 'a');
    expect(gunzipChunkSize(gzipSync(page))).toBe(900_001);
    expect(gunzipChunkSize(gzipSync(Buffer.from('{}')))).toBe(16 * 1024);
    const lying = gzipSync(page);
    lying.writeUInt32LE(0xffffffff, lying.length - 4);
    expect(gunzipChunkSize(lying)).toBe(4 * 1024 * 1024);
    expect(gunzipChunkSize(Buffer.alloc(3))).toBe(16 * 1024);
  });
});
