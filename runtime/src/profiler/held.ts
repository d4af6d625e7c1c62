/**
 * Memory still held, per call site: the recorder marks the storage of an op's result with the op's
 * site (engine.ts StorageRef.origin) and counts it here until the storage is freed — by dispose(),
 * a `tidy` scope, or the garbage collector's finaliser. What a report finds here is, per line that
 * created them, the results not released yet and the most held at once: a loop whose results are
 * never disposed shows as one line that held thousands of tensors (a report made at the script's
 * end comes after the finalisers ran, so the peak, not the count now, shows the pile-up).
 *
 * Sampled like call sites, to keep the op path cheap: a site's first HELD_EXACT results are each
 * counted; after that one result per random hold (uniform in 1…2·HELD_PERIOD−1, mean HELD_PERIOD)
 * is marked and stands for every result of its hold (its weight). Marking every result cost
 * ~25 ns per op on the seed's Example 1 (+0.3 % of its time, runtime/BENCHMARKS.md, "Memory still
 * held"); a loop that leaks holds hundreds of results per line, where the estimate's error is a
 * few holds. A result that is a view (its storage shared) at the end of a hold is not counted.
 *
 * A mark stands for its whole hold only where the site piles up: whether its hold's other results
 * are still held is not known, and the evidence is the site's previous mark, still held a hold
 * later. Where it is, the new mark counts for its hold at once; where it is not, the new mark
 * counts as one, and for the rest of its hold only if it too outlives the next hold. Counted for its
 * hold always, a loop that creates and disposes a tensor per iteration read "up to 31 held at once"
 * per line (one mark of weight up to 31 alive for an iteration) while all memory peaked at a few
 * tensors (audit 31); now such a line counts its results one at a time, and a pile-up reads as before.
 *
 * A counted result that a `tidy` scope returned to its caller (memory.ts: tidy keeps what its
 * function returns) is counted apart as well, with the user's `tidy` call that returned the first
 * of them (one stack capture per line, made in tidy, not in an op): a pile-up of those is a tidy
 * result nobody disposed, which wrapping the loop in tidy again would not release
 * (rules/undisposed.ts says so).
 */
import type { SourceLocation } from '../contract/flame.js';
import * as names from '../contract/names.js';
import type { StorageOwner, StorageRef } from '../engine.js';
import { framesAbove, isRuntimeFrame, mapLocation } from './callsite.js';
import type { Tensor } from '../tensor.js';

/** Copied once (recorder.ts says why: under tsx's CommonJS transform each read of an import is a getter call). */
const { HELD_EXACT, HELD_PERIOD } = names;
export { HELD_EXACT, HELD_PERIOD };

/** One site's held results. */
export interface HeldRow {
  /** Index into the snapshot's sites. */
  readonly site: number;
  /** Result storages created there and not freed yet (exact for the first HELD_EXACT, then sampled: a mark counts for its hold where the site piles up). */
  readonly tensors: number;
  /** Their bytes (as `tensors`). */
  readonly bytes: number;
  /**
   * The most held at once, and their bytes (each its own high-water mark). A report made when the
   * script ends comes after the garbage collector's finalisers had their turn: what a loop piled up
   * shows here, not in `tensors`.
   */
  readonly peakTensors: number;
  readonly peakBytes: number;
  /**
   * Of those, the most held at once that the outermost `tidy` scope around them had returned to its
   * caller (tidy keeps what its function returns alive): their pile-up is a tidy result nobody disposed.
   */
  readonly peakReturned: number;
  /** The user's `tidy` call that returned the first of them (source-mapped); null when none was, or no user frame called tidy. */
  readonly returnedFrom: SourceLocation | null;
}

/** Per call site: results created by recorded ops and not freed yet. */
export class HeldTable implements StorageOwner {
  private tensors: Int32Array<ArrayBuffer> = new Int32Array(64);
  private bytes: Float64Array<ArrayBuffer> = new Float64Array(64);
  private peakTensors: Int32Array<ArrayBuffer> = new Int32Array(64);
  private peakBytes: Float64Array<ArrayBuffer> = new Float64Array(64);
  /** Results seen at the site (up to HELD_EXACT), and the length of its current hold (the next mark's weight). */
  private seen: Int32Array<ArrayBuffer> = new Int32Array(64);
  private hold: Int32Array<ArrayBuffer> = new Int32Array(64).fill(1);
  /** Counted storages returned out of a tidy scope and not freed yet: held now and at most at once, per site (weights as `tensors`). */
  private returned: Int32Array<ArrayBuffer> = new Int32Array(64);
  private peakReturned: Int32Array<ArrayBuffer> = new Int32Array(64);
  private readonly returnedRefs = new Set<StorageRef>();
  /** Per site, where tidy first returned one of its results (undefined: not asked yet). */
  private readonly returnedFrom: (SourceLocation | null | undefined)[] = [];
  /**
   * Per site, its last mark while it is held (null once freed), and what of its hold it does not
   * count yet: it counted as one, and stands for the rest once it outlives the next hold (see the
   * file's comment).
   */
  private last: (StorageRef | null)[] = new Array<StorageRef | null>(64).fill(null);
  private pending: Int32Array<ArrayBuffer> = new Int32Array(64);
  /** xorshift32 state for the holds (fixed seed: runs are reproducible). */
  private rand = 0x2545f491 | 0;

