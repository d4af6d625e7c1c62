/** Numerical accuracy promises, checked on every CPU backend (js included). */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import { cpuBackendsUnderTest, withBackend } from './helpers.js';

for (const backend of ['js', ...cpuBackendsUnderTest()] as const) {
  describe(`numerics on ${backend}`, () => {
    it('sum of 1e7 float32 ones is exactly 1e7', () => {
      withBackend(backend, () => cp.tidy(() => {
        assert.equal(cp.ones([1e7]).sum().item(), 1e7);
        assert.equal(cp.ones([1e7]).mean().item(), 1);
      }));
    });
    it('std of 1e6 values with mean 1e6 and std 1 is within 1e-3 relative', () => {
      withBackend(backend, () => cp.tidy(() => {
        // Exactly ±1 around 1e6 (alternating): population std is exactly 1.
        const host = new Float32Array(1e6).map((_, i) => 1e6 + (i % 2 === 0 ? 1 : -1));
        const t = cp.tensor(host);
        const s = t.std().item();
        assert.ok(Math.abs(s - 1) < 1e-3, `std = ${s}`);
        const { mean, variance } = t.moments();
        assert.ok(Math.abs(mean.item() - 1e6) < 1e-1, `mean = ${mean.item()}`);
        assert.ok(Math.abs(variance.item() - 1) < 2e-3, `var = ${variance.item()}`);
      }));
    });
  });
}
