import { describe, expect, it } from 'vitest';
import { parseEnvelope } from '../../../src/sources/eia/envelope.js';
import { isEtlError, type EtlErrorCode } from '../../../src/core/errors.js';
import { bodyOf, loadRecorded } from '../../transforms/fixtures/pages.js';

/** Run `fn` and return the EtlError it throws (fails the test when it does not throw one). */
function thrown(fn: () => unknown): { code: EtlErrorCode; message: string; details: Record<string, unknown> } {
  try {
    fn();
  } catch (e) {
    if (isEtlError(e)) return e;
    throw e;
  }
  throw new Error('expected an EtlError');
}

const ROW = { period: '2024-01-01T00', respondent: 'PACW', type: 'D', value: '1', 'value-units': 'megawatthours' };
const BODY_21_8 = bodyOf([ROW]);

describe('parseEnvelope on the recorded real responses', () => {
  const recorded = loadRecorded();

  it('finds the 14 recorded interactions', () => {
    expect(recorded).toHaveLength(14);
  });

  for (const r of recorded.filter((x) => x.status === 200)) {
    it(`parses ${r.file}: rows = total, apiVersion 2.1.8, hourly, no warnings`, () => {
      const env = parseEnvelope(r.body);
      expect(env.total).toBeGreaterThan(0);
      expect(env.rows).toHaveLength(env.total);
      expect(env.apiVersion).toBe('2.1.8');
      expect(env.frequency).toBe('hourly');
      expect(env.dateFormat).toBe('YYYY-MM-DD"T"HH24');
      expect(env.warnings).toEqual([]);
    });
  }

  it('throws ETL_API_KEY_INVALID for the recorded 403 bodies, with the API code and message', () => {
    const bodies = recorded.filter((x) => x.status === 403);
    expect(bodies).toHaveLength(2);
    for (const r of bodies) {
      const e = thrown(() => parseEnvelope(r.body));
      expect(e.code).toBe('ETL_API_KEY_INVALID');
      expect(e.details.apiCode).toBe('API_KEY_INVALID');
      expect(e.details.apiMessage).toBe('An invalid api_key was supplied. Get one at https://api.eia.gov:443');
    }
  });

  it('throws ETL_NOT_FOUND for the recorded 404-in-500 bodies', () => {
    const bodies = recorded.filter((x) => x.status === 500);
    expect(bodies).toHaveLength(4);
    for (const r of bodies) {
      const e = thrown(() => parseEnvelope(r.body));
      expect(e.code).toBe('ETL_NOT_FOUND');
      expect(e.details).toMatchObject({ apiCode: 404, apiMessage: 'Not found.' });
    }
  });

  it('accepts a Buffer as well as a string', () => {
    const r = recorded.find((x) => x.status === 200)!;
    expect(parseEnvelope(Buffer.from(r.body))).toEqual(parseEnvelope(r.body));
  });
});

describe('parseEnvelope envelope variants', () => {
  const warning = { warning: 'incomplete return', description: 'The API can only return 5000 rows in JSON format.' };

  it('reads warnings at the root (2.1.8)', () => {
    const body = `{"warnings":[${JSON.stringify(warning)}],${BODY_21_8.slice(1)}`;
    expect(parseEnvelope(body).warnings).toEqual([warning]);
  });

  it('reads warnings inside response (2023) with total and values as numbers', () => {
    const body = JSON.stringify({
      response: { warnings: [warning], total: 40776, dateFormat: 'YYYY-MM-DD"T"HH24', frequency: 'hourly', data: [{ ...ROW, value: 3998 }] },
      request: {},
      apiVersion: '2.1.3',
    });
    const env = parseEnvelope(body);
    expect(env.total).toBe(40776);
    expect(env.warnings).toEqual([warning]);
    expect(env.rows[0].value).toBe(3998);
  });

  it('reads warnings in both places, in root-then-response order', () => {
    const other = { warning: 'parameter out of range', description: 'x' };
    const body = JSON.stringify({ warnings: [warning], response: { warnings: [other], total: '0', data: [] } });
    expect(parseEnvelope(body).warnings.map((w) => w.warning)).toEqual(['incomplete return', 'parameter out of range']);
  });

  it('treats warnings: null (2026) and absent warnings as none', () => {
    expect(parseEnvelope(`{"warnings":null,${BODY_21_8.slice(1)}`).warnings).toEqual([]);
    expect(parseEnvelope(JSON.stringify({ response: { warnings: null, total: '0', data: [] } })).warnings).toEqual([]);
  });

  it('keeps any warning entry, even one without the usual keys', () => {
    const body = JSON.stringify({ warnings: ['odd', { code: 7 }], response: { total: '0', data: [] } });
    expect(parseEnvelope(body).warnings).toEqual([
      { warning: 'odd', description: '' },
      { warning: '{"code":7}', description: '' },
    ]);
  });

  it('accepts total "0" with no rows, and a missing apiVersion, frequency and dateFormat as null', () => {
    const env = parseEnvelope('{"response":{"total":"0","data":[]}}');
    expect(env).toEqual({ total: 0, rows: [], warnings: [], apiVersion: null, frequency: null, dateFormat: null });
  });

  it('reads a local-hourly envelope', () => {
    const env = parseEnvelope(bodyOf([], { frequency: 'local-hourly' }));
    expect(env.frequency).toBe('local-hourly');
  });
});

