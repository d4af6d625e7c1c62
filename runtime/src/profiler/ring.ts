/**
 * Preallocated array-of-structs ring buffers for raw events and context spans. Each event slot is
 * one contiguous {@link SLOT_BYTES}-byte record in a single ArrayBuffer, seen through a Float64Array
 * (times, sizes) and an Int32Array (ids, shapes), so recording an event touches 3–4 adjacent cache
 * lines instead of one line in each of ~15 separate arrays (struct-of-arrays): after a kernel has
 * streamed its data through the cache those lines are cold again, and each was a miss. Writing an
 * event allocates nothing; when the ring is full the oldest slot is overwritten and counted as
 * dropped. Reading back into {@link ProfileEvent} objects happens only when a snapshot is taken.
 */
import { allocEventColumns, allocSpanColumns, type EventColumns, type SpanColumns } from './event-columns.js';
import { allocRuleColumns, type RuleColumns } from './rule-columns.js';
import type { ContextSpan, ProfileEvent } from './types.js';

/** Dimensions kept per shape; deeper dimensions are cut (rank is kept in the shape's rank field). */
export const MAX_DIMS = 6;
/** Shapes kept per event: two inputs and up to two outputs (moments). */
const SHAPES = 4;

// Float64 fields of a slot (index within the slot's f64 record).
export const F_SEQ = 0, F_START = 1, F_END = 2, F_ELEMENTS = 3, F_BYTES_READ = 4, F_BYTES_WRITTEN = 5,
  F_GPU_START = 6, F_GPU_END = 7, F_UPLOAD = 8, F_DOWNLOAD = 9;
const F_FIELDS = 10;
// Int32 fields of a slot, after the f64 fields (index within the slot's i32 record).
export const I_OP = 2 * F_FIELDS, I_BACKEND = I_OP + 1, I_DTYPE = I_OP + 2, I_SITE = I_OP + 3, I_CONTEXT = I_OP + 4,
  I_CELL = I_OP + 5, I_IN0 = I_OP + 6, I_IN1 = I_OP + 7, I_STACK = I_OP + 8;
/** Shape `w` of a slot: rank (-1 = absent) at I_SHAPES + w·(1 + MAX_DIMS), then its dims (after one int32 of padding). */
export const I_SHAPES = I_OP + 10, SHAPE_STRIDE = 1 + MAX_DIMS;
const I_FIELDS = I_SHAPES + SHAPES * SHAPE_STRIDE; // 58 int32 = 232 bytes
/** Bytes per event slot (a multiple of 8). */
export const SLOT_BYTES = I_FIELDS * 4;
/** Stride of a slot in the f64 / i32 views. */
export const F_STRIDE = SLOT_BYTES / 8, I_STRIDE = SLOT_BYTES / 4;

/** Raw op events, one contiguous record per event. */
export class EventRing {
  readonly capacity: number;
  /** Events ever written (next sequence number = written). */
  written = 0;
  /** Slot the next event goes to (written mod capacity, kept without a division). */
  private next = 0;
  /** Float64 view of the slots: slot s's fields at s·F_STRIDE + F_*. */
  readonly f: Float64Array;
  /** Int32 view of the same memory: slot s's fields at s·I_STRIDE + I_*. */
  readonly i: Int32Array;

  constructor(capacity: number) {
    this.capacity = capacity;
    const buf = new ArrayBuffer(capacity * SLOT_BYTES);
    this.f = new Float64Array(buf);
    this.i = new Int32Array(buf);
    // Nothing is written here: the OS backs the buffer's pages as events first reach them. Filling every
    // slot's sequence number up front touched all 23 MB of the default ring at enableProfiling(), 0.14 s
    // on this project's VMs (~22 µs a page), for a short script's hundred events. slotOf checks the range.
  }

  /** Events overwritten so far. */
  get dropped(): number {
    return Math.max(0, this.written - this.capacity);
  }

  /**
   * Empties the ring for a new recording (Recorder.giveRings), keeping its memory. O(1): the old
   * slots stay as they are, and none of them is read again: every read is of an id below `written`
   * (slotOf checks the range), and the slots of those ids have been claimed again since.
   */
  reset(): void {
    this.written = 0;
    this.next = 0;
  }

  /** Claims the slot for event `id` (= written), overwriting the oldest when full. */
  claim(id: number): number {
    const slot = this.next;
    this.next = slot + 1 === this.capacity ? 0 : slot + 1;
    this.written = id + 1;
    this.f[slot * F_STRIDE + F_SEQ] = id;
    return slot;
  }

