/**
 * webgpu memory hygiene: pools cap their idle bytes (largest, then oldest, evicted first) and
 * trim() empties them; read() returns its staging buffer when mapAsync rejects; in estimated
 * timing mode, ops encoded while a sink was detached are not reported with a later submit.
 */
import assert from 'node:assert/strict';
import type { GpuTimingSink } from '../../runtime/src/backends/backend.js';
import { BufferPool, DEFAULT_MAX_IDLE_BYTES } from '../../runtime/src/backends/webgpu/buffer-pool.js';
import { createWebGpuBackend, type WebGpuBackend } from '../../runtime/src/backends/webgpu/index.js';
import { dense, make, openOrSkip, viewOf } from './webgpu-harness.js';

describe('webgpu: pool caps, read errors, detached timing', function () {
  let gpu: WebGpuBackend;
  before(async function () { gpu = await openOrSkip(this); });
  after(() => gpu?.destroy());

  it('a pool keeps at most maxIdleBytes idle, evicting the largest and oldest first; trim empties it', () => {
    const U = GPUBufferUsage;
    const pool = new BufferPool(gpu.ctx.device, U.STORAGE | U.COPY_DST, 1 << 26, 'test', 8192);
    assert.equal(new BufferPool(gpu.ctx.device, U.STORAGE, 1 << 26, 'default').maxIdleBytes, DEFAULT_MAX_IDLE_BYTES);
    const small = [pool.acquire(4096), pool.acquire(4096)];
    const big = pool.acquire(16384);
    assert.equal(pool.bytesReserved, 4096 * 2 + 16384);
    pool.release(big); // 16 KiB idle > 8 KiB cap: destroyed at once
    assert.equal(pool.idleBytes, 0);
    assert.equal(pool.bytesReserved, 8192);
    for (const b of small) pool.release(b);
    assert.equal(pool.idleBytes, 8192, 'both small buffers fit under the cap');
    const again = pool.acquire(4000);
    assert.equal(again, small[1], 'an idle buffer is reused');
    assert.equal(pool.idleBytes, 4096);
    pool.release(again);
    pool.trim();
    assert.equal(pool.idleBytes, 0);
    assert.equal(pool.bytesReserved, 0);
    assert.equal(pool.bytesInUse, 0);
  });

  it('read() puts the staging buffer back when mapAsync rejects', async () => {
    const staging = (gpu as unknown as { staging: BufferPool }).staging;
    const acquire = staging.acquire.bind(staging);
    staging.acquire = (bytes: number) => {
      const b = acquire(bytes);
      Object.defineProperty(b, 'mapAsync', { value: () => Promise.reject(new Error('map failed (test)')), configurable: true });
      return b;
    };
    const v = make(gpu, 'float32', [1, 2, 3], dense([3]));
    const before = staging.bytesInUse;
    try {
      await assert.rejects(gpu.read(v), /map failed \(test\)/);
    } finally {
      staging.acquire = acquire;
    }
    assert.equal(staging.bytesInUse, before, 'the staging buffer was released');
    gpu.free(v.storage);
  });

  it('estimated mode: ops encoded while detached are not reported with the next submit', async () => {
    const est = await createWebGpuBackend({ timestamps: false });
    try {
      const times: number[] = [];
      const sink: GpuTimingSink = { gpuTime: (ev) => { times.push(ev); }, transfer: () => undefined };
      const v = make(est, 'float32', [1, 2, 3], dense([3]));
      est.setTimingSink(sink);
      est.markOp(7);
      const a = est.unary('neg', v); // encoded for event 7 while attached…
      est.markOp(-1);
      est.setTimingSink(null); // …detached before the flush
      await est.read(viewOf(a, [3]));
      est.setTimingSink(sink);
      est.markOp(8);
      const b = est.unary('abs', v);
      est.markOp(-1);
      await est.read(viewOf(b, [3]));
      for (let i = 0; i < 50 && !times.includes(8); i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(times.includes(8), `reported ${JSON.stringify(times)}`);
      assert.ok(!times.includes(7), `event 7 was reported with a later submit: ${JSON.stringify(times)}`);
    } finally {
      est.destroy();
    }
  });
});
