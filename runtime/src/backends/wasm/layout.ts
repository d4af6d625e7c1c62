/**
 * Describes strided operands to the kernels' N-d walk (kernels-rust/src/nd.rs) through a
 * preallocated scratch region of linear memory, so a call allocates nothing on the JS heap.
 *
 * Before writing, dims are simplified without changing the row-major visiting order: extent-1
 * dims are dropped and adjacent dims d, d+1 are merged when every operand satisfies
 * stride[d] = stride[d+1] · extent[d+1]. A contiguous add of any rank becomes one row, and a
 * [rows, cols] + [cols] broadcast stays two dims whose inner row is contiguous.
 */

/** Largest rank the kernels accept after coalescing (kernels-rust `MAX_RANK`). */
export const MAX_RANK = 16;
/** Most operands a walk has (`where`: out, cond, a, b). */
const MAX_OPS = 4;

const dims = new Float64Array(64);
const strides = new Float64Array(64 * MAX_OPS);
const contiguous = new Float64Array(64);

/**
 * Writes the walk for `shape` into `meta` at int32 index `at`: the coalesced extents, then one
 * row of byte strides per operand. `ops[k]` are operand k's element strides (null: contiguous
 * row-major, as for a fresh output) and `widths[k]` its element size in bytes.
 *
 * @returns the number of dims written (`nd`); 0 for a single element
 */
export function writeWalk(
  meta: Int32Array, at: number, shape: readonly number[],
  ops: readonly (readonly number[] | null)[], widths: readonly number[],
): number {
  const rank = shape.length, K = ops.length;
  if (rank > 64) throw new RangeError(`wasm backend: rank ${rank} is above the supported 64`);
  let s = 1;
  for (let d = rank - 1; d >= 0; d--) {
    contiguous[d] = s;
    s *= shape[d]!;
  }
  let nd = 0;
  for (let d = 0; d < rank; d++) {
    const n = shape[d]!;
    if (n === 1) continue;
    if (nd > 0) {
      let merge = true;
      for (let k = 0; k < K; k++) {
        const st = ops[k]?.[d] ?? contiguous[d]!;
        if (strides[k * 64 + nd - 1] !== st * n) { merge = false; break; }
      }
      if (merge) {
        dims[nd - 1]! *= n;
        for (let k = 0; k < K; k++) strides[k * 64 + nd - 1] = ops[k]?.[d] ?? contiguous[d]!;
        continue;
      }
    }
    dims[nd] = n;
    for (let k = 0; k < K; k++) strides[k * 64 + nd] = ops[k]?.[d] ?? contiguous[d]!;
    nd++;
  }
  if (nd > MAX_RANK) throw new RangeError(`wasm backend: ${nd} non-mergeable dims exceed the kernels' ${MAX_RANK}`);
  for (let i = 0; i < nd; i++) meta[at + i] = dims[i]!;
  for (let k = 0; k < K; k++) {
    const row = at + nd * (1 + k), w = widths[k]!;
    for (let i = 0; i < nd; i++) meta[row + i] = strides[k * 64 + i]! * w;
  }
  return nd;
}

/** Shape and strides of `shape` with `axes` moved innermost (kept dims first, both in order). */
export function reducedLast(
  shape: readonly number[], strides: readonly number[], axes: readonly number[],
): { shape: number[]; strides: number[]; outer: number; inner: number } {
  const ks: number[] = [], kt: number[] = [], rs: number[] = [], rt: number[] = [];
  let outer = 1, inner = 1;
  for (let d = 0; d < shape.length; d++) {
    if (axes.includes(d)) { rs.push(shape[d]!); rt.push(strides[d]!); inner *= shape[d]!; }
    else { ks.push(shape[d]!); kt.push(strides[d]!); outer *= shape[d]!; }
  }
  return { shape: ks.concat(rs), strides: kt.concat(rt), outer, inner };
}

/**
 * [outer, r, inner] when a contiguous view's reduced `axes` are consecutive and followed by kept
 * dims (inner > 1): the layout the column-reduction kernel reads in place. Null otherwise.
 */
export function middleAxisLayout(
  shape: readonly number[], axes: readonly number[],
): { outer: number; r: number; inner: number } | null {
  if (axes.length === 0 || axes[axes.length - 1]! - axes[0]! + 1 !== axes.length) return null;
  let outer = 1, r = 1, inner = 1;
  for (let d = 0; d < shape.length; d++) {
    if (d < axes[0]!) outer *= shape[d]!;
    else if (d <= axes[axes.length - 1]!) r *= shape[d]!;
    else inner *= shape[d]!;
  }
  return inner > 1 ? { outer, r, inner } : null;
}
