/** Key redaction: the API key travels in the request URL only and is replaced everywhere else. */

export const REDACTED = 'REDACTED';

/** Replace the `api_key` query value of a URL (encoded or not) by `REDACTED`. */
export function redactUrl(url: string): string {
  // Stop at anything that cannot be part of a key, so a URL inside JSON or prose keeps its surroundings.
  return url.replace(/([?&]api_key=)[^&#\s"'<>()[\]{},;]*/gi, `$1${REDACTED}`);
}

/**
 * Replace every occurrence of `key` in `body` by `REDACTED` (the response echoes it in `request.params.api_key`).
 * Returns `body` itself when the key does not occur. Otherwise, when `REDACTED` is no longer than the key (keys
 * are 20–64 characters), the bytes are moved within `body` and a view of its first bytes is returned: no copy of
 * a ~1 MB page per response. The caller must own `body` (the client passes the buffer it decoded).
 * Works on bytes: keys are ASCII letters and digits.
 */
export function redactBody(body: Buffer, key: string | undefined): Buffer {
  if (!key) return body;
  let at = body.indexOf(key);
  if (at < 0) return body;
  if (REDACTED.length > key.length) return Buffer.from(body.toString('latin1').split(key).join(REDACTED), 'latin1');
  let w = at; // write position; bytes before the first occurrence stay where they are
  let from = at;
  while (at >= 0) {
    w += body.copy(body, w, from, at); // Buffer#copy handles overlapping ranges (memmove)
    w += body.write(REDACTED, w, 'latin1');
    from = at + key.length;
    at = body.indexOf(key, from);
  }
  w += body.copy(body, w, from);
  return body.subarray(0, w);
}

/** Replace `key` in any string (log lines, error messages). */
export function redactText(text: string, key: string | undefined): string {
  return key ? text.split(key).join(REDACTED) : text;
}
