/**
 * Elementwise unary ops and dtype casts. Transcendental ops (exp, log, sqrt, tanh, sigmoid)
 * compute in float32 (int/bool inputs are converted); neg/abs/relu keep int32.
 */
import type { UnaryOp } from '../backends/backend.js';
import { dispatch } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { traceHook } from '../jit/hook.js';
import type { DType } from '../types.js';
import { operand, output, releaseOperand } from './util.js';
import { checkDType, checkTensor } from './validate.js';

const FLOAT_ONLY: ReadonlySet<UnaryOp> = new Set(['exp', 'log', 'sqrt', 'tanh', 'sigmoid']);

/** Runs a unary kernel. */
export function unaryOp(op: UnaryOp, x: Tensor): Tensor {
  checkTensor(op, 'x', x);
  if (traceHook !== null) return traceHook.record({ kind: 'unary', op, args: [x] }, () => unaryOp(op, x));
  const dtype: DType = FLOAT_ONLY.has(op) || x.dtype === 'float32' ? 'float32' : 'int32';
  return dispatch(op, [x], (backend) => {
    // Integer/bool inputs of float-only ops go through a temporary float32 copy.
    const o = operand(backend, x, dtype);
    try {
      return output(backend, backend.unary(op, o.view), x.shape);
    } finally {
      releaseOperand(backend, o);
    }
  });
}

/** -x */
export const neg = (x: Tensor): Tensor => unaryOp('neg', x);
/** |x| */
export const abs = (x: Tensor): Tensor => unaryOp('abs', x);
/** e^x */
export const exp = (x: Tensor): Tensor => unaryOp('exp', x);
/** Natural logarithm. */
export const log = (x: Tensor): Tensor => unaryOp('log', x);
/** Square root. */
export const sqrt = (x: Tensor): Tensor => unaryOp('sqrt', x);
/** Hyperbolic tangent. */
export const tanh = (x: Tensor): Tensor => unaryOp('tanh', x);
/** 1 / (1 + e^-x) */
export const sigmoid = (x: Tensor): Tensor => unaryOp('sigmoid', x);
/** max(x, 0) */
export const relu = (x: Tensor): Tensor => unaryOp('relu', x);

/** Converts elements to `dtype` (float→int32 truncates toward zero; bool is x ≠ 0). */
export function cast(x: Tensor, dtype: DType): Tensor {
  checkTensor('cast', 'x', x);
  checkDType('cast', dtype);
  if (traceHook !== null) return traceHook.record({ kind: 'cast', dtype, args: [x] }, () => cast(x, dtype));
  return dispatch('cast', [x], (backend) => output(backend, backend.cast(x, dtype), x.shape));
}
