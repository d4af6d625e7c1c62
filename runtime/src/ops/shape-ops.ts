/**
 * Ops that change how elements are addressed: reshape, unsqueeze, squeeze, transpose/permute,
 * slice, contiguous. All return views sharing storage (no copy) except reshape of a
 * non-contiguous tensor, which copies once.
 */
import { dispatch } from '../engine.js';
import { contiguousStrides, fmtShape, normalizeAxis, sizeOf } from '../shape.js';
import { type Tensor, viewOf } from '../tensor.js';
import { traceHook } from '../jit/hook.js';
import { output } from './util.js';
import { checkTensor, describeValue } from './validate.js';

/** A contiguous copy (or the same data as a view when already contiguous). */
export function contiguous(x: Tensor): Tensor {
  checkTensor('contiguous', 'x', x);
  return dispatch('contiguous', [x], (backend) =>
    x.isContiguous ? viewOf(x, x.shape, x.strides, x.offset) : output(backend, backend.copy(x), x.shape));
}

/** A copy with its own storage. */
export function clone(x: Tensor): Tensor {
  checkTensor('clone', 'x', x);
  return dispatch('clone', [x], (backend) => output(backend, backend.copy(x), x.shape));
}

/** Same elements in a new shape; one dimension may be -1 (inferred). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor('reshape', 'x', x);
  if (!Array.isArray(shape)) {
    const hint = typeof shape === 'number' ? ` (pass the dimensions as one array, e.g. reshape([${shape}, …]))` : '';
    throw new TypeError(`reshape: shape must be an array of integers (non-negative, at most one -1), got ${describeValue(shape)}${hint}`);
  }
  if (traceHook !== null) return traceHook.record({ kind: 'call', op: 'reshape', replay: reshape, args: [x, shape] }, () => reshape(x, shape));
  const infer = shape.indexOf(-1);
  if (shape.some((d, i) => typeof d !== 'number' || !Number.isSafeInteger(d) || d < -1 || (d === -1 && i !== infer))) {
    throw new RangeError(`reshape: invalid target shape [${shape.map((d) => JSON.stringify(d) ?? String(d)).join(', ')}] (dimensions must be non-negative integers, at most one -1)`);
  }
  let target = [...shape];
  if (infer >= 0) {
    const known = sizeOf(shape.filter((_, i) => i !== infer));
    if (known === 0 || x.size % known !== 0) {
      throw new RangeError(`reshape: cannot reshape ${fmtShape(x.shape)} (${x.size} elements) into ${fmtShape(shape)}`);
    }
    target[infer] = x.size / known;
  }
  if (sizeOf(target) !== x.size) {
    throw new RangeError(`reshape: cannot reshape ${fmtShape(x.shape)} (${x.size} elements) into ${fmtShape(shape)} (${sizeOf(target)} elements)`);
  }
  if (x.isContiguous) return viewOf(x, target, contiguousStrides(target), x.offset);
  return dispatch('reshape', [x], (backend) => output(backend, backend.copy(x), target));
}

/** Inserts a size-1 dimension at `axis` (-rank-1..rank). */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  checkTensor('unsqueeze', 'x', x);
  const ax = normalizeAxis('unsqueeze', axis, x.rank + 1);
  const shape = [...x.shape], strides = [...x.strides];
  shape.splice(ax, 0, 1);
  strides.splice(ax, 0, ax < x.rank ? x.strides[ax]! * x.shape[ax]! : 1);
  return viewOf(x, shape, strides, x.offset);
}

/** Removes size-1 dimensions (all, or the given axes, which must be size 1). */
export function squeeze(x: Tensor, axis?: number | readonly number[]): Tensor {
  checkTensor('squeeze', 'x', x);
  const drop = new Set<number>();
  if (axis !== undefined && typeof axis !== 'number' && !Array.isArray(axis)) {
    throw new TypeError(`squeeze: axis must be an integer, a list of integers, or undefined for every size-1 axis; got ${describeValue(axis)}`);
  }
  if (axis === undefined) {
    x.shape.forEach((d, i) => { if (d === 1) drop.add(i); });
  } else {
    for (const a of typeof axis === 'number' ? [axis] : axis) {
      const ax = normalizeAxis('squeeze', a, x.rank);
      if (x.shape[ax] !== 1) throw new RangeError(`squeeze: dimension ${a} of shape ${fmtShape(x.shape)} has size ${x.shape[ax]}, not 1`);
      drop.add(ax);
    }
  }
  return viewOf(x, x.shape.filter((_, i) => !drop.has(i)), x.strides.filter((_, i) => !drop.has(i)), x.offset);
}

