/**
 * Measured inputs of the speedup estimates: the fixed cost of one dispatch (front end + engine +
 * kernel launch on a 1-element tensor) per backend, timed with the profiler detached, median of
 * 7 rounds of 50 calls, cached per backend for the life of the process.
 */
import { getBackendImpl, getDispatchObserver, setDispatchObserver } from '../../engine.js';
import { binaryOp } from '../../ops/binary.js';
import { wrap } from '../../tensor.js';
import type { BackendName } from '../../types.js';

const cache = new Map<string, number>();

/** Fixed cost of one op dispatch on `backend`, ms (0 when the backend cannot be used synchronously). */
export function dispatchCostMs(backend: string): number {
  const known = cache.get(backend);
  if (known !== undefined) return known;
  let cost = 0;
  const observer = getDispatchObserver();
  setDispatchObserver(null);
  try {
    const b = getBackendImpl(backend as BackendName);
    const x = wrap(b, b.upload(Float32Array.of(1), 'float32'), [1], 'float32');
    const rounds: number[] = [];
    for (let r = 0; r < 7; r++) {
      const t0 = performance.now();
      for (let i = 0; i < 50; i++) binaryOp('add', x, 1).dispose();
      rounds.push((performance.now() - t0) / 50);
    }
    x.dispose();
    cost = rounds.sort((p, q) => p - q)[3]!;
  } catch {
    cost = 0;
  } finally {
    setDispatchObserver(observer);
  }
  cache.set(backend, cost);
  return cost;
}
