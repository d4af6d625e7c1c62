/**
 * webgpu memory, batching, timing and calibration, and the `cp` front end on the GPU:
 * pooled buffers are reused, pipelines compile once, many ops batch into one submit,
 * timestamp-query timings arrive per event id (estimated=true without timestamps),
 * calibrate() stores per-adapter crossovers, and `t.to('gpu')` / `await t.data()` work.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as cp from '../../runtime/src/index.js';
import type { GpuTimingSink } from '../../runtime/src/backends/backend.js';
import { getCalibration } from '../../runtime/src/backends/calibration.js';
import { calibrate, calibrationFile, createWebGpuBackend, initGpu, type WebGpuBackend } from '../../runtime/src/backends/webgpu/index.js';
import { dense, make, openOrSkip, viewOf } from './webgpu-harness.js';

type Rec = { kind: 'time'; ev: number; start: number; end: number; estimated: boolean } | { kind: 'bytes'; ev: number; dir: string; bytes: number };

function recorder(): GpuTimingSink & { recs: Rec[] } {
  const recs: Rec[] = [];
  return {
    recs,
    gpuTime: (ev, start, end, estimated) => { recs.push({ kind: 'time', ev, start, end, estimated }); },
    transfer: (ev, dir, bytes) => { recs.push({ kind: 'bytes', ev, dir, bytes }); },
  };
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  for (const t0 = performance.now(); !cond() && performance.now() - t0 < ms;) await new Promise((r) => setTimeout(r, 10));
}

describe('webgpu: memory, batching, timing', function () {
  let gpu: WebGpuBackend;
  before(async function () { gpu = await openOrSkip(this); });
  after(() => gpu?.destroy());

  it('freed buffers return to the pool and are reused; memory() reports bytes', async () => {
    const use0 = gpu.memory().bytesInUse;
    const vs = Array.from({ length: 4 }, () => make(gpu, 'float32', new Array(1000).fill(1), dense([1000])));
    assert.equal(gpu.memory().bytesInUse - use0, 4 * 4096, '4000 bytes round up to the 4096-byte class');
    for (const v of vs) gpu.free(v.storage);
    await gpu.sync();
    const reserved = gpu.memory().bytesReserved;
    assert.equal(gpu.memory().bytesInUse, use0);
    const again = make(gpu, 'float32', new Array(900).fill(1), dense([900]));
    assert.equal(gpu.memory().bytesReserved, reserved, 'a pooled buffer was reused');
    assert.ok(gpu.memory().bytesReserved >= gpu.memory().bytesInUse);
    gpu.free(again.storage);
  });

  it('compiles each pipeline once and batches a chain of ops into one read', async () => {
    let x = make(gpu, 'float32', [1, 2, 3], dense([3]));
    const one = make(gpu, 'float32', [1], dense([1]));
    const oneB = { ...one, strides: [0] };
    x = viewOf(gpu.binary('add', x, oneB, [3]), [3]);
    const compiled = gpu.pipelines.size;
    for (let i = 0; i < 199; i++) x = viewOf(gpu.binary('add', x, oneB, [3]), [3]);
    assert.equal(gpu.pipelines.size, compiled);
    assert.deepEqual(Array.from(await gpu.read(x)), [201, 202, 203]);
  });

  it('reports GPU time per event id from timestamp queries, and transfer bytes', async function () {
    if (!gpu.ctx.timestamps) this.skip(); // the adapter has no timestamp-query (the next test covers that path)
    const sink = recorder();
    gpu.setTimingSink(sink);
    const t0 = performance.now();
    gpu.markOp(6);
    const a = make(gpu, 'float32', new Array(1023).fill(2), dense([1023]));
    gpu.markOp(7);
    const b = gpu.unary('exp', a);
    gpu.markOp(8);
    const s = gpu.reduce('sum', viewOf(b, [1023]), [0]);
    gpu.markOp(9);
    await gpu.read(viewOf(s, []));
    gpu.markOp(-1);
    await until(() => sink.recs.filter((r) => r.kind === 'time').length >= 2);
    gpu.setTimingSink(null);
    assert.deepEqual(sink.recs.filter((r) => r.kind === 'bytes'), [
      { kind: 'bytes', ev: 6, dir: 'upload', bytes: 4092 }, { kind: 'bytes', ev: 9, dir: 'download', bytes: 4 }]);
    const times = sink.recs.filter((r): r is Extract<Rec, { kind: 'time' }> => r.kind === 'time');
    assert.deepEqual(times.map((t) => t.ev).sort(), [7, 8]);
    for (const t of times) {
      assert.equal(t.estimated, false);
      assert.ok(t.end >= t.start && t.start >= t0 && t.end <= performance.now(), JSON.stringify(t));
    }
  });

  it('without timestamps, timings are submit-to-completion estimates flagged estimated=true', async () => {
    const est = await createWebGpuBackend({ timestamps: false });
    try {
      const sink = recorder();
      est.setTimingSink(sink);
      est.markOp(3);
      const v = make(est, 'float32', [1, 2, 3], dense([3]));
      const out = est.unary('neg', v);
      est.markOp(-1);
      assert.deepEqual(Array.from(await est.read(viewOf(out, [3]))), [-1, -2, -3]);
      await until(() => sink.recs.some((r) => r.kind === 'time'));
      const t = sink.recs.find((r) => r.kind === 'time');
      assert.ok(t && t.kind === 'time' && t.ev === 3 && t.estimated && t.end >= t.start);
    } finally {
      est.destroy();
    }
  });
});

describe('webgpu: calibrate and the cp front end', function () {
  before(async function () {
    const r = await initGpu({ onMissing: 'fallback' });
    if (!r.ok) { console.log(`    skipping: ${r.reason}`); this.skip(); }
  });

  it('calibrate() stores crossovers per adapter and installs them', async () => {
    const prev = process.env['XDG_CACHE_HOME'];
    process.env['XDG_CACHE_HOME'] = mkdtempSync(join(tmpdir(), 'corepy-cal-'));
    try {
      const c = await calibrate({ sizes: [256, 16384], repeats: 1 });
      assert.deepEqual(getCalibration(), c);
      for (const f of ['elementwise', 'reduce', 'matmul'] as const) {
        assert.ok(c.crossover[f] === null || [256, 16384].includes(c.crossover[f]!));
        assert.ok(c.speedupAtLargest[f] > 0);
      }
      const stored = JSON.parse(readFileSync(calibrationFile(), 'utf8'));
      assert.deepEqual(stored.adapters[c.adapter], c);
    } finally {
      if (prev === undefined) delete process.env['XDG_CACHE_HOME'];
      else process.env['XDG_CACHE_HOME'] = prev;
    }
  });

  it("t.to('gpu'), ops on the GPU and await t.data()", async () => {
    const t = cp.tensor([[1, 2, 3], [4, 5, 6]]).to('gpu');
    assert.equal(t.device, 'gpu');
    const u = t.add(cp.tensor([10, 20, 30]).to('gpu')).sum(1);
    assert.deepEqual(Array.from(await u.data()), [66, 75]);
    assert.throws(() => u.dataSync(), /^Error: dataSync: .*use `await t\.data\(\)`/);
    // Each synchronous reader names itself and its asynchronous form (item() used to say `dataSync`).
    assert.throws(() => u.toArray(), /^Error: toArray: .*use `await t\.array\(\)`/);
    assert.throws(() => u.sum().item(), /^Error: item: .*use `\(await t\.data\(\)\)\[0\]`/);
    t.dispose();
    await assert.rejects(t.data(), /disposed/);
  });
});
