/**
 * `dropna`: removes missing values (NaN). One dispatch (op `dropna`): the host reads the input
 * once, keeps the rows without NaN, and uploads the result — a CPU-side filter, since which
 * rows survive decides the output shape.
 */
import { dispatch } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { wrap } from '../tensor.js';

/**
 * For a 2-D tensor, the rows that contain no NaN; for a 1-D tensor, the elements that are not
 * NaN. int32 and bool tensors hold no NaN and come back as a copy. CPU tensors only (move GPU
 * tensors with `await t.toAsync('cpu')` first).
 */
export function dropna(x: Tensor): Tensor {
  x.assertAlive('dropna');
  if (x.rank !== 1 && x.rank !== 2) throw new RangeError(`dropna: needs a 1-D or 2-D tensor, got shape [${x.shape.join(', ')}]`);
  if (x.device === 'gpu') throw new Error("dropna: the tensor is on the GPU; move it with `await t.toAsync('cpu')` first");
  return dispatch('dropna', [x], (b) => {
    const src = b.readSync(x);
    const rows = x.shape[0]!;
    const width = x.rank === 2 ? x.shape[1]! : 1;
    const out = new (src.constructor as { new (n: number): typeof src })(src.length);
    let kept = 0;
    for (let r = 0; r < rows; r++) {
      const row = src.subarray(r * width, (r + 1) * width);
      // NaN is the only value not equal to itself; int32/bool never match.
      if (row.some((v) => v !== v)) continue;
      out.set(row, kept * width);
      kept++;
    }
    const shape = x.rank === 2 ? [kept, width] : [kept];
    return wrap(b, b.upload(out.slice(0, kept * width), x.dtype), shape, x.dtype);
  });
}
