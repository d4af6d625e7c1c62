/**
 * Builds a large export text from many small pieces in linear time and memory: pieces are
 * appended to a short string that is moved into a list every {@link CHUNK_CHARS} characters, and
 * the list is joined once. The exporters write JSON text directly through this instead of
 * building one object per event and calling JSON.stringify on the lot, which at 1e6 events cost
 * seconds of garbage collection and several times the output's size in heap.
 */

/** Characters gathered before a piece is moved to the chunk list. */
const CHUNK_CHARS = 1 << 16;

/** An append-only text. */
export class TextChunks {
  private readonly chunks: string[] = [];
  private current = '';

  /** Appends `piece`. */
  add(piece: string): void {
    this.current += piece;
    if (this.current.length >= CHUNK_CHARS) {
      this.chunks.push(this.current);
      this.current = '';
    }
  }

  /** The whole text. */
  toString(): string {
    return this.chunks.join('') + this.current;
  }
}