  /** Slot of event `id`, or -1 when it was overwritten (or never written). */
  slotOf(id: number): number {
    if (id < 0 || id >= this.written || id < this.written - this.capacity) return -1;
    const slot = id % this.capacity;
    return this.f[slot * F_STRIDE + F_SEQ] === id ? slot : -1;
  }

  /** Stores a shape (shape slot 0,1 = inputs; 2,3 = outputs) for the event in `slot`. */
  setShape(slot: number, which: number, shape: readonly number[] | null): void {
    const r = slot * I_STRIDE + I_SHAPES + which * SHAPE_STRIDE, a = this.i;
    if (shape === null) {
      a[r] = -1;
      return;
    }
    const n = shape.length;
    a[r] = n;
    for (let k = 0; k < n && k < MAX_DIMS; k++) a[r + 1 + k] = shape[k]!;
  }

  /** Marks shape slot `which` of the event in `slot` as absent. */
  noShape(slot: number, which: number): void {
    this.i[slot * I_STRIDE + I_SHAPES + which * SHAPE_STRIDE] = -1;
  }

  /**
   * Shape `which` of the event in `slot`, or null when absent. `last` holds the previous event's
   * shape of the same kind: an equal shape is returned as that same (read-only by contract)
   * array, so a loop over same-shaped ops costs no array per shape when a snapshot is taken.
   */
  private shapeAt(slot: number, which: number, last: (number[] | null)[]): number[] | null {
    const r = slot * I_STRIDE + I_SHAPES + which * SHAPE_STRIDE, a = this.i;
    const n = a[r]!;
    if (n < 0) return null;
    const m = n < MAX_DIMS ? n : MAX_DIMS, prev = last[which];
    if (prev !== null && prev !== undefined && prev.length === m) {
      let same = true;
      for (let k = 0; k < m && same; k++) same = prev[k] === a[r + 1 + k];
      if (same) return prev;
    }
    const out: number[] = new Array<number>(m);
    for (let k = 0; k < m; k++) out[k] = a[r + 1 + k]!;
    last[which] = out;
    return out;
  }

