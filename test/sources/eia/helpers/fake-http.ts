/**
 * A tiny in-process stand-in for the HTTP transport (the `http` seam of `createEiaClient`): answers region-data
 * queries from a generated grid (every hour × respondent × type), honouring start/end (inclusive), the sort,
 * offset and length. `script(n, url)` may replace the n-th (1-based) answer. For the source's pure-ish tests;
 * the simulator tests cover the real HTTP stack.
 */
import type { HttpTransport, HttpResponse } from '../../../../src/sources/eia/http.js';
import { parseHourStamp, HOUR_MS } from '../../../../src/core/time.js';

export interface FakeCall {
  readonly url: string;
  readonly offset: number;
  readonly length: number;
}

export interface FakeHttp extends HttpTransport {
  readonly calls: FakeCall[];
  /** Highest number of calls in flight at once. */
  readonly peakInFlight: () => number;
}

export type Script = (n: number, call: FakeCall, ok: () => HttpResponse) => HttpResponse | Error | Promise<HttpResponse | Error>;

export function rowsOf(url: string): Array<Record<string, string>> {
  const p = new URL(url).searchParams;
  const start = parseHourStamp(p.get('start')!)!;
  const end = parseHourStamp(p.get('end')!)!;
  const resp = p.getAll('facets[respondent][]').sort();
  const types = p.getAll('facets[type][]').sort();
  const rows: Array<Record<string, string>> = [];
  for (let t = start; t <= end; t += HOUR_MS) {
    const period = new Date(t).toISOString().slice(0, 13);
    for (const r of resp) for (const ty of types) rows.push({ period, respondent: r, type: ty, value: String((t / HOUR_MS) % 997) });
  }
  return rows;
}

export function okResponse(url: string, body: unknown): HttpResponse {
  const text = JSON.stringify(body);
  return { status: 200, contentType: 'application/json', retryAfter: undefined, body: Buffer.from(text), wireBytes: text.length, latencyMs: 1, url };
}

export function fakeHttp(script?: Script, delayMs = 0): FakeHttp {
  const calls: FakeCall[] = [];
  let inFlight = 0;
  let peak = 0;
  return {
    calls,
    peakInFlight: () => peak,
    async get(url, { signal }) {
      const p = new URL(url).searchParams;
      const call = { url, offset: Number(p.get('offset')), length: Number(p.get('length')) };
      calls.push(call);
      inFlight++;
      peak = Math.max(peak, inFlight);
      try {
        if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
        if (signal?.aborted) throw new Error('aborted');
        const ok = () => {
          const all = rowsOf(url);
          const data = all.slice(call.offset, call.offset + Math.min(call.length, 5000));
          return okResponse(url.replace(/api_key=[^&]*/, 'api_key=REDACTED'), { response: { total: String(all.length), data }, apiVersion: '2.1.8' });
        };
        const r = script ? await script(calls.length, call, ok) : ok();
        if (r instanceof Error) throw r;
        return r;
      } finally {
        inFlight--;
      }
    },
    close: async () => undefined,
  };
}
