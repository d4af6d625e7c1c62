/**
 * Index arithmetic for the reference backend: the element offset of a flat row-major index in
 * a strided view. Deliberately simple (O(rank) per element): this backend is the oracle other
 * backends are tested against, so it favours obviously-right over fast.
 */

/** Element offset of flat row-major index `flat` of `shape` in a view with `strides`/`offset`. */
export function offsetOf(flat: number, shape: readonly number[], strides: readonly number[], offset: number): number {
  let off = offset;
  for (let d = shape.length - 1; d >= 0; d--) {
    const extent = shape[d]!;
    const i = flat % extent;
    flat = (flat - i) / extent;
    off += i * strides[d]!;
  }
  return off;
}

/** Splits dims into kept and reduced lists (both in ascending order). */
export function splitAxes(rank: number, axes: readonly number[]): { kept: number[]; reduced: number[] } {
  const kept: number[] = [];
  const reduced: number[] = [];
  for (let d = 0; d < rank; d++) (axes.includes(d) ? reduced : kept).push(d);
  return { kept, reduced };
}

/** Picks `dims` out of a shape or stride list. */
export function pick(values: readonly number[], dims: readonly number[]): number[] {
  return dims.map((d) => values[d]!);
}
