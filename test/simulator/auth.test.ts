/** Gateway authentication (docs/eia-api.md §15.2): checked before routing, verbatim bodies, key in URL or X-Api-Key. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/index.js';
import { GATEWAY_BODY } from '../../src/simulator/messages.js';
import { KEY, NOW, get } from './helpers.js';

const Q = '/v2/electricity/rto/region-data/data/?data[]=value&facets[respondent][]=PACW&facets[type][]=D&start=2024-01-01T00&end=2024-01-01T02';

describe('authentication', () => {
  let sim: SimulatorHandle;
  beforeAll(async () => {
    sim = await startSimulator({ nowMs: NOW, budget: null });
  });
  afterAll(() => sim.close());

  it('answers a request without any key with 403 API_KEY_MISSING (verbatim, two spaces)', async () => {
    const r = await get(sim.baseUrl, Q);
    expect(r.status).toBe(403);
    expect(r.text).toBe('{"error":{"code":"API_KEY_MISSING","message":"No api_key was supplied.  Please register for one at https://www.eia.gov/opendata/register.php"}}');
    expect(r.headers['x-frame-options']).toBe('DENY');
  });

  it('accepts any 20–64 letter/digit key by default and rejects others with the 136-byte API_KEY_INVALID body', async () => {
    expect((await get(sim.baseUrl, `${Q}&api_key=${'a'.repeat(20)}`)).status).toBe(200);
    expect((await get(sim.baseUrl, `${Q}&api_key=${'Z9'.repeat(32)}`)).status).toBe(200);
    for (const bad of ['short', 'a'.repeat(65), 'has-dash-1234567890abc']) {
      const r = await get(sim.baseUrl, `${Q}&api_key=${bad}`);
      expect(r.status).toBe(403);
      expect(r.text).toBe(GATEWAY_BODY.keyInvalid);
      expect(r.raw.length).toBe(136);
    }
  });

  it('accepts the key in an X-Api-Key header and does not echo it', async () => {
    const r = await get(sim.baseUrl, Q, { headers: { 'x-api-key': KEY } });
    expect(r.status).toBe(200);
    expect(r.text).not.toContain(KEY);
  });

  it('checks the key before routing: an unknown path without a key is 403, and still counted', async () => {
    const before = sim.unknownPathCount;
    expect((await get(sim.baseUrl, '/v2/electricity/nope/data/')).status).toBe(403);
    expect((await get(sim.baseUrl, `/v2/electricity/nope/data/?api_key=${KEY}`)).status).toBe(404);
    expect(sim.unknownPathCount - before).toBe(2);
  });
});

describe('authentication options', () => {
  it('restricts valid keys to `keys`', async () => {
    const sim = await startSimulator({ nowMs: NOW, budget: null, keys: ['onlyThisKey'] });
    try {
      expect((await get(sim.baseUrl, `${Q}&api_key=onlyThisKey`)).status).toBe(200);
      expect((await get(sim.baseUrl, `${Q}&api_key=${KEY}`)).status).toBe(403);
    } finally {
      await sim.close();
    }
  });

  it('rejects the X-Api-Key header with strictKeyInUrl (API_KEY_MISSING), but not the URL key', async () => {
    const sim = await startSimulator({ nowMs: NOW, budget: null, strictKeyInUrl: true });
    try {
      const r = await get(sim.baseUrl, Q, { headers: { 'x-api-key': KEY } });
      expect(r.status).toBe(403);
      expect(r.text).toBe(GATEWAY_BODY.keyMissing);
      expect((await get(sim.baseUrl, `${Q}&api_key=${KEY}`)).status).toBe(200);
    } finally {
      await sim.close();
    }
  });
});
