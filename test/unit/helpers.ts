/**
 * Shared test helpers: run code on a chosen backend, compare with a stated tolerance, and list
 * the CPU backends under test (every registered one; `js` is the reference).
 */
import assert from 'node:assert/strict';
import * as cp from '../../runtime/src/index.js';
import type { BackendName } from '../../runtime/src/types.js';
import { priorityFrom, type Priority, type Recommendation } from '../../runtime/src/profiler/rules/types.js';

/** Backends other than the reference that are available synchronously in this build. */
export function cpuBackendsUnderTest(): BackendName[] {
  const out: BackendName[] = [];
  const before = cp.getBackend();
  for (const name of ['wasm'] as const) {
    try {
      void cp.setBackend(name);
      if (cp.getBackend() === name) out.push(name);
    } catch { /* not built */ }
  }
  void cp.setBackend(before);
  // The wasm kernels are part of every build; a missing backend must fail loudly, not shrink the suite.
  if (!out.includes('wasm')) throw new Error('wasm backend unavailable: build the kernels first (npm run build)');
  return out;
}

/** Runs `fn` with `name` as the default backend, restoring the previous one. */
export function withBackend<T>(name: BackendName, fn: () => T): T {
  const before = cp.getBackend();
  void cp.setBackend(name);
  try {
    return fn();
  } finally {
    void cp.setBackend(before);
  }
}

/** Tolerance: |actual − expected| ≤ atol + rtol·|expected|; NaN must match NaN. */
export interface Tolerance { readonly rtol: number; readonly atol: number }

/** Elementwise float32 kernels: a few ulps. */
export const TOL_ELEMENTWISE: Tolerance = { rtol: 2e-6, atol: 1e-7 };
/** Transcendentals (exp, log, tanh, sigmoid) with our own approximations. */
export const TOL_TRANSCENDENTAL: Tolerance = { rtol: 1e-5, atol: 1e-6 };
/** Reductions and matmul (different summation order than the float64 reference). */
export const TOL_ACCUMULATE: Tolerance = { rtol: 1e-4, atol: 1e-5 };

/** Asserts two arrays are equal within `tol`, naming the first mismatch. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length} vs ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    if (Number.isNaN(e)) {
      assert.ok(Number.isNaN(a), `${what}: element ${i}: expected NaN, got ${a}`);
      continue;
    }
    if (a === e) continue;
    assert.ok(Math.abs(a - e) <= tol.atol + tol.rtol * Math.abs(e), `${what}: element ${i}: got ${a}, expected ${e} (rtol ${tol.rtol}, atol ${tol.atol})`);
  }
}

/** Deterministic values in [-2, 2) with some exact integers, for `n` elements. */
export function values(n: number, seed = 1): number[] {
  const out: number[] = [];
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out.push(i % 7 === 0 ? (i % 5) - 2 : (s / 2 ** 32) * 4 - 2);
  }
  return out;
}

/**
 * The priority a recommendation should carry: the one its estimate gives (priorityFrom), or MEDIUM
 * where its saving was too small a share of the run's wall time for HIGH (rules/wall-share.ts says so
 * in the basis).
 */
export function expectedPriority(r: Pick<Recommendation, 'estimatedSpeedup' | 'savedMs' | 'impact' | 'speedupBasis'>): Priority {
  const fromEstimate = priorityFrom(r.estimatedSpeedup, r.savedMs ?? 0, r.impact ?? 'unknown');
  return fromEstimate === 'HIGH' && r.speedupBasis.includes('(MEDIUM, not HIGH') ? 'MEDIUM' : fromEstimate;
}