  /**
   * The end of a hold at `site` (≥ 0): counts `result` for the hold when it is a fresh storage, and
   * returns the length of the next hold (what the recorder counts down before calling again).
   */
  sample(result: Tensor, site: number): number {
    if (site >= this.tensors.length) this.grow(site);
    // The site's previous mark is still held a hold later (freed() clears it): the site piles up, and
    // that mark's own hold counts from now on if it did not yet.
    const prev = this.last[site]!;
    if (prev !== null && this.pending[site]! > 0) this.promote(prev, site);
    const ref = result.refOrNull;
    // A fresh storage (one reference: this result) not yet counted; a view shares its base's.
    if (ref !== null && ref.owner === null && ref.refs === 1) {
      const w = this.hold[site]!, whole = prev !== null ? w : 1;
      ref.owner = this;
      ref.origin = site;
      ref.weight = whole;
      this.last[site] = ref;
      this.pending[site] = w - whole;
      this.count(site, whole, ref.storage.bytes);
    }
    const next = this.seen[site]! < HELD_EXACT ? (this.seen[site]!++, 1) : this.holdLength();
    this.hold[site] = next;
    return next;
  }

  freed(ref: StorageRef): void {
    if (this.last[ref.origin] === ref) this.last[ref.origin] = null;
    this.tensors[ref.origin]! -= ref.weight;
    this.bytes[ref.origin]! -= ref.weight * ref.storage.bytes;
    if (this.returnedRefs.size !== 0 && this.returnedRefs.delete(ref)) this.returned[ref.origin]! -= ref.weight;
  }

  returnedFromTidy(ref: StorageRef): void {
    // A view returned with its base (or two views of one storage): one storage, counted once.
    if (this.returnedRefs.has(ref)) return;
    this.returnedRefs.add(ref);
    const site = ref.origin; // marked by sample(), which sized the arrays for it
    const n = (this.returned[site]! += ref.weight);
    if (n > this.peakReturned[site]!) this.peakReturned[site] = n;
    if (this.returnedFrom[site] === undefined) this.returnedFrom[site] = tidyCaller();
  }

  /** Adds `n` results of `bytes` each to `site`'s held counts and high-water marks. */
  private count(site: number, n: number, bytes: number): void {
    const t = (this.tensors[site]! += n), b = (this.bytes[site]! += n * bytes);
    if (t > this.peakTensors[site]!) this.peakTensors[site] = t;
    if (b > this.peakBytes[site]!) this.peakBytes[site] = b;
  }

  /** `ref`, `site`'s last mark, counted as one, is still held a hold later: it now stands for its whole hold (and so does its tidy count). */
  private promote(ref: StorageRef, site: number): void {
    const extra = this.pending[site]!;
    this.pending[site] = 0;
    ref.weight += extra;
    this.count(site, extra, ref.storage.bytes);
    if (this.returnedRefs.size !== 0 && this.returnedRefs.has(ref)) {
      const n = (this.returned[site]! += extra);
      if (n > this.peakReturned[site]!) this.peakReturned[site] = n;
    }
  }

  /** Sites that held a result at some point, most bytes at once first. */
  rows(): HeldRow[] {
    const out: HeldRow[] = [];
    for (let s = 0; s < this.tensors.length; s++) {
      if (this.peakTensors[s]! > 0) {
        out.push({ site: s, tensors: this.tensors[s]!, bytes: this.bytes[s]!, peakTensors: this.peakTensors[s]!, peakBytes: this.peakBytes[s]!,
          peakReturned: this.peakReturned[s]!, returnedFrom: this.returnedFrom[s] ?? null });
      }
    }
    return out.sort((a, b) => b.peakBytes - a.peakBytes || b.peakTensors - a.peakTensors);
  }

  private holdLength(): number {
    let x = this.rand;
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    this.rand = x;
    return 1 + ((x >>> 0) % (2 * HELD_PERIOD - 1));
  }

  private grow(site: number): void {
    const n = Math.max(2 * this.tensors.length, site + 1);
    const ints = (a: Int32Array, fill: number): Int32Array<ArrayBuffer> => { const b = new Int32Array(n).fill(fill); b.set(a); return b; };
    const floats = (a: Float64Array): Float64Array<ArrayBuffer> => { const b = new Float64Array(n); b.set(a); return b; };
    this.tensors = ints(this.tensors, 0); this.bytes = floats(this.bytes);
    this.peakTensors = ints(this.peakTensors, 0); this.peakBytes = floats(this.peakBytes);
    this.seen = ints(this.seen, 0); this.hold = ints(this.hold, 1);
    this.returned = ints(this.returned, 0); this.peakReturned = ints(this.peakReturned, 0);
    this.pending = ints(this.pending, 0);
    this.last = [...this.last, ...new Array<StorageRef | null>(n - this.last.length).fill(null)];
  }
}

/** The first frame outside the runtime above `tidy` (called from returnedFromTidy): the user's tidy call, source-mapped; null when none. */
function tidyCaller(): SourceLocation | null {
  const frames = framesAbove(HeldTable.prototype.returnedFromTidy, 16);
  for (const f of frames ?? []) {
    const file = f.getFileName();
    if (!file || file.startsWith('node:') || isRuntimeFrame(file)) continue;
    return mapLocation(file, f.getLineNumber() ?? 0, f.getColumnNumber() ?? 0);
  }
  return null;
}
