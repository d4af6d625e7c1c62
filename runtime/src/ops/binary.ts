/**
 * Elementwise binary ops with NumPy broadcasting and scalar operands, and `where`.
 * Arithmetic promotes bool→int32 and int32→float32 when mixed with floats; `div` always
 * yields float32 (true division); comparisons yield bool.
 */
import type { BinaryOp } from '../backends/backend.js';
import { dispatch, getDefaultBackend } from '../engine.js';
import { broadcastShapes, broadcastStrides } from '../shape.js';
import { Tensor } from '../tensor.js';
import { traceHook } from '../jit/hook.js';
import type { DType } from '../types.js';
import { checkOperand } from './validate.js';
import { dtypeOf, type Operand, output, promote, pushOperand, releaseOperand, shapeOf, type TensorLike, viewAs } from './util.js';

function tensorsOf(...xs: TensorLike[]): Tensor[] {
  const out: Tensor[] = [];
  for (const x of xs) if (x instanceof Tensor) out.push(x);
  return out;
}

function kernelDType(op: BinaryOp, a: TensorLike, b: TensorLike): DType {
  const ta = a instanceof Tensor ? a.dtype : null;
  const tb = b instanceof Tensor ? b.dtype : null;
  const da = dtypeOf(a, tb), db = dtypeOf(b, ta);
  return op === 'div' ? 'float32' : promote(da, db);
}

/** Runs a binary kernel over broadcast operands. */
export function binaryOp(op: BinaryOp, a: TensorLike, b: TensorLike): Tensor {
  a = checkOperand(op, 'a', a);
  b = checkOperand(op, 'b', b);
  if (traceHook !== null) return traceHook.record({ kind: 'binary', op, args: [a, b] }, () => binaryOp(op, a, b));
  const inputs = tensorsOf(a, b);
  const outShape = broadcastShapes(op, shapeOf(a), shapeOf(b));
  const dtype = kernelDType(op, a, b);
  return dispatch(op, inputs, (backend) => {
    const ops: Operand[] = [];
    try {
      const oa = pushOperand(ops, backend, a, dtype), ob = pushOperand(ops, backend, b, dtype);
      const va = viewAs(oa.view, outShape, broadcastStrides(oa.view.shape, oa.view.strides, outShape));
      const vb = viewAs(ob.view, outShape, broadcastStrides(ob.view.shape, ob.view.strides, outShape));
      return output(backend, backend.binary(op, va, vb, outShape), outShape);
    } finally {
      for (const o of ops) releaseOperand(backend, o);
    }
  }, inputs.length === 0 ? getDefaultBackend() : undefined);
}

/** a + b, broadcast. */
export const add = (a: TensorLike, b: TensorLike): Tensor => binaryOp('add', a, b);
/** a - b, broadcast. */
export const sub = (a: TensorLike, b: TensorLike): Tensor => binaryOp('sub', a, b);
/** a * b, broadcast. */
export const mul = (a: TensorLike, b: TensorLike): Tensor => binaryOp('mul', a, b);
/** a / b (true division, float32), broadcast. */
export const div = (a: TensorLike, b: TensorLike): Tensor => binaryOp('div', a, b);
/** a ** b, broadcast. */
export const pow = (a: TensorLike, b: TensorLike): Tensor => binaryOp('pow', a, b);
/** Elementwise maximum (NaN propagates). */
export const maximum = (a: TensorLike, b: TensorLike): Tensor => binaryOp('maximum', a, b);
/** Elementwise minimum (NaN propagates). */
export const minimum = (a: TensorLike, b: TensorLike): Tensor => binaryOp('minimum', a, b);
/** a == b as bool. */
export const eq = (a: TensorLike, b: TensorLike): Tensor => binaryOp('eq', a, b);
/** a < b as bool. */
export const lt = (a: TensorLike, b: TensorLike): Tensor => binaryOp('lt', a, b);
/** a > b as bool. */
export const gt = (a: TensorLike, b: TensorLike): Tensor => binaryOp('gt', a, b);

/** cond ? a : b elementwise, all three broadcast together; cond is cast to bool. */
export function where(cond: TensorLike, a: TensorLike, b: TensorLike): Tensor {
  cond = checkOperand('where', 'cond', cond);
  a = checkOperand('where', 'a', a);
  b = checkOperand('where', 'b', b);
  if (traceHook !== null) return traceHook.record({ kind: 'where', args: [cond, a, b] }, () => where(cond, a, b));
  const inputs = tensorsOf(cond, a, b);
  const outShape = broadcastShapes('where', broadcastShapes('where', shapeOf(cond), shapeOf(a)), shapeOf(b));
  const ta = a instanceof Tensor ? a.dtype : null, tb = b instanceof Tensor ? b.dtype : null;
  const da = dtypeOf(a, tb), db = dtypeOf(b, ta);
  const dtype: DType = da === db ? da : promote(da, db);
  return dispatch('where', inputs, (backend) => {
    const ops: Operand[] = [];
    try {
      const oc = pushOperand(ops, backend, cond, 'bool'), oa = pushOperand(ops, backend, a, dtype), ob = pushOperand(ops, backend, b, dtype);
      const at = (o: Operand) => viewAs(o.view, outShape, broadcastStrides(o.view.shape, o.view.strides, outShape));
      return output(backend, backend.where(at(oc), at(oa), at(ob), outShape), outShape);
    } finally {
      for (const o of ops) releaseOperand(backend, o);
    }
  }, inputs.length === 0 ? getDefaultBackend() : undefined);
}
