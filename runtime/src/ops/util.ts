/**
 * Helpers shared by the op families: operand conversion (numbers → temporary backend storage),
 * dtype promotion, and view construction. Temporaries made here live only inside one kernel
 * call and are freed before it returns, so they never appear as tensors.
 */
import type { Backend, Storage, View } from '../backends/backend.js';
import { Tensor, wrap } from '../tensor.js';
import { contiguousStrides } from '../shape.js';
import type { DataArray, DType } from '../types.js';

/** A tensor or a plain number/boolean operand. */
export type TensorLike = Tensor | number | boolean;

/** A kernel input plus whatever temporary storage was made for it. */
export interface Operand {
  readonly view: View;
  readonly temp: Storage | null;
}

/** Result dtype of arithmetic between `a` and `b` (float32 > int32 > bool→int32). */
export function promote(a: DType, b: DType): DType {
  if (a === 'float32' || b === 'float32') return 'float32';
  return 'int32';
}

/** The dtype a JS scalar takes next to a tensor of `other` (a weak scalar, as in NumPy). */
export function scalarDType(x: number | boolean, other: DType | null): DType {
  if (typeof x === 'boolean') return 'bool';
  if (!Number.isInteger(x) || other === null || other === 'float32') return 'float32';
  return 'int32';
}

/** The dtype an operand would have before promotion. */
export function dtypeOf(x: TensorLike, other: DType | null): DType {
  return x instanceof Tensor ? x.dtype : scalarDType(x, other);
}

/** A view of `t` seen at `shape` with broadcast `strides`. */
export function viewAs(t: View, shape: readonly number[], strides: readonly number[]): View {
  return { storage: t.storage, dtype: t.dtype, shape, strides, offset: t.offset };
}

// A scalar operand's one element, reused: `upload` copies (Backend contract), and a typed array made
// per scalar was a measurable part of a small op (`x.add(1)` in a loop).
const SCALAR_F32 = new Float32Array(1), SCALAR_I32 = new Int32Array(1), SCALAR_U8 = new Uint8Array(1);

/**
 * Makes a kernel operand of `dtype` from a tensor or scalar on `backend`: scalars are uploaded,
 * tensors of another dtype are cast. Call {@link releaseOperand} after the kernel.
 */
export function operand(backend: Backend, x: TensorLike, dtype: DType): Operand {
  if (x instanceof Tensor) {
    if (x.dtype === dtype) return { view: x, temp: null };
    const s = backend.cast(x, dtype);
    return { view: { storage: s, dtype, shape: x.shape, strides: contiguousStrides(x.shape), offset: 0 }, temp: s };
  }
  const v = typeof x === 'boolean' ? (x ? 1 : 0) : x;
  let data: DataArray;
  if (dtype === 'float32') { SCALAR_F32[0] = v; data = SCALAR_F32; }
  else if (dtype === 'int32') { SCALAR_I32[0] = v; data = SCALAR_I32; }
  else { SCALAR_U8[0] = v ? 1 : 0; data = SCALAR_U8; }
  const s = backend.upload(data, dtype);
  return { view: { storage: s, dtype, shape: [], strides: [], offset: 0 }, temp: s };
}

/** {@link operand}, remembered in `made` so a later failure can release it too. */
export function pushOperand(made: Operand[], backend: Backend, x: TensorLike, dtype: DType): Operand {
  const o = operand(backend, x, dtype);
  made.push(o);
  return o;
}

/** Frees an operand's temporary storage, if any. */
export function releaseOperand(backend: Backend, o: Operand): void {
  if (o.temp !== null) backend.free(o.temp);
}

/** Wraps contiguous kernel output. */
export function output(backend: Backend, s: Storage, shape: readonly number[]): Tensor {
  return wrap(backend, s, shape, s.dtype);
}

/** Shape of a TensorLike ([] for scalars). */
export function shapeOf(x: TensorLike): readonly number[] {
  return x instanceof Tensor ? x.shape : [];
}
