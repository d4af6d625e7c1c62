/**
 * Reductions: sum, mean, var, std, min, max, argmax and one-pass `moments`.
 * `axis` is a number, a list, or undefined (all axes); negative axes count from the end.
 * var/std use `ddof` (0 = population, NumPy's default; 1 = sample).
 */
import type { Backend, ReduceOp, Storage, View } from '../backends/backend.js';
import { dispatch } from '../engine.js';
import { contiguousStrides, fmtShape, normalizeAxes, reducedShape, sizeOf } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { traceHook } from '../jit/hook.js';
import type { DType } from '../types.js';
import { type Operand, operand, output, releaseOperand, viewAs } from './util.js';
import { checkFlag, checkInt, checkTensor } from './validate.js';

/** Axis argument of reductions. */
export type Axis = number | readonly number[];

function reduceOp(op: ReduceOp, x: Tensor, axis: Axis | undefined, keepdims: boolean): Tensor {
  checkTensor(op, 'x', x);
  keepdims = checkFlag(op, 'keepdims', keepdims, false);
  const axes = normalizeAxes(op, axis, x.rank);
  if (traceHook !== null) return traceHook.record({ kind: 'reduce', op, axes, keepdims, args: [x] }, () => reduceOp(op, x, axes, keepdims));
  const outShape = reducedShape(x.shape, axes, keepdims);
  if ((op === 'min' || op === 'max' || op === 'argmax') && sizeOf(axes.map((a) => x.shape[a]!)) === 0) {
    throw new RangeError(`${op}: cannot reduce over zero elements (shape ${fmtShape(x.shape)}, axes [${axes.join(', ')}])`);
  }
  const dtype: DType = op === 'mean' ? 'float32' : x.dtype === 'bool' ? 'int32' : x.dtype;
  return dispatch(op, [x], (backend) => {
    const o = operand(backend, x, dtype);
    try {
      return output(backend, backend.reduce(op, o.view, axes), outShape);
    } finally {
      releaseOperand(backend, o);
    }
  });
}

/** Sum over `axis` (all by default); bool sums to int32. */
export const sum = (x: Tensor, axis?: Axis, keepdims = false): Tensor => reduceOp('sum', x, axis, keepdims);
/** Arithmetic mean (float32). */
export const mean = (x: Tensor, axis?: Axis, keepdims = false): Tensor => reduceOp('mean', x, axis, keepdims);
/** Minimum (NaN propagates). */
export const min = (x: Tensor, axis?: Axis, keepdims = false): Tensor => reduceOp('min', x, axis, keepdims);
/** Maximum (NaN propagates). */
export const max = (x: Tensor, axis?: Axis, keepdims = false): Tensor => reduceOp('max', x, axis, keepdims);
/** Index of the maximum (int32; over several axes, the row-major index within the reduced block). */
export const argmax = (x: Tensor, axis?: Axis, keepdims = false): Tensor => reduceOp('argmax', x, axis, keepdims);

/** Mean and variance of a tensor, computed together. */
export interface Moments {
  readonly mean: Tensor;
  readonly variance: Tensor;
}

function momentsOp(op: 'moments' | 'var' | 'std', x: Tensor, axis: Axis | undefined, keepdims: boolean, ddof: number,
  finish: (backend: Backend, m: Storage, v: Storage, shape: readonly number[]) => Tensor | Moments): Tensor | Moments {
  checkTensor(op, 'x', x);
  keepdims = checkFlag(op, 'keepdims', keepdims, false);
  checkInt(op, 'ddof', ddof, 0);
  const axes = normalizeAxes(op, axis, x.rank);
  const outShape = reducedShape(x.shape, axes, keepdims);
  const n = sizeOf(axes.map((a) => x.shape[a]!));
  return dispatch(op, [x], (backend) => {
    const o = operand(backend, x, 'float32');
    let m: Storage, v: Storage;
    try {
      ({ mean: m, variance: v } = backend.moments(o.view, axes));
    } finally {
      releaseOperand(backend, o);
    }
    if (ddof !== 0) {
      // Rescale population variance by n/(n-ddof). As NumPy, the divisor is max(n - ddof, 0): with
      // ddof ≥ n the result is Infinity (NaN for zero spread), never a negative variance.
      let scale: Operand | null = null;
      try {
        scale = operand(backend, n / Math.max(n - ddof, 0), 'float32');
        const vv: View = { storage: v, dtype: 'float32', shape: outShape, strides: contiguousStrides(outShape), offset: 0 };
        const scaled = backend.binary('mul', vv, viewAs(scale.view, outShape, outShape.map(() => 0)), outShape);
        backend.free(v);
        v = scaled;
      } catch (e) {
        backend.free(m);
        backend.free(v);
        throw e;
      } finally {
        if (scale !== null) releaseOperand(backend, scale);
      }
    }
    return finish(backend, m, v, outShape);
  });
}

/** Mean and variance in one pass over the data (population variance unless ddof > 0). */
export function moments(x: Tensor, axis?: Axis, keepdims = false, ddof = 0): Moments {
  return momentsOp('moments', x, axis, keepdims, ddof, (b, m, v, shape) => ({ mean: output(b, m, shape), variance: output(b, v, shape) })) as Moments;
}

/** Variance (ddof 0 = population). */
export function variance(x: Tensor, axis?: Axis, keepdims = false, ddof = 0): Tensor {
  if (traceHook !== null) return traceHook.record({ kind: 'call', op: 'var', replay: variance, args: [x, axis, keepdims, ddof] }, () => variance(x, axis, keepdims, ddof));
  return momentsOp('var', x, axis, keepdims, ddof, (b, m, v, shape) => {
    b.free(m);
    return output(b, v, shape);
  }) as Tensor;
}

/** Standard deviation (ddof 0 = population). */
export function std(x: Tensor, axis?: Axis, keepdims = false, ddof = 0): Tensor {
  if (traceHook !== null) return traceHook.record({ kind: 'call', op: 'std', replay: std, args: [x, axis, keepdims, ddof] }, () => std(x, axis, keepdims, ddof));
  return momentsOp('std', x, axis, keepdims, ddof, (b, m, v, shape) => {
    b.free(m);
    const view: View = { storage: v, dtype: 'float32', shape, strides: contiguousStrides(shape), offset: 0 };
    try {
      return output(b, b.unary('sqrt', view), shape);
    } finally {
      b.free(v);
    }
  }) as Tensor;
}
