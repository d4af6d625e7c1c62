/**
 * Exact per-(op, backend, call site, context) statistics, updated on every recorded op so that
 * aggregates stay exact when the raw-event ring overflows. An open-addressing hash over four
 * small integers finds the cell without building a key object or string (no allocation on the
 * hot path; the arrays double in size, rarely, when the table fills up).
 */
import type { CellRow } from './types.js';

const FIELDS = 15;
// Field offsets inside one cell's slice of `f`.
const COUNT = 0, TOTAL = 1, MEAN = 2, M2 = 3, MIN = 4, MAX = 5, BR = 6, BW = 7, EL = 8, GPU = 9, UP = 10, DOWN = 11, FIRST_N = 12, FIRST_MS = 13, FIRST_SQ = 14;

/** The hash table of cells. */
export class CellTable {
  /** Cells in use. */
  size = 0;
  private keys = new Int32Array(4 * 256);
  private f = new Float64Array(FIELDS * 256);
  private slots = new Int32Array(512).fill(-1);
  /**
   * Per user stack key (recorder.ts stackKey: 2·node, plus 1 for the ops issued on a line their node's path calls
   * from, stacks.ts StackTableData.nodeOwnOps): the ops recorded with it and their op time, ms, every op of the
   * segment counted (the call lines' totals; the event ring keeps only the last events). Keyed so that an op adds
   * to two slots and judges nothing: which ops are a line's own was decided when their stack was captured.
   */
  private keyOps = new Float64Array(0);
  private keyMs = new Float64Array(0);

  /** Counts one op of `ms` (ms) with stack key `key` (≥ 0; recorder.ts stackKey). */
  addStackOp(key: number, ms: number): void {
    if (key >= this.keyOps.length) this.growKeys(key);
    this.keyOps[key]!++;
    this.keyMs[key]! += ms;
  }

  /** Adds this segment's per-node ops and op time (ms), all and own, into `t`'s arrays (indexed by node, as long as the stack table). */
  addStackTotals(t: { readonly ops: Float64Array; readonly ms: Float64Array; readonly ownOps: Float64Array; readonly ownMs: Float64Array }): void {
    const n = Math.min(t.ops.length, this.keyOps.length >> 1);
    for (let k = 0; k < n; k++) {
      const other = 2 * k, own = other + 1;
      t.ops[k]! += this.keyOps[other]! + this.keyOps[own]!; t.ms[k]! += this.keyMs[other]! + this.keyMs[own]!;
      t.ownOps[k]! += this.keyOps[own]!; t.ownMs[k]! += this.keyMs[own]!;
    }
  }

  private growKeys(key: number): void {
    // Even: a node's two keys are grown together.
    const n = Math.max(128, 2 * key + 2);
    const grown = (a: Float64Array): Float64Array<ArrayBuffer> => { const b = new Float64Array(n); b.set(a); return b; };
    this.keyOps = grown(this.keyOps); this.keyMs = grown(this.keyMs);
  }

  /** Index of the cell for this key, creating it when new. */
  cellOf(op: number, backend: number, site: number, context: number): number {
    const mask = this.slots.length - 1;
    let h = (Math.imul(op, 0x9e3779b1) ^ Math.imul(backend + 7, 0x85ebca6b) ^ Math.imul(site + 3, 0xc2b2ae35) ^ Math.imul(context + 11, 0x27d4eb2f)) & mask;
    for (;;) {
      const c = this.slots[h]!;
      if (c === -1) return this.insert(h, op, backend, site, context);
      const k = 4 * c;
      if (this.keys[k] === op && this.keys[k + 1] === backend && this.keys[k + 2] === site && this.keys[k + 3] === context) return c;
      h = (h + 1) & mask;
    }
  }

