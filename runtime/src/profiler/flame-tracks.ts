/**
 * Where each slice of the flame model goes: nesting by context identity, on tracks. A slice's
 * parent is the open span of the context it belongs to (an op: the context it was issued in; a
 * span: its context's parent node), not merely the slice that happens to be open at its start.
 * Within one track slices always nest properly; a context that runs concurrently with another —
 * two async contexts that overlap without one being inside the other — cannot nest there, so it
 * opens on another track of its thread (1, 2, …; track 0 is the thread's own), with its ops.
 * Before tracks the builder nested by time alone and clamped such a context to the one it
 * overlapped: the Chrome trace showed 40.1 ms for a context the report measured at 81.8 ms, with
 * one of its ops outside it.
 *
 * One instance per flame build; slices must be placed in (thread, start, longer first) order.
 * Allocates per track, never per slice.
 */

/** Open slices of one track, innermost last. */
interface Track {
  readonly index: number[];
  readonly end: number[];
  readonly node: number[];
}

/** The open slices of the current thread, on tracks; {@link place} then {@link open} per slice. */
export class OpenTracks {
  private thread = Number.NaN;
  private readonly tracks: Track[] = [];
  /** Result of the last {@link place}: track, parent slice index (-1: none), depth within the track, end (clamped to a same-track parent). */
  track = 0;
  parent = -1;
  depth = 0;
  end = 0;

  /**
   * Chooses the track, parent and depth of a slice of `thread` over [start, end) belonging to
   * context node `node` (-1: none) whose enclosing context node is `within` (0: the root; -1: no
   * identity, nest by time on track 0, as one-time costs do).
   */
  place(thread: number, start: number, end: number, within: number): void {
    if (thread !== this.thread) {
      this.thread = thread;
      for (const t of this.tracks) { t.index.length = 0; t.end.length = 0; t.node.length = 0; }
    }
    for (const t of this.tracks) {
      while (t.end.length > 0 && t.end[t.end.length - 1]! <= start) { t.index.pop(); t.end.pop(); t.node.pop(); }
    }
    let track = -1, parent = -1;
    if (within === -1) {
      track = 0;
    } else if (within > 0) {
      // The track whose innermost open slice is the enclosing context's span.
      for (let k = 0; k < this.tracks.length && track < 0; k++) {
        const t = this.tracks[k]!, n = t.node.length;
        if (n > 0 && t.node[n - 1] === within) track = k;
      }
      // Open but under another slice (a concurrent sibling): keep it as the parent, on a free track.
      if (track < 0) {
        for (let k = 0; k < this.tracks.length && parent < 0; k++) {
          const t = this.tracks[k]!;
          for (let d = t.node.length - 1; d >= 0 && parent < 0; d--) if (t.node[d] === within) parent = t.index[d]!;
        }
      }
    }
    // Else the first free track (a new one when none is).
    for (let k = 0; k < this.tracks.length && track < 0; k++) if (this.tracks[k]!.index.length === 0) track = k;
    if (track < 0) track = this.tracks.length;
    while (this.tracks.length <= track) this.tracks.push({ index: [], end: [], node: [] });
    const t = this.tracks[track]!, n = t.index.length;
    this.track = track;
    this.depth = n;
    if (n > 0) {
      this.parent = t.index[n - 1]!;
      // Inside a same-track parent: never past its end (the nesting stays proper).
      this.end = Math.min(end, t.end[n - 1]!);
    } else {
      this.parent = parent;
      this.end = end;
    }
  }

  /** Opens the slice just placed, as slice `index` of context node `node` (-1: none). */
  open(index: number, node: number): void {
    const t = this.tracks[this.track]!;
    t.index.push(index); t.end.push(this.end); t.node.push(node);
  }
}
