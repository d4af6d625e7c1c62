/**
 * Warm-up at the first `enableProfiling()` of a thread (session.ts; profiled launches enable it
 * before the user's script runs): before anything records, every common op runs once on tiny
 * tensors. The first call of an op in a process pays for the runtime's own JavaScript on its path —
 * V8 compiles each function on first use and its inline caches start empty — about 0.3–0.5 ms per
 * op on the dev VM, which a cold run used to show as the op's time (a 1e6-element `mean` at 0.55 ms
 * against 0.08 ms warm). Now that work is the one-time cost row "warm up corepy ops". Random ops are left out (they would move the global
 * generator the script may rely on), and GPU backends too (each op would build pipelines the script
 * may never use; those are their own one-time costs when they happen).
 */
import { getDefaultBackend } from '../engine.js';
import * as cp from '../index.js';
import { oneTimeCostMark, oneTimeCostsSince, recordOneTimeCost } from '../one-time-costs.js';

/** Runs each op once on tiny tensors of the default backend (CPU only); records the time as a one-time cost. */
export function warmUpOps(): void {
  if (getDefaultBackend().device !== 'cpu') return;
  const mark = oneTimeCostMark();
  const t0 = performance.now();
  let ops = 0;
  cp.tidy(() => {
    const a = cp.tensor([[1, 2, 3], [4, 5, 6]]), b = cp.tensor(new Float32Array([0.5, -1, 2, 0, 3, -2]), { shape: [2, 3] });
    const n = cp.tensor([1, 2, 3], 'int32'), mask = a.gt(2);
    const touch = (...results: unknown[]): void => { ops += results.length; };
    touch(cp.zeros([2]), cp.ones([2]), cp.full([2], 3), cp.arange(4), cp.linspace(0, 1, 3));
    for (const y of [b, 2]) touch(a.add(y), a.sub(y), a.mul(y), a.div(y), a.pow(y), a.maximum(y), a.minimum(y), a.eq(y), a.lt(y), a.gt(y));
    touch(n.add(n), n.mul(2), cp.where(mask, a, b), cp.where(mask, a, 0));
    touch(a.neg(), a.abs(), a.exp(), a.log(), a.sqrt(), a.tanh(), a.sigmoid(), a.relu(), a.cast('int32'), n.cast('float32'));
    for (const axis of [undefined, 1]) {
      touch(a.sum(axis), a.mean(axis), a.var(axis), a.std(axis), a.min(axis), a.max(axis), a.argmax(axis), cp.moments(a, axis));
    }
    touch(n.sum(), a.sum(0), a.matmul(b.transpose()), a.reshape([3, 2]), a.unsqueeze(0).squeeze(0), a.flatten(), a.transpose().contiguous());
    touch(a.slice([null, [1, 3]]), a.clone(), cp.concat([a, b]), cp.stack([a, b]));
    touch(a.dataSync(), a.sum().item(), a.toArray());
  });
  // One-time work during the warm-up (a pipeline, memory growth: none on the wasm backend today) is its own row:
  // the warm-up's row gets the rest of the time, placed at its end, so no time is counted twice.
  const t1 = performance.now();
  const nested = oneTimeCostsSince(mark).reduce((ms, c) => ms + (c.endMs - c.startMs), 0);
  recordOneTimeCost(`warm up corepy ops (${ops} calls on tiny tensors)`, 'compile', Math.min(t1, t0 + nested), t1);
}
