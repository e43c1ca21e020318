/**
 * `EBA.zip` on disk → a stream of its one member `EBA.txt`, inflated as it is read (yauzl: the zip's central
 * directory is read from the end of the file, the member is inflated from its offset; nothing is extracted to disk
 * and the file is never buffered whole). yauzl checks the member's size and CRC-32 at its end, so a corrupt member
 * fails the stream rather than ending it early.
 */
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { EtlError } from '../../core/errors.js';

/** The member EIA's file holds. */
export const EBA_MEMBER = 'EBA.txt';

/** An opened zip with its `EBA.txt` member found. */
export interface EbaZip {
  /** Uncompressed size of `EBA.txt`, bytes (from the central directory). */
  readonly textBytes: number;
  readonly zipBytes: number;
  /** The member's bytes, inflated; the stream errors (yauzl's or zlib's error) when the data is corrupt. */
  openText(): Promise<Readable>;
  close(): void;
}

/**
 * Open `file` and find `EBA.txt`. Rejects with `ETL_BULK_INVALID` (one line, naming `what`) when the file is not a
 * zip, is truncated, or has no `EBA.txt` member.
 */
export function openEbaZip(file: string, what: string): Promise<EbaZip> {
  const invalid = (why: string, cause?: unknown) =>
    new EtlError('ETL_BULK_INVALID', 'source', `${what} is not a readable EBA.zip: ${why}`, { cause, details: { file } });
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: false, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) return reject(invalid(oneLine(err), err));
      let done = false;
      zip.on('error', (e: unknown) => {
        if (done) return;
        done = true;
        zip.close();
        reject(invalid(oneLine(e), e));
      });
      zip.on('end', () => {
        if (done) return;
        done = true;
        zip.close();
        reject(invalid(`it has no ${EBA_MEMBER} member`));
      });
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName !== EBA_MEMBER) return void zip.readEntry();
        done = true;
        resolve({
          textBytes: entry.uncompressedSize,
          zipBytes: zip.fileSize,
          openText: () =>
            new Promise<Readable>((res, rej) =>
              zip.openReadStream(entry, (e, stream) => {
                if (e || !stream) return rej(invalid(oneLine(e), e));
                res(stream);
              }),
            ),
          close: () => zip.close(),
        });
      });
      zip.readEntry();
    });
  });
}

/** The first line of an error's message, for one-line errors. */
export function oneLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e ?? 'unknown error');
  return msg.split('\n')[0]!.slice(0, 200);
}
