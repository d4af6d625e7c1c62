/**
 * The allocator for the kernels' linear memory: every storage of the wasm backend is a block
 * here, addressed by byte offset.
 *
 * Layout: [0, __heap_base) belongs to Rust (stack and statics); the heap grows upward from
 * there. Blocks are 16-byte aligned (SIMD loads/stores), and blocks of {@link LINE_MIN_BYTES} or
 * more start on a 64-byte cache line (see {@link LINE}). Freed blocks go to an address-sorted
 * free list and are coalesced with free neighbours; a free block that reaches the top of the
 * heap lowers the top instead. Allocation is best fit from the free list (exact fits return
 * at once), else a bump of the top, growing the memory when needed; the bytes skipped to reach a
 * cache line stay on the free list for small blocks.
 *
 * Growth is geometric (the memory doubles, by at most {@link MAX_GROW_STEP} a step), recorded as the
 * one-time cost "grow wasm memory +N MB". New pages are touched once when an allocation first reaches
 * them, a stretch ahead ({@link TOUCH_AHEAD}, {@link TOUCH_AHEAD_FRACTION}), recorded as the one-time
 * cost "first touch of new wasm memory": the OS's first-touch page faults (~22 µs per 4 KiB page on
 * this project's VMs, 90 ms per 16 MB) then belong to that cost and not to the kernel that first writes
 * there, and only pages the program uses are paid for (touching each doubling whole made a loop that
 * needed 40 MB touch 76 MB).
 */

import { formatBytes } from '../../contract/units.js';
import { recordOneTimeCost } from '../../one-time-costs.js';
import { stallOverMs } from '../../stall.js';
import type { WasmMemory } from './loader.js';

/** Block granularity and alignment (bytes). */
const ALIGN = 16;
/**
 * Alignment of large blocks (bytes): one cache line. The binary kernels store four 16-byte vectors
 * per trip; with the output 16 or 32 bytes past a line they ran ~1.5× slower than at 0 (x.mul(1.5)
 * over 1e5 float32: 0.034 against 0.022 ms on the 2-core Xeon VM measured; 0 and 48 fast, copies
 * unaffected; runtime/BENCHMARKS.md "Cache-line alignment"). Which offset a result got depended on
 * what had been allocated before, e.g. whether the profiler's warm-up had run (audit 25 3a).
 */
export const LINE = 64;
/** Blocks of at least this many bytes start on a {@link LINE}; smaller ones (scalars, walk scratch) keep 16. */
export const LINE_MIN_BYTES = 1024;
const PAGE = 65536;
/** Largest wasm32 linear memory (bytes). */
const MAX_BYTES = 2 ** 32;
/** Most one geometric step adds (bytes): past 256 MB, doubling would reserve far more than a program uses. */
export const MAX_GROW_STEP = 256 * 2 ** 20;
/** OS page size assumed when touching new memory (bytes); a larger real page is touched more than once, harmlessly. */
const OS_PAGE = 4096;
/** Least stretch of new pages touched at once, bytes: small allocations crossing the touched end share one touch. */
const TOUCH_AHEAD = 1 << 20;
/**
 * The stretch is this fraction of the heap touched so far when that is more than TOUCH_AHEAD: a loop whose
 * results fill fresh memory pays O(log) touches, not one per MB. Each touch takes the kernels' data out of the
 * CPU caches (the OS zeroes every new page): Example 3's loop with a touch every 2–3 calls ran its calls ~1.8×
 * the warm trial's, ~1.4× with this stretch. At most this fraction more than the program uses is touched.
 */
const TOUCH_AHEAD_FRACTION = 0.25;
/**
 * A touch is timed in pieces of this many bytes (16 OS pages, ~0.35 ms at ~22 µs a page) so that a stall of the
 * machine in the middle of it (the process descheduled: 1.2 MB read 4.7 ms in one run and 102 ms in another at
 * load 5.5, audit 31) is told apart from the page faults; the undisposed-tensors rule leaves it out of its saving.
 */
