import { describe, expect, it } from 'vitest';
import { REDACTED, redactBody, redactText, redactUrl } from '../../src/core/redact.js';

const KEY = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcd';

describe('redactBody', () => {
  it('returns the same buffer when the key does not occur', () => {
    const b = Buffer.from('{"a":1}');
    expect(redactBody(b, KEY)).toBe(b);
    expect(redactBody(b, undefined)).toBe(b);
  });

  it('replaces every occurrence, at the start, middle and end, equal to a string replace', () => {
    for (const text of [
      `${KEY}`,
      `${KEY}xyz`,
      `xyz${KEY}`,
      `{"request":{"params":{"api_key":"${KEY}"}},"x":"é€"}`,
      `${KEY}${KEY}--${KEY}`,
      `a${KEY.slice(0, 10)}b${KEY}c`,
    ]) {
      const out = redactBody(Buffer.from(text, 'utf8'), KEY);
      expect(out.toString('utf8')).toBe(text.split(KEY).join(REDACTED));
    }
  });

  it('reuses the buffer (no copy of the page) and never leaves the key behind', () => {
    const body = Buffer.from(`{"data":[${'1,'.repeat(1000)}1],"api_key":"${KEY}"}`);
    const out = redactBody(body, KEY);
    expect(out.buffer).toBe(body.buffer);
    expect(out.includes(KEY)).toBe(false);
    expect(out.length).toBe(body.length - KEY.length + REDACTED.length);
  });

  it('handles a key shorter than the placeholder', () => {
    expect(redactBody(Buffer.from('k1-k1'), 'k1').toString()).toBe(`${REDACTED}-${REDACTED}`);
  });
});

describe('redactText and redactUrl', () => {
  it('redact the key in text and the api_key query value in URLs', () => {
    expect(redactText(`bad key ${KEY}!`, KEY)).toBe(`bad key ${REDACTED}!`);
    expect(redactUrl(`https://x/v2?a=1&api_key=${KEY}&b=2`)).toBe(`https://x/v2?a=1&api_key=${REDACTED}&b=2`);
  });
});
