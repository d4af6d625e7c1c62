/**
 * Matrix product with NumPy semantics: 2-D, batched with broadcast batch dimensions, and 1-D
 * operands (promoted to a row/column and the added dimension removed from the result).
 * Computes in float32.
 */
import { dispatch } from '../engine.js';
import { broadcastShapes, broadcastStrides, fmtShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { traceHook } from '../jit/hook.js';
import type { View } from '../backends/backend.js';
import { type Operand, output, pushOperand, releaseOperand, viewAs } from './util.js';
import { checkTensor } from './validate.js';

/** a @ b */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkTensor('matmul', 'a', a);
  checkTensor('matmul', 'b', b);
  if (traceHook !== null) return traceHook.record({ kind: 'call', op: 'matmul', replay: matmul, args: [a, b] }, () => matmul(a, b));
  if (a.rank === 0 || b.rank === 0) throw new RangeError(`matmul: operands must have at least 1 dimension, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  const [aShape] = asMatrix(a, 'left'), [bShape] = asMatrix(b, 'right');
  const M = aShape[aShape.length - 2]!, K = aShape[aShape.length - 1]!;
  const K2 = bShape[bShape.length - 2]!, N = bShape[bShape.length - 1]!;
  if (K !== K2) throw new RangeError(`matmul: inner dimensions differ: ${fmtShape(a.shape)} @ ${fmtShape(b.shape)} (${K} vs ${K2})`);
  const batch = broadcastShapes('matmul', aShape.slice(0, -2), bShape.slice(0, -2));
  const outShape = [...batch, M, N];
  const finalShape = [...batch, ...(a.rank === 1 ? [] : [M]), ...(b.rank === 1 ? [] : [N])];
  // The operand as a [...batch, rows, cols] view (batch strides broadcast).
  const at = (v: View, side: 'left' | 'right'): View => {
    const [shape, strides] = asMatrix(v, side);
    return viewAs(v, [...batch, ...shape.slice(-2)],
      [...broadcastStrides(shape.slice(0, -2), strides.slice(0, -2), batch), ...strides.slice(-2)]);
  };
  return dispatch('matmul', [a, b], (backend) => {
    const ops: Operand[] = [];
    try {
      // Integer/bool operands compute in float32 (a temporary cast).
      const oa = pushOperand(ops, backend, a, 'float32'), ob = pushOperand(ops, backend, b, 'float32');
      return output(backend, backend.matmul(at(oa.view, 'left'), at(ob.view, 'right'), outShape), finalShape);
    } finally {
      for (const o of ops) releaseOperand(backend, o);
    }
  });
}

/** Shape and strides of an operand as a matrix: a 1-D vector is a row [1, K] on the left, a column [K, 1] on the right. */
function asMatrix(v: Pick<View, 'shape' | 'strides'>, side: 'left' | 'right'): [number[], number[]] {
  if (v.shape.length !== 1) return [[...v.shape], [...v.strides]];
  return side === 'left' ? [[1, v.shape[0]!], [0, v.strides[0]!]] : [[v.shape[0]!, 1], [v.strides[0]!, 0]];
}