  /**
   * Retained events, oldest first, as plain records. Linear in the retained events, with as few
   * allocations per event as the record allows (at 1e6 events garbage collection was most of a
   * snapshot's cost): equal consecutive shapes and shape lists share one array.
   */
  toEvents(strings: readonly string[], thread: number, shiftMs: number): ProfileEvent[] {
    const out: ProfileEvent[] = [];
    const first = Math.max(0, this.written - this.capacity);
    const f = this.f, a = this.i;
    const last: (number[] | null)[] = [null, null, null, null];
    let lastIn: number[][] = [], lastOut: number[][] = [];
    const list = (x: number[] | null, y: number[] | null, prev: number[][]): number[][] => {
      const len = (x ? 1 : 0) + (y ? 1 : 0);
      if (prev.length === len && (len === 0 || (prev[0] === (x ?? y) && (len === 1 || prev[1] === y)))) return prev;
      return x ? (y ? [x, y] : [x]) : y ? [y] : [];
    };
    for (let id = first; id < this.written; id++) {
      const s = id % this.capacity, fb = s * F_STRIDE, ib = s * I_STRIDE;
      const inputShapes = (lastIn = list(this.shapeAt(s, 0, last), this.shapeAt(s, 1, last), lastIn));
      const outputShapes = (lastOut = list(this.shapeAt(s, 2, last), this.shapeAt(s, 3, last), lastOut));
      const gs = f[fb + F_GPU_START]!, ge = f[fb + F_GPU_END]!;
      const e: { -readonly [K in keyof ProfileEvent]: ProfileEvent[K] } = {
        id, op: strings[a[ib + I_OP]!]!, backend: strings[a[ib + I_BACKEND]!]!, dtype: strings[a[ib + I_DTYPE]!] ?? '',
        inputShapes, outputShapes,
        inputIds: [a[ib + I_IN0]!, a[ib + I_IN1]!],
        elements: f[fb + F_ELEMENTS]!, bytesRead: f[fb + F_BYTES_READ]!, bytesWritten: f[fb + F_BYTES_WRITTEN]!,
        startMs: f[fb + F_START]! + shiftMs, endMs: f[fb + F_END]! + shiftMs,
        context: a[ib + I_CONTEXT]!, site: a[ib + I_SITE]!, stack: a[ib + I_STACK]!, thread,
        uploadBytes: f[fb + F_UPLOAD]!, downloadBytes: f[fb + F_DOWNLOAD]!,
      };
      // Added only when timed (no object spread: it took the slow path for every event).
      if (!Number.isNaN(gs)) { e.gpuStartMs = gs + shiftMs; e.gpuEndMs = ge + shiftMs; }
      out.push(e);
    }
    return out;
  }
  /**
   * Retained events, oldest first, as columns: no object per event (see event-columns.ts). Op and
   * backend ids index `strings`, which the columns keep as their names (the caller's array, not a copy).
   */
  toColumns(strings: readonly string[], thread: number, shiftMs: number): EventColumns {
    const first = Math.max(0, this.written - this.capacity), n = this.written - first;
    const c = allocEventColumns(n, strings);
    const f = this.f, a = this.i;
    for (let k = 0; k < n; k++) {
      const s = (first + k) % this.capacity, fb = s * F_STRIDE, ib = s * I_STRIDE;
      c.op[k] = a[ib + I_OP]!; c.backend[k] = a[ib + I_BACKEND]!; c.site[k] = a[ib + I_SITE]!; c.context[k] = a[ib + I_CONTEXT]!;
      c.stack[k] = a[ib + I_STACK]!;
      c.startMs[k] = f[fb + F_START]! + shiftMs; c.endMs[k] = f[fb + F_END]! + shiftMs;
      const gs = f[fb + F_GPU_START]!;
      if (!Number.isNaN(gs)) { c.gpuStartMs[k] = gs + shiftMs; c.gpuEndMs[k] = f[fb + F_GPU_END]! + shiftMs; }
    }
    if (thread !== 0) c.thread.fill(thread);
    return c;
  }
  /**
   * Retained events, oldest first, as the recommendation rules read them (rule-columns.ts): no
   * object per event; a shape list is built only when it differs from the previous event's.
   * Names index `strings` (the caller's array, not a copy); op/backend/site must be resolved first.
   * `fromId`: the first event id wanted (a segment's), when it is still retained.
   */
  toRuleColumns(strings: readonly string[], thread: number, shiftMs: number, fromId = 0): RuleColumns {
    const first = Math.max(0, this.written - this.capacity, fromId), n = Math.max(0, this.written - first);
    const { columns: c, intern } = allocRuleColumns(n, strings);
    const f = this.f, a = this.i;
    const last: (number[] | null)[] = [null, null, null, null];
    let x0: number[] | null | undefined, y0: number[] | null | undefined, x1: number[] | null | undefined, y1: number[] | null | undefined;
    let inId = -1, outId = -1, prev = 0;
    const list = (x: number[] | null, y: number[] | null): number[][] => (x ? (y ? [x, y] : [x]) : y ? [y] : []);
    for (let k = 0; k < n; k++) {
      const s = (first + k) % this.capacity, fb = s * F_STRIDE, ib = s * I_STRIDE;
      c.op[k] = a[ib + I_OP]!; c.backend[k] = a[ib + I_BACKEND]!; c.dtype[k] = a[ib + I_DTYPE]!; c.site[k] = a[ib + I_SITE]!;
      c.stack[k] = a[ib + I_STACK]!; c.in0[k] = a[ib + I_IN0]!; c.in1[k] = a[ib + I_IN1]!;
      c.startMs[k] = f[fb + F_START]! + shiftMs; c.endMs[k] = f[fb + F_END]! + shiftMs; c.elements[k] = f[fb + F_ELEMENTS]!;
      // Consecutive events of a loop mostly repeat their shapes: compare the slot's shape ints with the
      // previous event's first (no array); shapeAt returns the previous array for an equal shape.
      if (inId < 0 || !sameShapes(a, ib, prev, 0)) {
        const xi = this.shapeAt(s, 0, last), yi = this.shapeAt(s, 1, last);
        if (inId < 0 || xi !== x0 || yi !== y0) { inId = intern(list(xi, yi)); x0 = xi; y0 = yi; }
      }
      if (outId < 0 || !sameShapes(a, ib, prev, 2)) {
        const xo = this.shapeAt(s, 2, last), yo = this.shapeAt(s, 3, last);
        if (outId < 0 || xo !== x1 || yo !== y1) { outId = intern(list(xo, yo)); x1 = xo; y1 = yo; }
      }
      c.inShapes[k] = inId; c.outShapes[k] = outId;
      prev = ib;
    }
    if (thread !== 0) c.thread.fill(thread);
    return c;
  }
}

