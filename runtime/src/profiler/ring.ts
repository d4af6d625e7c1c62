/**
 * Preallocated struct-of-arrays ring buffers for raw events and context spans. Writing an event
 * touches only typed arrays (no allocation); when the ring is full the oldest slot is
 * overwritten and counted as dropped. Reading back into {@link ProfileEvent} objects happens
 * only when a snapshot is taken.
 */
import type { ContextSpan, ProfileEvent } from './types.js';

/** Dimensions kept per shape; deeper dimensions are cut (rank is kept in `rank`). */
export const MAX_DIMS = 6;
/** Shapes kept per event: two inputs and up to two outputs (moments). */
const SHAPES = 4;

/** Raw op events, one slot per event. */
export class EventRing {
  readonly capacity: number;
  /** Events ever written (next sequence number = written). */
  written = 0;
  /** Slot the next event goes to (written mod capacity, kept without a division). */
  private next = 0;
  readonly seq: Float64Array;
  readonly start: Float64Array;
  readonly end: Float64Array;
  readonly op: Int32Array;
  readonly backend: Int32Array;
  readonly dtype: Int32Array;
  readonly site: Int32Array;
  readonly context: Int32Array;
  readonly cell: Int32Array;
  readonly inIds: Int32Array;
  /** rank per shape slot (-1 = absent), then MAX_DIMS dims per shape slot. */
  readonly rank: Int8Array;
  readonly dims: Int32Array;
  readonly elements: Float64Array;
  readonly bytesRead: Float64Array;
  readonly bytesWritten: Float64Array;
  readonly gpuStart: Float64Array;
  readonly gpuEnd: Float64Array;
  readonly upload: Float64Array;
  readonly download: Float64Array;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.seq = new Float64Array(capacity).fill(-1);
    this.start = new Float64Array(capacity);
    this.end = new Float64Array(capacity);
    this.op = new Int32Array(capacity);
    this.backend = new Int32Array(capacity);
    this.dtype = new Int32Array(capacity);
    this.site = new Int32Array(capacity);
    this.context = new Int32Array(capacity);
    this.cell = new Int32Array(capacity);
    this.inIds = new Int32Array(capacity * 2);
    this.rank = new Int8Array(capacity * SHAPES);
    this.dims = new Int32Array(capacity * SHAPES * MAX_DIMS);
    this.elements = new Float64Array(capacity);
    this.bytesRead = new Float64Array(capacity);
    this.bytesWritten = new Float64Array(capacity);
    this.gpuStart = new Float64Array(capacity).fill(NaN);
    this.gpuEnd = new Float64Array(capacity).fill(NaN);
    this.upload = new Float64Array(capacity);
    this.download = new Float64Array(capacity);
  }

  /** Events overwritten so far. */
  get dropped(): number {
    return Math.max(0, this.written - this.capacity);
  }

  /** Claims the slot for event `id` (= written), overwriting the oldest when full. */
  claim(id: number): number {
    const slot = this.next;
    this.next = slot + 1 === this.capacity ? 0 : slot + 1;
    this.written = id + 1;
    this.seq[slot] = id;
    return slot;
  }

  /** Slot of event `id`, or -1 when it was overwritten (or never written). */
  slotOf(id: number): number {
    const slot = id % this.capacity;
    return this.seq[slot] === id ? slot : -1;
  }

  /** Stores a shape (shape slot 0,1 = inputs; 2,3 = outputs) for the event in `slot`. */
  setShape(slot: number, which: number, shape: readonly number[] | null): void {
    const r = slot * SHAPES + which;
    if (shape === null) {
      this.rank[r] = -1;
      return;
    }
    const n = shape.length;
    this.rank[r] = n;
    const base = r * MAX_DIMS;
    for (let i = 0; i < n && i < MAX_DIMS; i++) this.dims[base + i] = shape[i]!;
  }

  /** Marks shape slot `which` of the event in `slot` as absent. */
  noShape(slot: number, which: number): void {
    this.rank[slot * SHAPES + which] = -1;
  }

  private shapeAt(slot: number, which: number): number[] | null {
    const r = slot * SHAPES + which;
    const n = this.rank[r]!;
    if (n < 0) return null;
    const out: number[] = [];
    for (let i = 0; i < n && i < MAX_DIMS; i++) out.push(this.dims[r * MAX_DIMS + i]!);
    return out;
  }

  /** Retained events, oldest first, as plain records. */
  toEvents(strings: readonly string[], thread: number, shiftMs: number): ProfileEvent[] {
    const out: ProfileEvent[] = [];
    const first = Math.max(0, this.written - this.capacity);
    for (let id = first; id < this.written; id++) {
      const s = id % this.capacity;
      const shapes = [0, 1, 2, 3].map((w) => this.shapeAt(s, w));
      const gs = this.gpuStart[s]!, ge = this.gpuEnd[s]!;
      out.push({
        id, op: strings[this.op[s]!]!, backend: strings[this.backend[s]!]!, dtype: strings[this.dtype[s]!] ?? '',
        inputShapes: shapes.slice(0, 2).filter((x): x is number[] => x !== null),
        outputShapes: shapes.slice(2).filter((x): x is number[] => x !== null),
        inputIds: [this.inIds[2 * s]!, this.inIds[2 * s + 1]!],
        elements: this.elements[s]!, bytesRead: this.bytesRead[s]!, bytesWritten: this.bytesWritten[s]!,
        startMs: this.start[s]! + shiftMs, endMs: this.end[s]! + shiftMs,
        context: this.context[s]!, site: this.site[s]!, thread,
        ...(Number.isNaN(gs) ? {} : { gpuStartMs: gs + shiftMs, gpuEndMs: ge + shiftMs }),
        uploadBytes: this.upload[s]!, downloadBytes: this.download[s]!,
      });
    }
    return out;
  }
}

/** Closed context/function spans. */
export class SpanRing {
  written = 0;
  readonly context: Int32Array;
  readonly start: Float64Array;
  readonly end: Float64Array;

  constructor(readonly capacity: number) {
    this.context = new Int32Array(capacity);
    this.start = new Float64Array(capacity);
    this.end = new Float64Array(capacity);
  }

  get dropped(): number {
    return Math.max(0, this.written - this.capacity);
  }

  push(context: number, start: number, end: number): void {
    const s = this.written++ % this.capacity;
    this.context[s] = context;
    this.start[s] = start;
    this.end[s] = end;
  }

  toSpans(thread: number, shiftMs: number): ContextSpan[] {
    const out: ContextSpan[] = [];
    for (let i = Math.max(0, this.written - this.capacity); i < this.written; i++) {
      const s = i % this.capacity;
      out.push({ context: this.context[s]!, startMs: this.start[s]! + shiftMs, endMs: this.end[s]! + shiftMs, thread });
    }
    return out;
  }
}
