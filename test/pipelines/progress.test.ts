/**
 * The progress bar and log lines share a terminal: a log line must never land on the bar's row. Checked on a fake
 * TTY whose bytes are replayed through a tiny terminal model (`\r`, `\n`, erase-line), so the test sees the
 * screen a user would see, not just the bytes.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/core/logger.js';
import { createStatusLine, type StatusLine } from '../../src/core/status-line.js';
import { createProgress } from '../../src/pipelines/progress.js';

/** The rows on screen after `bytes`: `\r` to column 0, `\n` to a new row, ESC[2K erases the row, text overwrites. */
function screen(bytes: string): string[] {
  const rows: string[][] = [[]];
  let col = 0;
  for (let i = 0; i < bytes.length; i++) {
    const row = rows[rows.length - 1]!;
    if (bytes.startsWith('\x1b[2K', i)) {
      row.length = 0;
      i += 3;
    } else if (bytes[i] === '\r') col = 0;
    else if (bytes[i] === '\n') {
      rows.push([]);
      col = 0;
    } else {
      row[col++] = bytes[i]!;
    }
  }
  return rows.map((r) => Array.from(r, (c) => c ?? ' ').join(''));
}

/** A fake TTY: collects every byte written. */
function fakeTty() {
  let bytes = '';
  return { isTTY: true, write: (s: string) => void (bytes += s), bytes: () => bytes };
}

const STATE = { unitsDone: 1, unitsTotal: 4, rows: 12_000, requests: 3, budgetUsed: 3, budgetPerHour: 5000 };
const isBar = (row: string) => row.startsWith('[') && row.includes('units ');

describe('progress bar and log lines on a TTY', () => {
  let tty: ReturnType<typeof fakeTty>;
  let status: StatusLine;
  beforeEach(() => {
    vi.useFakeTimers();
    tty = fakeTty();
    status = createStatusLine(tty.write);
  });
  afterEach(() => vi.useRealTimers());

  function setup(pretty: boolean) {
    const logger = createLogger({ level: 'info', pretty, statusLine: status });
    const progress = createProgress({ enabled: true, tty: true, logger, statusLine: status });
    return { logger, progress };
  }

  it.each([[false], [true]])('prints each log line on its own row, then redraws the bar below it (pretty: %s)', (pretty) => {
    const { logger, progress } = setup(pretty);
    progress.update(STATE);
    vi.advanceTimersByTime(300);
    expect(screen(tty.bytes()).filter(isBar)).toHaveLength(1);
    logger.info('retry 1/7 of region-data-2024-u1-p0 in 0.5 s: HTTP 503 [ETL_HTTP_STATUS]');
    logger.warn('unit restarted');
    let rows = screen(tty.bytes());
    // The bar is the last row, alone; the log lines are above it, each on a row of its own.
    expect(isBar(rows[rows.length - 1]!)).toBe(true);
    expect(rows.filter(isBar)).toHaveLength(1);
    const retryRow = rows.find((r) => r.includes('retry 1/7'))!;
    const warnRow = rows.find((r) => r.includes('unit restarted'))!;
    for (const row of [retryRow, warnRow]) expect(row).not.toContain('units 1/4');
    expect(rows.indexOf(retryRow)).toBeLessThan(rows.indexOf(warnRow));

    progress.update({ ...STATE, unitsDone: 4 });
    vi.advanceTimersByTime(300);
    progress.stop();
    logger.info('run ok');
    rows = screen(tty.bytes());
    // After stop: the final bar stays as an ordinary row and later lines go below it, untouched.
    expect(rows.filter(isBar)).toEqual([expect.stringContaining('units 4/4')]);
    const after = rows.slice(rows.findIndex(isBar) + 1).filter((r) => r.length > 0);
    expect(after).toHaveLength(1);
    expect(after[0]).toContain('run ok');
  });

  it('writes log lines unchanged when no bar is shown (not a TTY)', () => {
    const logger = createLogger({ level: 'info', pretty: false, statusLine: status });
    const progress = createProgress({ enabled: true, tty: false, logger, statusLine: status });
    progress.update({ ...STATE, unitsDone: 0 });
    vi.advanceTimersByTime(1000);
    logger.info('hello');
    expect(tty.bytes()).not.toContain('\r');
    const lines = tty.bytes().trim().split('\n').map((l) => JSON.parse(l).msg);
    expect(lines).toEqual(['progress 0%', 'hello']);
  });
});

describe('createStatusLine', () => {
  it('clears the row before a line above it and redraws the status after; end leaves a final line', () => {
    const tty = fakeTty();
    const s = createStatusLine(tty.write);
    s.writeAbove('before\n');
    s.draw('bar 1');
    s.writeAbove('log a\n');
    s.draw('bar 2\nx');
    s.end('bar final');
    s.writeAbove('after\n');
    s.end();
    expect(tty.bytes()).toBe('before\n\r\x1b[2Kbar 1\r\x1b[2Klog a\nbar 1\r\x1b[2Kbar 2 x\r\x1b[2Kbar final\nafter\n');
    expect(screen(tty.bytes())).toEqual(['before', 'log a', 'bar final', 'after', '']);
  });
});
