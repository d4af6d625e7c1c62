/**
 * Writes a large export text from many small pieces in linear time and bounded memory: pieces are
 * appended to a short string that is handed to a sink (the file being written, or a list for a
 * caller that wants the whole text) every {@link CHUNK_CHARS} characters. Streamed to a file, each
 * chunk is garbage once written, so memory stays at one chunk whatever the output's size. The
 * exporters write JSON text directly through this instead of building one object per event and
 * calling JSON.stringify on the lot, which at 1e6 events cost seconds of garbage collection and
 * several times the output's size in heap.
 */

/** Characters gathered before a chunk is handed on. */
const CHUNK_CHARS = 1 << 16;

/** Receives an export's text in order, one chunk at a time. */
export type TextSink = (chunk: string) => void;

/** An append-only text streamed to a {@link TextSink}. */
export class TextChunks {
  private current = '';

  constructor(private readonly sink: TextSink) {}

  /** Appends `piece`. */
  add(piece: string): void {
    this.current += piece;
    if (this.current.length >= CHUNK_CHARS) this.flush();
  }

  /** Hands the gathered text on now (call once at the end). */
  flush(): void {
    if (this.current === '') return;
    this.sink(this.current);
    this.current = '';
  }
}

/** Runs a streaming exporter into one string (for callers that want the whole text). */
export function collectText(stream: (sink: TextSink) => void): string {
  const parts: string[] = [];
  stream((chunk) => parts.push(chunk));
  return parts.join('');
}
