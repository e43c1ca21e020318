/** What a retry looks like in the log: one short line at info, the redacted URL and the figures only at debug. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/core/logger.js';
import { createEiaClient } from '../../../src/sources/eia/index.js';
import { fakeHttp } from './helpers/fake-http.js';

const KEY = 'RETRYLOGKEY1234567890abcdef';
const QUERY = { dataset: 'region-data' as const, facets: { respondent: ['PACW'], type: ['D'] }, startMs: Date.UTC(2024, 0, 1), endMs: Date.UTC(2024, 0, 2) };

async function logOfOneRetry(level: string, pretty: boolean): Promise<string> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d) => (text += d));
  const logger = createLogger({ level, pretty, destination: out, secret: KEY });
  const http = fakeHttp((n, _call, ok) => (n === 1 ? { ...ok(), status: 503, body: Buffer.from('<html>busy</html>'), contentType: 'text/html' } : ok()));
  const client = createEiaClient(
    { apiKey: KEY, baseUrl: 'http://fake.invalid/v2', requestsPerHour: null, requestsPerSecond: null, retry: { baseDelayMs: 1, maxDelayMs: 2 } },
    { http, random: () => 0.5, logger },
  );
  try {
    const r = await client.fetchPage(QUERY, 0, 5000, 'region-data-2024-u1-p0');
    expect(r.attempts).toBe(2);
  } finally {
    await client.close();
  }
  return text;
}

describe('retry logging', () => {
  it('is one line at info with the unit, the attempt, the wait and the reason, and no URL', async () => {
    const lines = (await logOfOneRetry('info', false)).trim().split('\n').map((l) => JSON.parse(l));
    const retries = lines.filter((l) => /^retry /.test(l.msg));
    expect(retries).toHaveLength(1);
    const [r] = retries;
    expect(r.level).toBe(30);
    expect(r.msg).toMatch(/^retry 1\/7 of region-data-2024-u1-p0 in 0\.0 s: HTTP 503: .*\[ETL_HTTP_STATUS\]$/);
    expect(r.msg).not.toMatch(/https?:|api_key|GET /);
    expect(Object.keys(r).sort()).toEqual(['level', 'msg', 'time']);
  });

  it('prints as exactly one line when pretty', async () => {
    const text = await logOfOneRetry('info', true);
    const retryLines = text.split('\n').filter((l) => l.includes('retry 1/7'));
    expect(retryLines).toHaveLength(1);
    // Nothing else was logged, so the whole output is that one line.
    expect(text.trimEnd().split('\n')).toHaveLength(1);
  });

  it('adds the redacted URL and the figures at debug, never the key', async () => {
    const text = await logOfOneRetry('debug', false);
    expect(text).not.toContain(KEY);
    const detail = text.trim().split('\n').map((l) => JSON.parse(l)).find((l) => l.msg === 'retry');
    expect(detail).toMatchObject({ level: 20, code: 'ETL_HTTP_STATUS', attempt: 1, unit: 'region-data-2024-u1-p0' });
    expect(detail.url).toContain('api_key=REDACTED');
  });
});
