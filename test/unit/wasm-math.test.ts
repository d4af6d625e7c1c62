/**
 * Accuracy of the wasm kernels' own transcendental functions (no_std has no libm), both builds,
 * against float64 `Math.*` over a dense sweep. Stated bounds, relative unless noted:
 * exp ≤ 3e-7 on [-87, 88]; log ≤ 3e-7 on normal and subnormal inputs, absolute ≤ 1e-7 near 1;
 * tanh ≤ 4e-7, absolute ≤ 1e-7 near 0; sigmoid ≤ 4e-7 where σ > 1e-30; sqrt correctly rounded;
 * plus the IEEE special values (±∞, NaN, 0, negatives) matching `Math.*`.
 */
import { describe, it } from 'mocha';
import assert from 'node:assert/strict';
import type { UnaryOp } from '../../runtime/src/backends/backend.js';
import { createWasmBackend } from '../../runtime/src/backends/wasm/index.js';

const REF: Record<string, (x: number) => number> = {
  exp: Math.exp, log: Math.log, tanh: Math.tanh, sqrt: Math.sqrt, sigmoid: (x) => 1 / (1 + Math.exp(-x)),
};

/** `n` float32 points spread evenly over [lo, hi]. */
function sweep(lo: number, hi: number, n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}

for (const flavour of ['simd', 'scalar'] as const) {
  describe(`wasm math accuracy (${flavour} kernels)`, () => {
    const w = createWasmBackend({ flavour });
    const run = (op: UnaryOp, x: Float32Array): Float32Array => {
      const s = w.upload(x, 'float32');
      const v = { storage: s, dtype: 'float32' as const, shape: [x.length], strides: [1], offset: 0 };
      const o = w.unary(op, v);
      const out = w.readSync({ ...v, storage: o }) as Float32Array;
      w.free(s);
      w.free(o);
      return out;
    };
    /** Max error of `op` over `x`: relative where |want| ≥ floor, absolute (scaled by floor) below. */
    const maxErr = (op: UnaryOp, x: Float32Array, floor: number): number => {
      const got = run(op, x);
      let worst = 0;
      for (let i = 0; i < x.length; i++) {
        const want = REF[op]!(x[i]!);
        const err = Math.abs(got[i]! - want) / Math.max(Math.abs(want), floor);
        worst = Math.max(worst, err);
      }
      return worst;
    };

    it('exp: relative error ≤ 3e-7 on [-87, 88], subnormal results within 1 subnormal ulp', () => {
      assert.ok(maxErr('exp', sweep(-87, 88, 400_001), 0) <= 3e-7);
      const tiny = run('exp', Float32Array.from([-100, -103]));
      for (const [i, x] of [-100, -103].entries()) assert.ok(Math.abs(tiny[i]! - Math.exp(x)) <= 1.5e-45, `exp(${x})`);
    });
    it('log: relative error ≤ 3e-7 (absolute ≤ 1e-7 near 1), subnormal inputs included', () => {
      assert.ok(maxErr('log', sweep(1e-3, 1e3, 400_001), 1) <= 3e-7);
      assert.ok(maxErr('log', Float32Array.from({ length: 200 }, (_, i) => 1e-40 * (i + 1)), 1) <= 3e-7);
      assert.ok(maxErr('log', sweep(0.9, 1.1, 100_001), 1) <= 3e-7);
    });
    it('tanh and sigmoid: relative error ≤ 4e-7 (tanh: absolute ≤ 1e-7·|x| floor near 0)', () => {
      assert.ok(maxErr('tanh', sweep(-12, 12, 400_001), 0.25) <= 4e-7);
      assert.ok(maxErr('tanh', sweep(-0.7, 0.7, 100_001), 1e-30) <= 4e-7);
      assert.ok(maxErr('sigmoid', sweep(-60, 40, 400_001), 0) <= 4e-7);
    });
    it('sqrt is correctly rounded', () => {
      const x = sweep(0, 1e4, 200_001);
      const got = run('sqrt', x);
      for (let i = 0; i < x.length; i++) assert.equal(got[i], Math.fround(Math.sqrt(x[i]!)), `sqrt(${x[i]})`);
    });
    it('special values match Math.*', () => {
      const x = Float32Array.from([Infinity, -Infinity, NaN, 0, -0, -1, 1]);
      for (const op of ['exp', 'log', 'tanh', 'sqrt', 'sigmoid'] as const) {
        const got = run(op, x);
        x.forEach((v, i) => assert.ok(Object.is(got[i], Math.fround(REF[op]!(v))) || (got[i] === 0 && REF[op]!(v) === 0), `${op}(${v}) = ${got[i]}`));
      }
    });
  });
}
