/**
 * Matrix product with NumPy semantics: 2-D, batched with broadcast batch dimensions, and 1-D
 * operands (promoted to a row/column and the added dimension removed from the result).
 * Computes in float32.
 */
import { dispatch } from '../engine.js';
import { broadcastShapes, broadcastStrides, contiguousStrides, fmtShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import type { Storage, View } from '../backends/backend.js';
import { output } from './util.js';

/** a @ b */
export function matmul(a: Tensor, b: Tensor): Tensor {
  a.assertAlive('matmul');
  b.assertAlive('matmul');
  if (a.rank === 0 || b.rank === 0) throw new RangeError(`matmul: operands must have at least 1 dimension, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  // 1-D operands: a vector on the left is a row [1, K]; on the right a column [K, 1].
  const aShape = a.rank === 1 ? [1, a.shape[0]!] : [...a.shape];
  const aStrides = a.rank === 1 ? [0, a.strides[0]!] : [...a.strides];
  const bShape = b.rank === 1 ? [b.shape[0]!, 1] : [...b.shape];
  const bStrides = b.rank === 1 ? [b.strides[0]!, 0] : [...b.strides];
  const M = aShape[aShape.length - 2]!, K = aShape[aShape.length - 1]!;
  const K2 = bShape[bShape.length - 2]!, N = bShape[bShape.length - 1]!;
  if (K !== K2) throw new RangeError(`matmul: inner dimensions differ: ${fmtShape(a.shape)} @ ${fmtShape(b.shape)} (${K} vs ${K2})`);
  const batch = broadcastShapes('matmul', aShape.slice(0, -2), bShape.slice(0, -2));
  const outShape = [...batch, M, N];
  const finalShape = [...batch, ...(a.rank === 1 ? [] : [M]), ...(b.rank === 1 ? [] : [N])];
  const at = (shape: number[], strides: number[], rows: number, cols: number, src: Pick<View, 'storage' | 'dtype' | 'offset'>): View => ({
    storage: src.storage, dtype: src.dtype, offset: src.offset,
    shape: [...batch, rows, cols],
    strides: [...broadcastStrides(shape.slice(0, -2), strides.slice(0, -2), batch), ...strides.slice(-2)],
  });
  return dispatch('matmul', [a, b], (backend) => {
    const temps: Storage[] = [];
    let va = at(aShape, aStrides, M, K, a), vb = at(bShape, bStrides, K, N, b);
    // Integer/bool operands compute in float32.
    if (a.dtype !== 'float32') {
      const s = backend.cast(a, 'float32');
      temps.push(s);
      va = at(aShape, a.rank === 1 ? [0, 1] : contiguousStrides(aShape), M, K, { storage: s, dtype: 'float32', offset: 0 });
    }
    if (b.dtype !== 'float32') {
      const s = backend.cast(b, 'float32');
      temps.push(s);
      vb = at(bShape, b.rank === 1 ? [1, 0] : contiguousStrides(bShape), K, N, { storage: s, dtype: 'float32', offset: 0 });
    }
    try {
      return output(backend, backend.matmul(va, vb, outShape), finalShape);
    } finally {
      for (const s of temps) backend.free(s);
    }
  });
}
