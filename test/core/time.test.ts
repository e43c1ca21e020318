/** The UTC dates and ranges users type and read. */
import { describe, expect, it } from 'vitest';
import { isEtlError } from '../../src/core/errors.js';
import { formatRange, nowRangeEnd, parseInstant } from '../../src/core/time.js';

describe('user time helpers', () => {
  it('parses a UTC date as its T00 and a UTC hour', () => {
    expect(parseInstant('--start', '2024-02-29')).toBe(Date.UTC(2024, 1, 29));
    expect(parseInstant('--end', ' 2024-01-01T23 ')).toBe(Date.UTC(2024, 0, 1, 23));
  });

  it.each(['2023-02-29', '2024-13-01', '2024-01-01T24', '2024-1-1', '2024-01-01T05:00', 'yesterday'])('rejects %s naming the flag', (text) => {
    try {
      parseInstant('--split', text);
      expect.unreachable();
    } catch (e) {
      expect(isEtlError(e, 'ETL_CONFIG_INVALID')).toBe(true);
      expect((e as Error).message).toBe(`--split must be a UTC date YYYY-MM-DD or hour YYYY-MM-DDTHH (got '${text}')`);
    }
  });

  it('formats a half-open range and the end that includes the current hour', () => {
    expect(formatRange(Date.UTC(2019, 0, 1), Date.UTC(2026, 0, 1))).toBe('[2019-01-01T00, 2026-01-01T00)');
    expect(nowRangeEnd(Date.UTC(2025, 5, 1, 10, 59, 59))).toBe(Date.UTC(2025, 5, 1, 11));
    expect(nowRangeEnd(Date.UTC(2025, 5, 1, 10))).toBe(Date.UTC(2025, 5, 1, 11));
  });
});