/**
 * Whether shapes `w` and `w + 1` of the slots at int32 offsets `ib` and `jb` of `a` are equal (ranks,
 * and the dimensions kept within them); dimensions past a shape's rank are stale and not compared.
 */
function sameShapes(a: Int32Array, ib: number, jb: number, w: number): boolean {
  for (let v = w; v < w + 2; v++) {
    const r = ib + I_SHAPES + v * SHAPE_STRIDE, q = jb + I_SHAPES + v * SHAPE_STRIDE, n = a[r]!;
    if (n !== a[q]) return false;
    for (let k = 1, m = n < MAX_DIMS ? n : MAX_DIMS; k <= m; k++) if (a[r + k] !== a[q + k]) return false;
  }
  return true;
}

/** A context span's node and clock times, ms, and the profiler's own time inside it (absent: 0). */
interface Span {
  readonly context: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly profilerMs?: number;
}

/** Closed context/function spans. */
export class SpanRing {
  written = 0;
  readonly context: Int32Array;
  readonly start: Float64Array;
  readonly end: Float64Array;
  /** The profiler's own time inside each span, ms (0 unless {@link setLastProfilerMs} gave it). */
  readonly profiler: Float64Array;

  constructor(readonly capacity: number) {
    this.context = new Int32Array(capacity);
    this.start = new Float64Array(capacity);
    this.end = new Float64Array(capacity);
    this.profiler = new Float64Array(capacity);
  }

  get dropped(): number {
    return Math.max(0, this.written - this.capacity);
  }

  /** Empties the ring for a new recording, keeping its memory (only slots below `written` are read). */
  reset(): void {
    this.written = 0;
  }

  push(context: number, start: number, end: number): void {
    const s = this.written++ % this.capacity;
    this.context[s] = context;
    this.start[s] = start;
    this.end[s] = end;
    this.profiler[s] = 0;
  }

  /**
   * Sets the profiler's own time inside the span pushed last, ms: the span sink (session.ts) gives it after the
   * recorder pushed the span, so the context medians (steady-medians.ts) take each entry's wall time as the
   * report's statistics do, less the profiler's captures.
   */
  setLastProfilerMs(ms: number): void {
    if (this.written > 0) this.profiler[(this.written - 1) % this.capacity] = ms;
  }

  /**
   * Retained spans, oldest first, as columns (no object per span); then `open`, the spans of frames
   * still open, ending at the snapshot (context.ts openSpans).
   */
  toColumns(thread: number, shiftMs: number, open: readonly Span[] = []): SpanColumns {
    const first = Math.max(0, this.written - this.capacity), n = this.written - first;
    const c = allocSpanColumns(n + open.length);
    for (let k = 0; k < n; k++) {
      const s = (first + k) % this.capacity;
      c.context[k] = this.context[s]!; c.startMs[k] = this.start[s]! + shiftMs; c.endMs[k] = this.end[s]! + shiftMs; c.profilerMs[k] = this.profiler[s]!;
    }
    for (let k = 0; k < open.length; k++) {
      const o = open[k]!;
      c.context[n + k] = o.context; c.startMs[n + k] = o.startMs + shiftMs; c.endMs[n + k] = o.endMs + shiftMs; c.profilerMs[n + k] = o.profilerMs ?? 0;
    }
    if (thread !== 0) c.thread.fill(thread);
    return c;
  }

  /** Retained spans, oldest first, as records; then `open` (see {@link toColumns}). */
  toSpans(thread: number, shiftMs: number, open: readonly Span[] = []): ContextSpan[] {
    const out: ContextSpan[] = [];
    for (let i = Math.max(0, this.written - this.capacity); i < this.written; i++) {
      const s = i % this.capacity;
      out.push({ context: this.context[s]!, startMs: this.start[s]! + shiftMs, endMs: this.end[s]! + shiftMs, thread, profilerMs: this.profiler[s]! });
    }
    for (const o of open) out.push({ context: o.context, startMs: o.startMs + shiftMs, endMs: o.endMs + shiftMs, thread, profilerMs: o.profilerMs ?? 0 });
    return out;
  }
}