  private insert(slot: number, op: number, backend: number, site: number, context: number): number {
    const c = this.size++;
    if (4 * this.size > this.keys.length) {
      const keys = new Int32Array(this.keys.length * 2); keys.set(this.keys); this.keys = keys;
      const f = new Float64Array(this.f.length * 2); f.set(this.f); this.f = f;
    }
    this.keys.set([op, backend, site, context], 4 * c);
    const b = FIELDS * c;
    this.f[b + MIN] = Infinity;
    this.f[b + MAX] = -Infinity;
    this.slots[slot] = c;
    if (2 * this.size > this.slots.length) this.rehash();
    return c;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(-1);
    const mask = slots.length - 1;
    for (let c = 0; c < this.size; c++) {
      const k = 4 * c;
      let h = (Math.imul(this.keys[k]!, 0x9e3779b1) ^ Math.imul(this.keys[k + 1]! + 7, 0x85ebca6b) ^
        Math.imul(this.keys[k + 2]! + 3, 0xc2b2ae35) ^ Math.imul(this.keys[k + 3]! + 11, 0x27d4eb2f)) & mask;
      while (slots[h] !== -1) h = (h + 1) & mask;
      slots[h] = c;
    }
    this.slots = slots;
  }

  /**
   * Every cell's key: [op, backend, site, context] ids of cell `c` at 4·c. The table itself (read-only
   * by contract; replaced when it grows), for loops over many events that must not allocate a view each.
   */
  get keyTable(): Int32Array {
    return this.keys;
  }

  /** Key of cell `c`: [op, backend, site, context] ids (a view; copy it to keep it). */
  keyOf(c: number): Int32Array {
    return this.keys.subarray(4 * c, 4 * c + 4);
  }

  /** Adds one op of `ms` duration to cell `c` (Welford update); `first`: the op's first call with these input shapes. */
  add(c: number, ms: number, bytesRead: number, bytesWritten: number, elements: number, first = false): void {
    const f = this.f, b = FIELDS * c;
    const n = ++f[b + COUNT]!;
    f[b + TOTAL]! += ms;
    const d = ms - f[b + MEAN]!;
    f[b + MEAN]! += d / n;
    f[b + M2]! += d * (ms - f[b + MEAN]!);
    if (ms < f[b + MIN]!) f[b + MIN] = ms;
    if (ms > f[b + MAX]!) f[b + MAX] = ms;
    f[b + BR]! += bytesRead;
    f[b + BW]! += bytesWritten;
    f[b + EL]! += elements;
    if (first) { f[b + FIRST_N]!++; f[b + FIRST_MS]! += ms; f[b + FIRST_SQ]! += ms * ms; }
  }

  /** Adds GPU execution time (ms) reported later for an op of cell `c`. */
  addGpu(c: number, ms: number): void {
    this.f[FIELDS * c + GPU]! += ms;
  }

  /** Adds transfer bytes reported for an op of cell `c`. */
  addTransfer(c: number, direction: 'upload' | 'download', bytes: number): void {
    this.f[FIELDS * c + (direction === 'upload' ? UP : DOWN)]! += bytes;
  }

  /** All cells as records, with interned ids resolved through `strings`. */
  toRows(strings: readonly string[]): CellRow[] {
    const rows: CellRow[] = [];
    for (let c = 0; c < this.size; c++) {
      const k = 4 * c, b = FIELDS * c, f = this.f;
      rows.push({
        op: strings[this.keys[k]!]!, backend: strings[this.keys[k + 1]!]!, site: this.keys[k + 2]!, context: this.keys[k + 3]!,
        count: f[b + COUNT]!, totalMs: f[b + TOTAL]!, meanMs: f[b + MEAN]!, m2: f[b + M2]!, minMs: f[b + MIN]!, maxMs: f[b + MAX]!,
        bytesRead: f[b + BR]!, bytesWritten: f[b + BW]!, elements: f[b + EL]!, gpuMs: f[b + GPU]!,
        uploadBytes: f[b + UP]!, downloadBytes: f[b + DOWN]!, firstCount: f[b + FIRST_N]!, firstMs: f[b + FIRST_MS]!, firstSqMs: f[b + FIRST_SQ]!,
      });
    }
    return rows;
  }
}
