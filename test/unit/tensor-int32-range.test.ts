/**
 * Numbers that int32 cannot hold are refused at creation (runtime/src/ops/creation.ts), naming the
 * element: a typed array's store wrapped 3e10 to −64771072 and turned NaN into 0 silently (audit 17).
 * Fractions still truncate toward zero, as `cast` does; nothing is left allocated by a refusal.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';

const refused = (f: () => unknown, where: RegExp): void => {
  const before = cp.memory();
  assert.throws(f, (e: Error) => e instanceof RangeError && where.test(e.message) && /which int32 cannot hold/.test(e.message));
  assert.deepEqual([cp.memory().tensors, cp.memory().bytes], [before.tensors, before.bytes]);
};

describe('int32 creation refuses values it cannot hold', () => {
  for (const backend of ['js', 'wasm'] as const) {
    it(`${backend}: nested arrays, typed float arrays, scalars and full()`, async () => {
      const previous = cp.getBackend();
      await cp.setBackend(backend);
      try {
        refused(() => cp.tensor([1, 3e10], 'int32'), /^tensor: the value at \[1\] is 30000000000/);
        refused(() => cp.tensor([[1, 2], [NaN, 4]], { dtype: 'int32' }), /^tensor: the value at \[1, 0\] is NaN/);
        refused(() => cp.tensor(Float64Array.from([1, -Infinity]), 'int32'), /^tensor: the value at \[1\] is -Infinity/);
        refused(() => cp.tensor(Float32Array.from([2 ** 31]), 'int32'), /^tensor: the value at \[0\] is 2147483648/);
        refused(() => cp.tensor(-5e9, 'int32'), /^tensor: the value is -5000000000/);
        refused(() => cp.full([3], 3e10, 'int32'), /^full: the value is 30000000000/);
        const edge = cp.tensor([1.7, -2.5, 2147483647, -2147483648], 'int32');
        assert.deepEqual(edge.toArray(), [1, -2, 2147483647, -2147483648]);
        edge.dispose();
        // float32 keeps what it can: no check there (1e300 is Infinity in float32, as in every runtime).
        const f = cp.tensor([3e10]);
        assert.deepEqual(f.toArray(), [Math.fround(3e10)]);
        f.dispose();
      } finally {
        await cp.setBackend(previous);
      }
    });
  }
});