const TOUCH_PIECE = 16 * OS_PAGE;
/**
 * What stalls took of a touch timed in pieces (`bytes[i]` touched in `ms[i]`), ms: over each stalled piece (../../stall.ts,
 * against what the median piece's time per byte gives it), its time less that. 0 with fewer than 3 pieces.
 */
export function stalledMs(bytes: readonly number[], ms: readonly number[]): number {
  if (bytes.length < 3) return 0;
  const rates = bytes.map((b, i) => ms[i]! / Math.max(1, b)).sort((a, b) => a - b);
  const rate = rates[rates.length >> 1]!;
  let out = 0;
  for (let i = 0; i < bytes.length; i++) {
    out += stallOverMs(ms[i]!, rate * bytes[i]!);
  }
  return out;
}

/*
 * In-place removal and insertion for the free lists. `splice` allocates the array of removed
 * elements it returns and runs as a generic builtin: with one alloc and one release per small op
 * it was ~10 % of a 16-element add (perf profile, runtime/BENCHMARKS.md "The tensor layer").
 */
function removeAt(a: number[], i: number): void {
  const n = a.length - 1;
  for (let k = i; k < n; k++) a[k] = a[k + 1]!;
  a.pop();
}

function insertAt(a: number[], i: number, v: number): void {
  a.push(v);
  for (let k = a.length - 1; k > i; k--) a[k] = a[k - 1]!;
  a[i] = v;
}

/** Bytes from `off` (a multiple of 16) to the next multiple of {@link LINE}: 0, 16, 32 or 48. */
function headToLine(off: number): number {
  return (LINE - (off % LINE)) % LINE; // not `&`: offsets may exceed 31 bits
}

/** A heap inside one `WebAssembly.Memory`. */
export class LinearHeap {
  /** Byte view of the whole memory; replaced after every grow (the old buffer is detached). */
  u8!: Uint8Array;
  f32!: Float32Array;
  i32!: Int32Array;
  /** Bytes in live blocks (rounded to {@link ALIGN}). */
  bytesInUse = 0;
  /** Number of live blocks. */
  blocks = 0;
  private top: number;
  /** Offset below which every page has been touched (allocations past it touch theirs first; see `touch`). */
  private touched: number;
  private readonly base: number;
  /** Free blocks, sorted by offset: parallel arrays avoid an object per block. */
  private freeOff: number[] = [];
  private freeSize: number[] = [];

  constructor(private readonly memory: WasmMemory, heapBase: number) {
    this.base = Math.ceil(heapBase / ALIGN) * ALIGN;
    this.top = this.base;
    // The module's initial memory holds Rust's region; a first allocation there is not worth a recorded cost.
    this.touched = memory.buffer.byteLength;
    this.refresh();
  }

  /** Bytes reserved from the engine for the heap (memory size minus Rust's region). */
  get bytesReserved(): number {
    return this.memory.buffer.byteLength - this.base;
  }

  /** Re-creates the typed-array views (needed after `memory.grow`). */
  refresh(): void {
    const buf = this.memory.buffer;
    this.u8 = new Uint8Array(buf);
    this.f32 = new Float32Array(buf);
    this.i32 = new Int32Array(buf);
  }