/** Reorders dimensions: output dim i is input dim perm[i]. Default reverses them. */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  checkTensor('transpose', 'x', x);
  if (perm !== undefined && !Array.isArray(perm)) throw new TypeError(`transpose: perm must be an array of axes or undefined, got ${describeValue(perm)}`);
  const p = perm ? perm.map((a) => normalizeAxis('transpose', a, x.rank)) : x.shape.map((_, i) => x.rank - 1 - i);
  if (p.length !== x.rank || new Set(p).size !== x.rank) {
    throw new RangeError(`transpose: ${JSON.stringify(perm)} is not a permutation of the ${x.rank} axes of ${fmtShape(x.shape)}`);
  }
  return viewOf(x, p.map((a) => x.shape[a]!), p.map((a) => x.strides[a]!), x.offset);
}

/** `transpose` with the permutation as arguments: `x.permute(0, 2, 1)`. */
export function permute(x: Tensor, ...dims: number[]): Tensor {
  return transpose(x, dims);
}

/**
 * One entry per leading axis: a number picks one index and removes the axis; `[start, end, step]`
 * (each optional, negatives count from the end, step ≠ 0) keeps a range; null keeps the axis whole.
 */
export type SliceSpec = number | null | readonly [start?: number | null, end?: number | null, step?: number];

const SPEC_ALLOWED = 'an integer index, null (the whole axis) or [start, end, step] of integers or null';

/** Throws unless spec `d` is an integer, null/undefined, or a [start, end, step] of integers/null (at most 3 entries). */
function checkSliceSpec(spec: unknown, d: number): void {
  const bound = (v: unknown) => v === null || v === undefined || (typeof v === 'number' && Number.isSafeInteger(v));
  if (spec === null || spec === undefined) return;
  if (typeof spec === 'number') {
    if (!Number.isSafeInteger(spec)) throw new RangeError(`slice: spec ${d} must be ${SPEC_ALLOWED}, got ${spec}`);
    return;
  }
  if (!Array.isArray(spec) || spec.length > 3 || !spec.every(bound)) {
    const given = Array.isArray(spec) ? `[${spec.map((v) => JSON.stringify(v) ?? String(v)).join(', ')}]` : describeValue(spec);
    throw new TypeError(`slice: spec ${d} must be ${SPEC_ALLOWED}, got ${given}`);
  }
}

/** NumPy-style basic slicing as a view. */
export function slice(x: Tensor, specs: readonly SliceSpec[]): Tensor {
  checkTensor('slice', 'x', x);
  if (!Array.isArray(specs)) throw new TypeError(`slice: specs must be an array with one entry per leading axis, got ${describeValue(specs)}`);
  specs.forEach(checkSliceSpec);
  if (specs.length > x.rank) throw new RangeError(`slice: ${specs.length} indices for a tensor of rank ${x.rank} (shape ${fmtShape(x.shape)})`);
  const shape: number[] = [], strides: number[] = [];
  let offset = x.offset;
  for (let d = 0; d < x.rank; d++) {
    const n = x.shape[d]!, st = x.strides[d]!, spec = specs[d];
    if (spec === undefined || spec === null) { shape.push(n); strides.push(st); continue; }
    if (typeof spec === 'number') {
      const i = spec < 0 ? spec + n : spec;
      if (!Number.isInteger(spec) || i < 0 || i >= n) throw new RangeError(`slice: index ${spec} is out of range for axis ${d} of size ${n}`);
      offset += i * st;
      continue;
    }
    const step = spec[2] ?? 1;
    if (!Number.isInteger(step) || step === 0) throw new RangeError(`slice: step must be a non-zero integer on axis ${d}, got ${step}`);
    const clamp = (v: number | null | undefined, dflt: number, lo: number, hi: number) =>
      v === null || v === undefined ? dflt : Math.min(Math.max(v < 0 ? v + n : v, lo), hi);
    const start = step > 0 ? clamp(spec[0], 0, 0, n) : clamp(spec[0], n - 1, -1, n - 1);
    const end = step > 0 ? clamp(spec[1], n, 0, n) : clamp(spec[1], -1, -1, n - 1);
    const len = Math.max(0, Math.ceil((end - start) / step));
    shape.push(len);
    strides.push(st * step);
    if (len > 0) offset += start * st;
  }
  return viewOf(x, shape, strides, offset);
}

/** Flattens to one dimension. */
export function flatten(x: Tensor): Tensor {
  return reshape(x, [x.size]);
}
