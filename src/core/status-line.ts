/**
 * One redrawn status line at the bottom of a terminal, with log lines written above it. Every write to the
 * terminal goes through one `write` call here, so a log line never lands on the same row as the status: the status
 * row is cleared (`\r` + erase line) before the log line, and the status is redrawn after it.
 *
 * The process-wide instance for stderr is shared by the logger and the progress reporter, which are created in
 * different places; tests build their own over a fake stream.
 */
import pino from 'pino';

/** Return to column 0 and erase the row. */
export const CLEAR_ROW = '\r\x1b[2K';

export interface StatusLine {
  /** Show `text` (one row; newlines become spaces) as the status, replacing the previous one. */
  draw(text: string): void;
  /** Write complete lines above the status; with no status shown they pass through unchanged. */
  writeAbove(text: string): void;
  /** Stop showing a status: leave `finalText` as an ordinary line (also when none was drawn), or erase the row. */
  end(finalText?: string): void;
}

/** A status line over any `write` (a TTY stream in production, a fake one in tests). */
export function createStatusLine(write: (chunk: string) => void): StatusLine {
  let shown: string | null = null;
  return {
    draw(text) {
      shown = text.replace(/[\r\n]+/g, ' ');
      write(CLEAR_ROW + shown);
    },
    writeAbove(text) {
      if (shown === null) return write(text);
      write(CLEAR_ROW + (text.endsWith('\n') ? text : `${text}\n`) + shown);
    },
    end(finalText) {
      if (shown === null && finalText === undefined) return;
      shown = null;
      write(CLEAR_ROW + (finalText === undefined ? '' : `${finalText.replace(/[\r\n]+/g, ' ')}\n`));
    },
  };
}

let stderrLine: StatusLine | null = null;

/** The shared status line of stderr (fd 2, synchronous writes, so the order on screen is the order of calls). */
export function stderrStatusLine(): StatusLine {
  if (!stderrLine) {
    const fd2 = pino.destination({ fd: 2, sync: true });
    stderrLine = createStatusLine((chunk) => void fd2.write(chunk));
  }
  return stderrLine;
}