describe('parseEnvelope error bodies', () => {
  const cases: [string, string, EtlErrorCode, unknown][] = [
    ['gateway API_KEY_MISSING', '{"error":{"code":"API_KEY_MISSING","message":"No api_key was supplied.  Please register"}}', 'ETL_API_KEY_MISSING', 'API_KEY_MISSING'],
    ['gateway OVER_RATE_LIMIT', '{"error":{"code":"OVER_RATE_LIMIT","message":"You have exceeded your rate limit."}}', 'ETL_RATE_LIMITED', 'OVER_RATE_LIMIT'],
    ['gateway unknown code', '{"error":{"code":"HTTPS_REQUIRED","message":"use https"}}', 'ETL_HTTP_STATUS', 'HTTPS_REQUIRED'],
    ['application 400 (on HTTP 200 before 2.1.10)', `{"error":"Invalid frequency 'anual' provided.","code":400}`, 'ETL_BAD_REQUEST', 400],
    ['application 404', '{"error":"Not found.","code":404}', 'ETL_NOT_FOUND', 404],
    ['application 500', '{"error":"Internal error","code":500}', 'ETL_HTTP_STATUS', 500],
    ['error key next to a response', `{"error":"Not found.","code":404,${BODY_21_8.slice(1)}`, 'ETL_NOT_FOUND', 404],
  ];
  for (const [name, body, code, apiCode] of cases) {
    it(`maps ${name} to ${code}`, () => {
      const e = thrown(() => parseEnvelope(body));
      expect(e.code).toBe(code);
      expect(e.details.apiCode).toBe(apiCode);
      expect(typeof e.details.apiMessage).toBe('string');
    });
  }

  it('puts the API message in the error message on one line', () => {
    const e = thrown(() => parseEnvelope(loadRecorded().find((r) => r.status === 403)!.body));
    expect(e.message).toContain('An invalid api_key was supplied.');
    expect(e.message).not.toContain('\n');
  });
});

describe('parseEnvelope malformed bodies', () => {
  const recordedBody = loadRecorded().find((r) => r.status === 200)!.body;
  const cases: [string, string][] = [
    ['an empty body', ''],
    ['a whitespace body', '  \n'],
    ['an HTML page', '<html><body>502 Bad Gateway</body></html>'],
    ['plain text', 'Service Unavailable'],
    ['truncated JSON', recordedBody.slice(0, Math.floor(recordedBody.length / 2))],
    ['a JSON array', '[]'],
    ['JSON null', 'null'],
    ['no response', '{"request":{},"apiVersion":"2.1.8"}'],
    ['response not an object', '{"response":"x"}'],
    ['data not an array', '{"response":{"total":"1","data":{}}}'],
    ['data missing', '{"response":{"total":"1"}}'],
    ['total missing', '{"response":{"data":[]}}'],
    ['total not numeric', '{"response":{"total":"abc","data":[]}}'],
    ['total empty string', '{"response":{"total":"","data":[]}}'],
    ['total negative', '{"response":{"total":-1,"data":[]}}'],
    ['total fractional', '{"response":{"total":1.5,"data":[]}}'],
    ['total null', '{"response":{"total":null,"data":[]}}'],
  ];
  for (const [name, body] of cases) {
    it(`throws ETL_BODY_MALFORMED for ${name}`, () => {
      expect(thrown(() => parseEnvelope(body)).code).toBe('ETL_BODY_MALFORMED');
    });
  }

  it('does not quote the body in the error message', () => {
    const e = thrown(() => parseEnvelope('<html>secret-looking-text</html>'));
    expect(e.message).not.toContain('secret-looking-text');
  });
});
