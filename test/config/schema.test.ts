/** The option schema: one default per option, the source's own where a flag sets a source setting, and help text for each. */
import { describe, expect, it } from 'vitest';
import { HELP } from '../../src/config/help.js';
import { DEFAULTS, EIA_BASE_URL, ENVIRONMENT, FileSchema, OPTIONS, defaultText, optionValue, type Flag } from '../../src/config/schema.js';
import { isEtlError } from '../../src/core/errors.js';
import { EiaSourceConfigSchema } from '../../src/sources/eia/config.js';

const FLAGS = Object.keys(OPTIONS) as Flag[];

describe('the option schema', () => {
  it('takes the EIA source\'s defaults for the settings its flags set: one value each', () => {
    const source = EiaSourceConfigSchema.parse({ apiKey: 'k' });
    expect(DEFAULTS.concurrency).toBe(source.concurrency);
    expect(DEFAULTS.concurrency).toBe(8);
    expect(DEFAULTS.requestsPerHour).toBe(source.requestsPerHour);
    expect(DEFAULTS.requestsPerSecond).toBe(source.requestsPerSecond);
    expect(DEFAULTS.timeoutMs).toBe(source.headersTimeoutMs);
    expect(DEFAULTS.timeoutMs).toBe(source.bodyTimeoutMs);
    expect(EIA_BASE_URL).toBe(source.baseUrl);
  });

  it('describes every option, and the help prints each fixed default on the option\'s line', () => {
    const lines = HELP.split('\n');
    for (const flag of FLAGS) {
      expect(OPTIONS[flag].schema.description, flag).toBeTruthy();
      const at = lines.findIndex((l) => new RegExp(`^ {2}(-h, )?--${flag}\\b`).test(l));
      expect(at, flag).toBeGreaterThan(0);
      const dflt = defaultText(flag);
      // Switches default to off; every other fixed default is printed on the option's lines.
      if (dflt === null || dflt === 'false') continue;
      let end = at + 1;
      while (/^ {30}\S/.test(lines[end])) end++;
      const text = lines.slice(at, end).join(' ');
      if (flag === 'source') expect(text).toContain('the API (default)');
      else expect(text, flag).toContain(`default ${dflt}`);
    }
    for (const name of Object.keys(ENVIRONMENT)) expect(HELP).toMatch(new RegExp(`\\n {2}${name} +\\S`));
  });

  it('parses each value through its schema: the default when absent, a one-line ETL_CONFIG_INVALID naming the flag when wrong', () => {
    expect(optionValue('concurrency', undefined)).toBe(8);
    expect(optionValue('concurrency', '12')).toBe(12);
    expect(optionValue('regions', 'pacw, erco,PACW')).toEqual(['PACW', 'ERCO']);
    expect(optionValue('interval-seconds', undefined)).toBeUndefined();
    try {
      optionValue('timeout-ms', '5');
      expect.unreachable();
    } catch (e) {
      expect(isEtlError(e, 'ETL_CONFIG_INVALID')).toBe(true);
      expect((e as Error).message).toBe("--timeout-ms must be a whole number from 100 to 600000 (got '5')");
    }
  });

  it('takes in a --config file the options that have a file type, camelCase, in the help\'s order', () => {
    expect(Object.keys(FileSchema.shape)).toEqual([
      'start', 'end', 'regions', 'types', 'dataDir', 'concurrency', 'requestsPerHour', 'requestsPerSecond',
      'lookbackHours', 'revisionHorizonHours', 'timeoutMs', 'logLevel',
    ]);
  });
});
