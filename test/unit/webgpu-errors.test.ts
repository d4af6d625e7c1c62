/**
 * webgpu failure paths, each a clear error: no adapter (simulated through the injectable
 * adapter request), a hanging adapter request (timeout), fallback to the CPU, device loss (the
 * CPU keeps working), an oversized buffer, synchronous reads, freed storage, zero-size tensors.
 */
import assert from 'node:assert/strict';
import * as cp from '../../runtime/src/index.js';
import { dropBackend, getBackendImpl, isBackendReady } from '../../runtime/src/engine.js';
import { createWebGpuBackend, GpuUnavailableError, initGpu, type WebGpuBackend } from '../../runtime/src/backends/webgpu/index.js';
import { diagnoseMissing } from '../../runtime/src/backends/webgpu/device.js';
import { broadcastTo, dense, jsBackend, make, openOrSkip, viewOf } from './webgpu-harness.js';

/** Runs `fn` capturing console.warn lines. */
async function warnings<T>(fn: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
  const lines: string[] = [];
  const orig = console.warn;
  console.warn = (...args: unknown[]) => { lines.push(args.map(String).join(' ')); };
  try {
    return { result: await fn(), lines };
  } finally {
    console.warn = orig;
  }
}

/** Forgets the engine's webgpu backend (destroying its device) so initGpu starts afresh. */
function resetEngineGpu(): void {
  if (isBackendReady('webgpu')) (getBackendImpl('webgpu') as WebGpuBackend).destroy();
  dropBackend('webgpu');
}

describe('webgpu: missing adapter', () => {
  afterEach(resetEngineGpu);

  it('rejects with a one-line reason when no adapter exists', async () => {
    await assert.rejects(createWebGpuBackend({ requestAdapter: async () => null }), (e: Error) => {
      assert.ok(e instanceof GpuUnavailableError);
      assert.match(e.message, /^no WebGPU adapter: .+/);
      assert.ok(!e.message.includes('\n'), 'one line');
      return true;
    });
  });

  it('times out a hanging adapter request instead of hanging', async () => {
    const t0 = performance.now();
    await assert.rejects(createWebGpuBackend({ requestAdapter: () => new Promise(() => {}), timeoutMs: 200 }),
      /no WebGPU adapter: requestAdapter did not answer within 200 ms/);
    assert.ok(performance.now() - t0 < 5000);
  });

  it("initGpu({ onMissing: 'fallback' }) prints one notice and stays on the CPU", async () => {
    resetEngineGpu();
    const { result, lines } = await warnings(() => initGpu({ onMissing: 'fallback', requestAdapter: async () => null }));
    assert.equal(result.ok, false);
    assert.ok(result.backend === 'wasm' || result.backend === 'js');
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /no WebGPU adapter: .*continuing on the CPU/);
    assert.deepEqual(Array.from(cp.tensor([1, 2]).add(1).dataSync()), [2, 3]);
  });

  it('names the driver the Vulkan loader was given, and blames lavapipe only when it is the one', function () {
    if (process.platform !== 'linux') this.skip();
    // An NVIDIA container where libglvnd was missing gave "lavapipe is too old" before.
    const nvidia = diagnoseMissing({ VK_DRIVER_FILES: '/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json' });
    assert.match(nvidia, /nvidia_icd\.json/);
    assert.doesNotMatch(nvidia, /lavapipe/);
    assert.match(nvidia, /VK_LOADER_DEBUG=error/);
    assert.match(diagnoseMissing({ VK_ICD_FILENAMES: '/usr/share/vulkan/icd.d/lvp_icd.x86_64.json' }), /lavapipe is too old/);
  });

  it("initGpu() (onMissing 'throw') rejects with the reason", async () => {
    resetEngineGpu();
    await assert.rejects(initGpu({ requestAdapter: async () => null }), GpuUnavailableError);
  });
});

describe('webgpu: errors on a real device', function () {
  let gpu: WebGpuBackend;
  before(async function () { gpu = await openOrSkip(this); });
  after(() => gpu?.destroy());

  it('readSync says to use await t.data()', () => {
    const v = make(gpu, 'float32', [1, 2], dense([2]));
    assert.throws(() => gpu.readSync(v), /cannot be read synchronously; use `await t\.data\(\)`/);
  });

  it('an oversized buffer names the bytes asked and the limit', () => {
    const limit = gpu.ctx.maxBindingBytes;
    const n = Math.floor(limit / 4) + 1;
    const one = make(gpu, 'float32', [1], dense([1]));
    assert.throws(() => gpu.binary('add', broadcastTo(one, [n]), broadcastTo(one, [n]), [n]), (e: Error) => {
      assert.match(e.message, new RegExp(`cannot allocate ${n * 4} bytes .*at most ${limit} bytes`));
      return true;
    });
  });

  it('reading or using freed storage is a clear error; freeing twice too', async () => {
    const v = make(gpu, 'float32', [1, 2, 3], dense([3]));
    gpu.free(v.storage);
    await assert.rejects(gpu.read(v), /GPU storage \(3 × float32\) was freed — its tensor was disposed/);
    assert.throws(() => gpu.unary('neg', v), /was freed/);
    assert.throws(() => gpu.free(v.storage), /freed twice/);
  });

  it('zero-size tensors upload, compute and read back (no zero-size bindings)', async () => {
    const before = gpu.memory().bytesInUse;
    const e = make(gpu, 'float32', [], dense([0]));
    const out = gpu.binary('add', e, e, [0]);
    assert.equal((await gpu.read(viewOf(out, [0]))).length, 0);
    assert.deepEqual(Array.from(await gpu.read(viewOf(gpu.reduce('sum', viewOf(e.storage, [0, 2]), [0]), [2]))), [0, 0]);
    assert.equal(gpu.memory().bytesInUse - before, 256, 'only the 2-element sum holds a buffer');
  });
});

describe('webgpu: device loss', () => {
  it('reports the loss, fails GPU calls clearly and leaves the CPU usable', async function () {
    resetEngineGpu();
    const r = await initGpu({ onMissing: 'fallback' });
    if (!r.ok) this.skip();
    const gpu = getBackendImpl('webgpu') as WebGpuBackend;
    const v = make(gpu, 'float32', [1, 2, 3], dense([3]));
    const { lines } = await warnings(async () => {
      gpu.ctx.device.destroy(); // as a driver reset would; the backend did not ask for it
      for (let i = 0; i < 100 && !gpu.isLost; i++) await new Promise((res) => setTimeout(res, 20));
    });
    assert.ok(gpu.isLost, 'device.lost resolved');
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /WebGPU device lost .*continuing on the CPU/);
    assert.equal(isBackendReady('webgpu'), false, 'engine dropped the backend');
    assert.notEqual(cp.getBackend(), 'webgpu');
    assert.throws(() => gpu.unary('neg', v), /the GPU device was lost .*continues on the CPU/);
    await assert.rejects(gpu.read(v), /the GPU device was lost/);
    const j = make(jsBackend, 'float32', [1, 2, 3], dense([3]));
    assert.deepEqual(Array.from(jsBackend.readSync(viewOf(jsBackend.unary('neg', j), [3]))), [-1, -2, -3]);
    assert.deepEqual(Array.from(cp.tensor([1, 2]).mul(3).dataSync()), [3, 6]);
  });
});
