/**
 * `arange` on every CPU backend gives, bit for bit, what JavaScript's own store of `start + i * step`
 * gives (a Float32Array store rounds the f64 value to nearest, an Int32Array store wraps it modulo
 * 2^32): the wasm backend's ramp kernels (kernels-rust/src/fill.rs, SIMD body and scalar tail) and
 * the JavaScript writer the others and the awkward cases use.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import fc from 'fast-check';
import * as cp from '../../runtime/src/index.js';
import { cpuBackendsUnderTest, withBackend } from './helpers.js';

/** The reference: JavaScript's own arithmetic and typed-array store. */
function expected(start: number, stop: number, step: number, dtype: 'float32' | 'int32'): Float32Array | Int32Array {
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const out = dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = start + i * step;
  return out;
}

function check(start: number, stop: number, step: number, dtype: 'float32' | 'int32'): void {
  const got = cp.tidy(() => cp.arange(start, stop, step, { dtype }).dataSync());
  const want = expected(start, stop, step, dtype);
  assert.equal(got.length, want.length, `arange(${start}, ${stop}, ${step}, ${dtype}) length`);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) assert.fail(`arange(${start}, ${stop}, ${step}, ${dtype})[${i}] = ${got[i]}, JavaScript stores ${want[i]}`);
  }
}

describe('arange', () => {
  for (const backend of ['js' as const, ...cpuBackendsUnderTest()]) {
    describe(backend, () => {
      it('equals JavaScript\'s store of start + i·step on chosen cases (tails, negative steps, int32 wrap, awkward int32)', () => withBackend(backend, () => {
        const cases: [number, number, number, 'float32' | 'int32'][] = [
          [0, 0, 1, 'int32'], [0, 1, 1, 'int32'], [0, 7, 1, 'int32'], [3, 1030, 1, 'int32'], [5, -6, -1, 'int32'], [-9, 40, 3, 'int32'],
          [2 ** 31 - 5, 2 ** 31 + 6, 1, 'int32'], [-(2 ** 31) - 3, -(2 ** 31) + 9, 1, 'int32'], [0, 1e9, 1e8 + 7, 'int32'],
          [0, 1, 0.5, 'int32'], [-3, 3, 0.7, 'int32'], [1e300, 1e300 + 4e290, 1e290, 'int32'],
          [0, 1, 0.1, 'float32'], [-5, 5, 0.3, 'float32'], [0, 1, 1e-3, 'float32'], [1e7, 1e7 + 9, 1, 'float32'], [16777215, 16777230, 1, 'float32'],
          [3, -4, -0.37, 'float32'], [0, 1e39, 3e38, 'float32'],
        ];
        for (const [a, b, c, dt] of cases) check(a, b, c, dt);
      }));

      it('equals it on random integer and float ramps (fast-check)', () => withBackend(backend, () => {
        fc.assert(fc.property(
          fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.integer({ min: 0, max: 300 }), fc.integer({ min: -(2 ** 20), max: 2 ** 20 }).filter((s) => s !== 0),
          (start, n, step) => { check(start, start + n * step, step, 'int32'); },
        ), { numRuns: 200 });
        fc.assert(fc.property(
          fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.integer({ min: 0, max: 300 }), fc.double({ min: 1e-3, max: 1e3, noNaN: true }), fc.boolean(),
          (start, n, size, down) => { const step = down ? -size : size; check(start, start + n * step, step, 'float32'); },
        ), { numRuns: 200 });
      }));
    });
  }
});
