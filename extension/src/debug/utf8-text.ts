/**
 * Decodes a byte stream as UTF-8 chunk by chunk without splitting a character, and keeps the
 * undecoded tail as bytes. (`setEncoding('utf8')` hides that tail inside the stream's decoder,
 * so a hand-off to a log file in mid-character would lose or mangle it.)
 */

/** Length in bytes of the longest prefix of `buf` that ends on a UTF-8 character boundary. */
export function completeUtf8Length(buf: Uint8Array): number {
  const n = buf.length;
  // A character is at most 4 bytes: look back over at most 3 continuation bytes (10xxxxxx).
  for (let i = n - 1; i >= 0 && i >= n - 4; i--) {
    const b = buf[i];
    if ((b & 0xc0) === 0x80) continue;
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return i + need > n ? i : n;
  }
  // Only continuation bytes (invalid input): decode as is, the decoder substitutes U+FFFD.
  return n;
}

/** One stream's decoder: text out, at most 3 pending bytes kept. */
export class Utf8Text {
  private pending: Buffer = Buffer.alloc(0);

  /** Decodes `chunk` after the pending bytes; returns the complete characters ('' if none). */
  push(chunk: Buffer): string {
    const buf = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    const end = completeUtf8Length(buf);
    this.pending = buf.subarray(end);
    return buf.toString('utf8', 0, end);
  }

  /** Returns and forgets the bytes of an incomplete trailing character (0 to 3 bytes). */
  takePending(): Buffer {
    const p = this.pending;
    this.pending = Buffer.alloc(0);
    return p;
  }
}
