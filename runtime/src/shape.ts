/**
 * Pure shape arithmetic: sizes, row-major strides, broadcasting, axis normalisation.
 * No tensors here, so every layer (front end, backends, tests) can share it.
 */

/**
 * Most elements one tensor may hold: kernels index elements with 32-bit signed integers, and the
 * wasm backend's linear memory (wasm32) holds at most 4 GiB.
 */
export const MAX_ELEMENTS = 2 ** 31 - 1;

/**
 * What is wrong with `shape` as a tensor shape, or null when it is valid: an array of
 * non-negative safe integers whose product is at most {@link MAX_ELEMENTS}. Shared by the API's
 * argument checks (which turn it into an error naming the function) and the backends' assertions.
 */
export function shapeProblem(shape: unknown): string | null {
  if (!Array.isArray(shape)) return 'it is not an array';
  let n = 1;
  for (let i = 0; i < shape.length; i++) {
    const d: unknown = shape[i];
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      return `dimension ${i} is ${typeof d === 'number' ? String(d) : `${JSON.stringify(d) ?? String(d)} (a ${typeof d})`}; each must be a non-negative integer`;
    }
    n *= d;
  }
  if (n > MAX_ELEMENTS) return `it holds ${n} elements, more than the ${MAX_ELEMENTS} one tensor may hold`;
  return null;
}

/** Number of elements of a shape (1 for a scalar `[]`). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i]!;
  return n;
}

/** Row-major (C-order) element strides of a contiguous tensor of `shape`. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/** True when `strides` are the row-major strides of `shape` (size-1 dims may have any stride). */
export function isContiguous(shape: readonly number[], strides: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i]!;
    if (d !== 1 && strides[i] !== expected) return false;
    expected *= d;
  }
  return true;
}

/** Formats a shape the way error messages show it: `[2, 3]`. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * NumPy broadcasting of two shapes. Throws an error naming `op` and both shapes when they are
 * incompatible.
 */
export function broadcastShapes(op: string, a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new RangeError(
        `${op}: shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast together ` +
        `(dimension ${i} of the result: ${da} vs ${db})`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Strides of a view with `shape`/`strides` seen at `outShape` (its broadcast result):
 * leading new dimensions and size-1 dimensions that broadcast get stride 0.
 */
export function broadcastStrides(
  shape: readonly number[], strides: readonly number[], outShape: readonly number[],
): number[] {
  const rank = outShape.length;
  const lead = rank - shape.length;
  // Built by push, not `new Array(rank).fill(0)`: a holey array's fill is a slow builtin (per binary op).
  const out: number[] = [];
  for (let i = 0; i < lead; i++) out.push(0);
  for (let i = 0; i < shape.length; i++) out.push(shape[i] === 1 && outShape[lead + i] !== 1 ? 0 : strides[i]!);
  return out;
}

/** Normalises one possibly negative axis for a tensor of `rank`; throws naming the allowed range. */
export function normalizeAxis(op: string, axis: number, rank: number): number {
  if (typeof axis !== 'number' || !Number.isInteger(axis)) {
    throw new TypeError(`${op}: axis must be an integer, got ${typeof axis === 'number' ? axis : `${JSON.stringify(axis) ?? String(axis)} (a ${typeof axis})`}`);
  }
  if (axis < -Math.max(rank, 1) || axis >= Math.max(rank, 1)) {
    throw new RangeError(
      `${op}: axis ${axis} is out of range for a tensor of rank ${rank} ` +
      `(allowed: ${rank === 0 ? '0 or -1' : `-${rank}..${rank - 1}`})`,
    );
  }
  return axis < 0 ? axis + Math.max(rank, 1) : axis;
}

/**
 * Normalises `axis` (undefined or null = all axes, a number, or a list) to a sorted unique list of
 * non-negative axes. Duplicates are an error.
 */
export function normalizeAxes(op: string, axis: number | readonly number[] | undefined | null, rank: number): number[] {
  if (axis === undefined || axis === null) return Array.from({ length: rank }, (_, i) => i);
  if (typeof axis !== 'number' && !Array.isArray(axis)) {
    throw new TypeError(`${op}: axis must be an integer, a list of integers, or undefined for all axes; got ${JSON.stringify(axis) ?? String(axis)} (a ${typeof axis})`);
  }
  const list: readonly number[] = typeof axis === 'number' ? [axis] : axis;
  const out = list.map((a) => normalizeAxis(op, a, rank));
  if (rank === 0) return [];
  const sorted = [...out].sort((x, y) => x - y);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] === sorted[i - 1]) throw new RangeError(`${op}: axis ${sorted[i]} appears twice in ${JSON.stringify(list)}`);
  }
  return sorted;
}

/** Shape after reducing `axes`; with keepdims the reduced dimensions stay as 1. */
export function reducedShape(shape: readonly number[], axes: readonly number[], keepdims: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (axes.includes(i)) {
      if (keepdims) out.push(1);
    } else {
      out.push(shape[i]!);
    }
  }
  return out;
}
