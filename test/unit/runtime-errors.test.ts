/** Bad input gets a clear error that names what is wrong, and changes nothing. */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import type { Backend } from '../../runtime/src/backends/backend.js';
import { jsBackend } from '../../runtime/src/backends/js/index.js';
import { dropBackend, registerBackend } from '../../runtime/src/engine.js';

describe('runtime errors', () => {
  it('shape mismatch names the op and both shapes', () => {
    const a = cp.ones([2, 3]), b = cp.ones([4]);
    const before = cp.memory();
    assert.throws(() => a.add(b), /add: shapes \[2, 3\] and \[4\] cannot be broadcast/);
    assert.throws(() => cp.matmul(a, a), /matmul: inner dimensions differ: \[2, 3\] @ \[2, 3\]/);
    assert.deepEqual(cp.memory().tensors, before.tensors);
  });
  it('ragged nested arrays name the path', () => {
    assert.throws(() => cp.tensor([[1, 2], [3]]), /ragged nested array at \[1\]: expected 2 elements, found 1/);
    assert.throws(() => cp.tensor([[[1], [2]], [[3], 4]] as never), /ragged nested array at \[1\]\[1\]/);
    assert.throws(() => cp.tensor([1, 'x'] as never), /element at \[1\] is string/);
    assert.throws(() => cp.tensor([1, [2]] as never), /ragged nested array at \[1\]: expected a number or boolean, found an array of 1 elements/);
    assert.throws(() => cp.tensor([[1, 2], [3, null]] as never), /element at \[1\]\[1\] is null/);
  });
  it('use of a disposed tensor says so', () => {
    const t = cp.ones([3]);
    t.dispose();
    assert.throws(() => t.sum(), /sum: tensor #\d+ \(shape \[3\], float32\) was disposed/);
    assert.throws(() => t.toArray(), /was disposed/);
  });
  it('unknown dtype, axis, device and backend say what is allowed', () => {
    assert.throws(() => cp.zeros([2], { dtype: 'float64' as never }), /Unknown dtype "float64"; allowed: float32, int32, bool/);
    assert.throws(() => cp.ones([2, 3]).sum(2), /sum: axis 2 is out of range for a tensor of rank 2 \(allowed: -2\.\.1\)/);
    assert.throws(() => cp.ones([2]).to('tpu' as never), /Unknown device "tpu"; allowed: cpu, gpu/);
    return assert.rejects(cp.setBackend('cuda' as never), /Unknown backend "cuda"; allowed: js, wasm, webgpu/);
  });
  it('reshape and squeeze explain the mismatch', () => {
    assert.throws(() => cp.ones([2, 3]).reshape([4, 2]), /cannot reshape \[2, 3\] \(6 elements\) into \[4, 2\]/);
    assert.throws(() => cp.ones([2, 3]).squeeze(0), /dimension 0 of shape \[2, 3\] has size 2, not 1/);
  });
  it('empty min/max refuse with the shape', () => {
    assert.throws(() => cp.zeros([0]).max(), /max: cannot reduce over zero elements/);
  });
});

describe('memory', () => {
  it('tidy disposes temporaries and keeps what is returned', () => {
    const before = cp.memory().tensors;
    const kept = cp.tidy(() => {
      const a = cp.ones([4]);
      a.add(1);
      return a.mul(2);
    });
    assert.equal(cp.memory().tensors, before + 1);
    assert.deepEqual(kept.toArray(), [2, 2, 2, 2]);
    kept.dispose();
    assert.equal(cp.memory().tensors, before);
  });
  it('tidy disposes everything when the function throws', () => {
    const before = cp.memory().tensors;
    assert.throws(() => cp.tidy(() => { cp.ones([4]); throw new Error('boom'); }), /boom/);
    assert.equal(cp.memory().tensors, before);
  });
  it('a loop of 1,000,000 iterations making temporaries inside tidy keeps memory flat', function () {
    this.timeout(300000);
    const x = cp.ones([8]);
    const before = cp.memory();
    let peak = 0;
    for (let i = 0; i < 1_000_000; i++) {
      cp.tidy(() => { x.add(i).mul(2); });
      if (i % 100_000 === 0) peak = Math.max(peak, cp.memory().bytes);
    }
    const after = cp.memory();
    assert.equal(after.tensors, before.tensors);
    assert.equal(after.bytes, before.bytes);
    assert.ok(peak <= before.bytes, `peak ${peak} > ${before.bytes}`);
    x.dispose();
  });
  it('views share storage and free it with the last view', () => {
    const before = cp.memory().bytes;
    const t = cp.ones([4, 4]);
    const v = t.transpose();
    t.dispose();
    assert.equal(cp.memory().bytes, before + 64);
    assert.equal(cp.tidy(() => v.sum().item()), 16);
    v.dispose();
    assert.equal(cp.memory().bytes, before);
  });
});

describe('memory on error paths and GC', () => {
  it('an op that fails part-way frees the temporaries it made (uploaded scalars, casts)', async () => {
    // A js backend that counts live storages and can fail the Nth upload or any binary/where kernel.
    let live = 0, uploads = 0, failUpload = 0;
    const failing: Backend = {
      ...jsBackend,
      upload(data, dtype) {
        if (++uploads === failUpload) throw new Error('upload failed');
        live++;
        return jsBackend.upload(data, dtype);
      },
      cast(a, dtype) { live++; return jsBackend.cast(a, dtype); },
      free(st) { live--; jsBackend.free(st); },
      binary() { throw new Error('kernel failed'); },
      where() { throw new Error('kernel failed'); },
    };
    const attempt = (failAt: number, fn: () => unknown, error: RegExp): void => {
      uploads = 0;
      failUpload = failAt;
      assert.throws(fn, error);
      assert.equal(live, 0, `temporaries left allocated after ${error}`);
    };
    const before = cp.getBackend();
    dropBackend('js');
    registerBackend('js', () => failing);
    try {
      await cp.setBackend('js');
      attempt(2, () => cp.add(1, 2.5), /upload failed/); // first scalar uploaded, second fails
      attempt(0, () => cp.add(1, 2.5), /kernel failed/);
      attempt(3, () => cp.where(true, 1, 2), /upload failed/); // cond and a uploaded, b fails
      attempt(0, () => cp.where(true, 1, 2), /kernel failed/);
    } finally {
      dropBackend('js');
      registerBackend('js', () => jsBackend);
      await cp.setBackend(before);
    }
  });
  it('tidy keeps returned tensors nested deeper than four levels', () => {
    const r = cp.tidy(() => ({ a: { b: { c: { d: { e: [cp.ones([2])] } } } } }));
    const t = r.a.b.c.d.e[0]!;
    assert.equal(t.isDisposed, false);
    t.dispose();
  });
});

describe('dataSync into a caller-provided array', () => {
  for (const backend of ['js', 'wasm'] as const) {
    it(`fills out without allocating, for contiguous and strided views (${backend})`, async () => {
      const before = cp.getBackend();
      await cp.setBackend(backend);
      try {
        cp.tidy(() => {
          const t = cp.arange(6).cast('float32').reshape([2, 3]);
          const out = new Float32Array(6);
          assert.equal(t.dataSync(out), out);
          assert.deepEqual([...out], [0, 1, 2, 3, 4, 5]);
          assert.equal(t.transpose().dataSync(out), out);
          assert.deepEqual([...out], [0, 3, 1, 4, 2, 5]);
          const b = t.gt(2), bools = new Uint8Array(6);
          assert.deepEqual([...b.dataSync(bools)], [0, 0, 0, 1, 1, 1]);
        });
      } finally {
        await cp.setBackend(before);
      }
    });
  }
  it('rejects an out of the wrong type or length, naming both', () => {
    cp.tidy(() => {
      const t = cp.ones([2, 3]);
      assert.throws(() => t.dataSync(new Int32Array(6)), /out must be a Float32Array for a float32 tensor, got Int32Array/);
      assert.throws(() => t.dataSync(new Float32Array(5)), /out has 5 elements, the tensor has 6 \(shape \[2, 3\]\)/);
    });
  });
});