  /**
   * Allocates `bytes` (rounded up to 16) and returns the block's byte offset: a multiple of 16, of
   * {@link LINE} (64) when the block is {@link LINE_MIN_BYTES} or more. Zero bytes returns an aligned
   * offset without allocating. Throws when the memory cannot grow.
   */
  alloc(bytes: number): number {
    if (bytes === 0) return this.base;
    const size = Math.ceil(bytes / ALIGN) * ALIGN; // not `&`: sizes may exceed 32 bits
    const line = size >= LINE_MIN_BYTES;
    // Best fit by usable size: a free block's bytes from its first line when the block needs one.
    let best = -1, bestSize = 0;
    for (let i = 0; i < this.freeSize.length; i++) {
      const s = line ? this.freeSize[i]! - headToLine(this.freeOff[i]!) : this.freeSize[i]!;
      if (s >= size && (best < 0 || s < bestSize)) {
        best = i;
        bestSize = s;
        if (s === size) break;
      }
    }
    let off: number;
    if (best >= 0) {
      const f = this.freeOff[best]!, end = f + this.freeSize[best]!;
      off = line ? f + headToLine(f) : f;
      // What is left either side stays free: the skipped head (under a line) and the tail.
      const rest = end - off - size;
      if (off > f) {
        this.freeSize[best] = off - f;
        if (rest > 0) {
          insertAt(this.freeOff, best + 1, off + size);
          insertAt(this.freeSize, best + 1, rest);
        }
      } else if (rest > 0) {
        this.freeOff[best] = off + size;
        this.freeSize[best] = rest;
      } else {
        removeAt(this.freeOff, best);
        removeAt(this.freeSize, best);
      }
    } else {
      const from = this.top;
      off = line ? from + headToLine(from) : from;
      const end = off + size;
      if (end > this.memory.buffer.byteLength) this.grow(end, bytes);
      if (end > this.touched) this.touch(end, 'first touch of new wasm memory');
      // The skipped bytes sit above every free block (a free block never reaches the top).
      if (off > from) {
        this.freeOff.push(from);
        this.freeSize.push(off - from);
      }
      this.top = end;
    }
    this.bytesInUse += size;
    this.blocks++;
    return off;
  }

