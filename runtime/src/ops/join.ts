/**
 * concat and stack: one output allocation (`Backend.alloc`, contents unspecified) and each input
 * copied into its slot with copyInto; together the slots cover every element of the output.
 */
import type { Backend, Storage } from '../backends/backend.js';
import { dispatch } from '../engine.js';
import { contiguousStrides, fmtShape, normalizeAxis, sizeOf } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { unsqueeze } from './shape-ops.js';
import { output } from './util.js';
import { checkTensor, describeValue } from './validate.js';

/** Checks the list argument of concat/stack: a non-empty array of live tensors of this runtime. */
function checkList(fn: string, tensors: unknown): readonly Tensor[] {
  if (!Array.isArray(tensors)) throw new TypeError(`${fn}: tensors must be an array of tensors, got ${describeValue(tensors)}`);
  if (tensors.length === 0) throw new RangeError(`${fn}: needs at least one tensor`);
  tensors.forEach((t, i) => checkTensor(fn, `tensors[${i}]`, t));
  return tensors as readonly Tensor[];
}

/** Joins tensors along an existing axis; all other dimensions and the dtype must match. */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  checkList('concat', tensors);
  const first = tensors[0]!;
  first.assertAlive('concat');
  const ax = normalizeAxis('concat', axis, first.rank);
  if (first.rank === 0) throw new RangeError('concat: cannot concatenate scalars; use stack');
  let total = 0;
  tensors.forEach((t, i) => {
    t.assertAlive('concat');
    const same = t.rank === first.rank && t.shape.every((d, k) => k === ax || d === first.shape[k]);
    if (!same) throw new RangeError(`concat: tensor ${i} has shape ${fmtShape(t.shape)}, incompatible with ${fmtShape(first.shape)} along axis ${axis}`);
    if (t.dtype !== first.dtype) throw new TypeError(`concat: tensor ${i} is ${t.dtype}, tensor 0 is ${first.dtype}; cast first`);
    total += t.shape[ax]!;
  });
  const outShape = [...first.shape];
  outShape[ax] = total;
  return dispatch('concat', tensors, (backend) => {
    // The slots tile the output exactly, so its initial contents never show: no zeros to upload.
    const out = backend.alloc(first.dtype, sizeOf(outShape));
    try {
      copySlots(backend, tensors, out, outShape, ax);
    } catch (e) {
      backend.free(out);
      throw e;
    }
    return output(backend, out, outShape);
  });
}

/** Copies each tensor into its slot of `out` (contiguous, `outShape`), in order along `ax`. */
function copySlots(backend: Backend, tensors: readonly Tensor[], out: Storage, outShape: readonly number[], ax: number): void {
  const strides = contiguousStrides(outShape);
  let at = 0;
  for (const t of tensors) {
    if (t.size > 0) backend.copyInto(t, { storage: out, dtype: t.dtype, shape: t.shape, strides, offset: at * strides[ax]! });
    at += t.shape[ax]!;
  }
}

/** Joins same-shaped tensors along a new axis. */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  checkList('stack', tensors);
  const first = tensors[0]!;
  tensors.forEach((t, i) => {
    t.assertAlive('stack');
    if (t.shape.length !== first.shape.length || t.shape.some((d, k) => d !== first.shape[k])) {
      throw new RangeError(`stack: tensor ${i} has shape ${fmtShape(t.shape)}, tensor 0 has ${fmtShape(first.shape)}`);
    }
  });
  const ax = normalizeAxis('stack', axis, first.rank + 1);
  const views = tensors.map((t) => unsqueeze(t, ax));
  try {
    return concat(views, ax);
  } finally {
    for (const v of views) v.dispose();
  }
}
