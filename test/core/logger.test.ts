import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/logger.js';
import { EtlError } from '../../src/core/errors.js';

function capture(level: string) {
  const dest = new PassThrough();
  const chunks: string[] = [];
  dest.on('data', (c) => chunks.push(String(c)));
  const logger = createLogger({ level, destination: dest, pretty: false, secret: 'SECRETKEY123' });
  return { logger, lines: () => chunks.join('').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
}

describe('logger', () => {
  const failure = () => new EtlError('ETL_SINK_WRITE', 'sink', 'duckdb: committing: No space left on device', { cause: new Error('inner') });

  it('logs an error beside the reported one as type, code and message: no stack at info', () => {
    const { logger, lines } = capture('info');
    logger.error({ err: failure() }, 'closing sinks failed');
    const [line] = lines();
    expect(line.err).toEqual({ type: 'EtlError', code: 'ETL_SINK_WRITE', message: 'duckdb: committing: No space left on device' });
    expect(JSON.stringify(line)).not.toMatch(/\\n\s+at /);
  });

  it('keeps the stack at debug, for whoever asked for it', () => {
    const { logger, lines } = capture('debug');
    logger.error({ err: failure() }, 'closing sinks failed');
    expect(lines()[0].err.stack).toMatch(/\n\s+at /);
  });

  it('scrubs the key from an error message too', () => {
    const { logger, lines } = capture('info');
    logger.warn({ err: new Error('GET /v2?api_key=SECRETKEY123 failed') }, 'x');
    expect(JSON.stringify(lines())).not.toContain('SECRETKEY123');
  });
});
