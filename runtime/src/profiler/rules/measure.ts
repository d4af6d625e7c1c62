/**
 * Measured inputs of the speedup estimates: the fixed cost of one dispatch (front end + engine +
 * kernel launch on a 1-element tensor) per CPU backend, timed with the profiler detached, median
 * of 7 rounds of 50 calls, cached per backend for the life of the process.
 *
 * GPU backends get no figure (null): their kernels run asynchronously after submit, so the clock
 * around a dispatch loop times encoding and queueing, not the launch, and timing GPU work that
 * way is exactly what STYLE.md rules out. Rules that need the figure skip GPU sites instead of
 * claiming a "measured" speedup for them.
 */
import { getBackendImpl, getDispatchObserver, isBackendReady, setDispatchObserver } from '../../engine.js';
import { binaryOp } from '../../ops/binary.js';
import { wrap, type Tensor } from '../../tensor.js';
import type { BackendName } from '../../types.js';

const cache = new Map<string, number | null>();

/** True when `backend` runs its kernels on a GPU (names known to be GPUs, or a ready backend saying so). */
function isGpu(backend: string): boolean {
  if (backend === 'webgpu') return true;
  try {
    return isBackendReady(backend as BackendName) && getBackendImpl(backend as BackendName).device === 'gpu';
  } catch {
    return false;
  }
}

/**
 * Fixed cost of one op dispatch on `backend`, ms; null for GPU backends (no honest CPU-clock
 * figure exists for asynchronous GPU work); 0 when the backend cannot be used synchronously.
 */
export function dispatchCostMs(backend: string): number | null {
  const known = cache.get(backend);
  if (known !== undefined) return known;
  if (isGpu(backend)) {
    cache.set(backend, null);
    return null;
  }
  let cost = 0;
  const observer = getDispatchObserver();
  setDispatchObserver(null);
  let x: Tensor | null = null;
  try {
    const b = getBackendImpl(backend as BackendName);
    x = wrap(b, b.upload(Float32Array.of(1), 'float32'), [1], 'float32');
    const rounds: number[] = [];
    for (let r = 0; r < 7; r++) {
      const t0 = performance.now();
      for (let i = 0; i < 50; i++) binaryOp('add', x, 1).dispose();
      rounds.push((performance.now() - t0) / 50);
    }
    cost = rounds.sort((p, q) => p - q)[3]!;
  } catch {
    cost = 0;
  } finally {
    x?.dispose();
    setDispatchObserver(observer);
  }
  cache.set(backend, cost);
  return cost;
}

let copyCost: number | null = null;

/**
 * Cost of copying one byte into an array that already exists (what `t.dataSync(out)` does after
 * the kernel), ms per byte: 1 MiB Float32Array → Float32Array `set`, median of 7 rounds of 8
 * copies after a warm-up, measured once per process.
 */
export function copyMsPerByte(): number {
  if (copyCost !== null) return copyCost;
  const src = new Float32Array(1 << 18).fill(1), dst = new Float32Array(1 << 18);
  dst.set(src);
  const rounds: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now();
    for (let i = 0; i < 8; i++) dst.set(src);
    rounds.push((performance.now() - t0) / (8 * src.byteLength));
  }
  copyCost = rounds.sort((p, q) => p - q)[3]!;
  return copyCost;
}