  /** Returns a block from {@link alloc} (`bytes` as passed to alloc). */
  release(off: number, bytes: number): void {
    if (bytes === 0) return;
    const size = Math.ceil(bytes / ALIGN) * ALIGN; // not `&`: sizes may exceed 32 bits
    this.bytesInUse -= size;
    this.blocks--;
    // Binary search for the insertion point, then merge with the neighbours.
    let lo = 0, hi = this.freeOff.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.freeOff[mid]! < off) lo = mid + 1; else hi = mid;
    }
    let start = off, end = off + size;
    if (lo > 0 && this.freeOff[lo - 1]! + this.freeSize[lo - 1]! === start) {
      lo--;
      start = this.freeOff[lo]!;
      removeAt(this.freeOff, lo);
      removeAt(this.freeSize, lo);
    }
    if (lo < this.freeOff.length && this.freeOff[lo] === end) {
      end += this.freeSize[lo]!;
      removeAt(this.freeOff, lo);
      removeAt(this.freeSize, lo);
    }
    if (end === this.top) {
      this.top = start;
      return;
    }
    insertAt(this.freeOff, lo, start);
    insertAt(this.freeSize, lo, end - start);
  }

  /**
   * Makes the heap at least `bytes` large (bytes past Rust's region) now, its pages touched, so later
   * allocations up to that size neither grow the memory nor fault in fresh pages. Recorded as the
   * one-time cost "reserve wasm memory +N MB". Returns the bytes made ready (0 when already so).
   */
  reserve(bytes: number): number {
    if (!Number.isFinite(bytes) || bytes < 0) throw new RangeError(`wasm backend: reserve must be a number of bytes ≥ 0, got ${bytes}`);
    const needEnd = this.base + bytes;
    if (needEnd <= this.touched) return 0;
    if (needEnd > MAX_BYTES) throw new RangeError(`wasm backend: cannot reserve ${bytes} bytes; wasm32 linear memory stops at ${MAX_BYTES} bytes`);
    const t0 = performance.now(), from = this.touched;
    const have = this.memory.buffer.byteLength;
    if (needEnd > have) {
      this.memory.grow(Math.ceil((needEnd - have) / PAGE));
      this.refresh();
    }
    this.touchPages(needEnd);
    const added = this.touched - from;
    recordOneTimeCost(`reserve wasm memory +${formatBytes(added)}`, 'memory', t0, performance.now(), added);
    return added;
  }

  /** Grows the memory to hold `needEnd` bytes: doubling, by at most MAX_GROW_STEP, never less than needed. */
  private grow(needEnd: number, asked: number): void {
    const have = this.memory.buffer.byteLength;
    const minPages = Math.ceil((needEnd - have) / PAGE);
    const pages = Math.max(minPages, Math.ceil(Math.min(have, MAX_GROW_STEP) / PAGE));
    // wasm32 addresses stop at 4 GiB: past that, growing cannot help.
    const fail = (): never => {
      // One storage bigger than the heap can ever be: freeing other tensors cannot help, so do not suggest it.
      if (asked > MAX_BYTES - this.base) {
        throw new Error(
          `wasm backend: out of memory: one storage of ${asked} bytes (${formatBytes(asked)}) is more than the wasm backend can ` +
          `hold at all (wasm32 linear memory stops at 4 GiB, ${formatBytes(MAX_BYTES - this.base)} of it for tensors). Work on ` +
          'it in smaller pieces (slices or batches), or use the webgpu backend',
        );
      }
      throw new Error(
        `wasm backend: out of memory: asked for ${asked} bytes with ${this.bytesInUse} bytes live in ` +
        `${this.blocks} storages (linear memory is ${have} bytes and cannot grow by ${minPages * PAGE} more). ` +
        // A loop that never yields keeps even unreachable tensors: their release runs on the event loop.
        'Free tensors you no longer need: t.dispose(), or run each loop iteration in cp.tidy(() => …), which frees ' +
        'what the iteration created and did not return (a loop that never yields to the event loop keeps even ' +
        'unreachable tensors until it does)',
      );
    };
    if (have + minPages * PAGE > MAX_BYTES) fail();
    try {
      this.growTo(Math.min(pages, MAX_BYTES / PAGE - have / PAGE));
    } catch {
      try {
        this.growTo(minPages);
      } catch {
        fail();
      }
    }
  }

  /** `memory.grow(pages)`, recorded as a one-time cost (the pages are touched as allocations reach them). */
  private growTo(pages: number): void {
    const t0 = performance.now();
    const have = this.memory.buffer.byteLength;
    this.memory.grow(pages);
    this.refresh();
    const added = this.memory.buffer.byteLength - have;
    recordOneTimeCost(`grow wasm memory +${formatBytes(added)}`, 'memory', t0, performance.now(), added);
  }

  /** Touches the new pages up to `needEnd`, or a stretch past the touched end if further; recorded as the one-time cost `name`. */
  private touch(needEnd: number, name: string): void {
    const t0 = performance.now(), from = this.touched;
    const end = Math.max(needEnd, from + Math.max(TOUCH_AHEAD, (from - this.base) * TOUCH_AHEAD_FRACTION));
    // In pieces, each timed (see TOUCH_PIECE): per piece its bytes and ms.
    const bytes: number[] = [], times: number[] = [];
    let t = t0;
    while (this.touched < end && this.touched < this.u8.length) {
      const was = this.touched;
      this.touchPages(Math.min(end, was + TOUCH_PIECE));
      const now = performance.now();
      bytes.push(this.touched - was); times.push(now - t);
      t = now;
    }
    recordOneTimeCost(name, 'memory', t0, t, this.touched - from, stalledMs(bytes, times));
  }

  /**
   * Writes a zero into every page from the touched end to `end` (capped at the memory's size) and moves
   * the end there. The bytes past the touched end were never written (wasm pages start zero, and no block
   * reaches past it), so a zero keeps their contents while the OS backs each page now; the page holding
   * the old end was touched already.
   */
  private touchPages(end: number): void {
    const u8 = this.u8, stop = Math.min(u8.length, Math.ceil(end / OS_PAGE) * OS_PAGE);
    for (let p = Math.ceil(this.touched / OS_PAGE) * OS_PAGE; p < stop; p += OS_PAGE) u8[p] = 0;
    this.touched = Math.max(this.touched, stop);
  }
}
