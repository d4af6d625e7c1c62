/**
 * cp.jit on the webgpu backend (lavapipe in CI): traced plans of elementwise chains, where,
 * casts, broadcasting and reductions run on GPU tensors (each group's members as GPU kernels; the
 * backend has no fused kernel yet) and equal eager execution on the js reference.
 */
import { describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import type { Tensor } from '../../runtime/src/index.js';
import { assertClose, TOL_ACCUMULATE, TOL_TRANSCENDENTAL, values, withBackend, type Tolerance } from './helpers.js';

type Fn = (...xs: Tensor[]) => Tensor;
/**
 * The sum of a normalized vector cancels to ~0, so relative error means nothing there: its bound is
 * absolute, n · ε(float32) · max|term| = 4099 · 2⁻²³ · ~1.8 ≈ 9e-4 (the mean and std themselves
 * may round differently: the GPU's moments accumulate shifted values, the js reference does not).
 */
const TOL_CANCELLING_SUM: Tolerance = { rtol: 0, atol: 4099 * 2 ** -23 * 1.8 };
const CASES: [string, Fn, number[][], Tolerance?][] = [
  ['normalize → sum', (x) => x.sub(x.mean()).div(x.std()).sum(), [[4099]], TOL_CANCELLING_SUM],
  ['sum(relu(1.5x − 0.5))', (x) => x.mul(1.5).sub(0.5).relu().sum(), [[4099]]],
  ['broadcast chain with where and casts', (a, b) => cp.where(a.gt(b), a.exp(), b.mul(2)).add(a.lt(0).cast('float32')), [[30, 1], [1, 70]]],
  ['row reduction epilogue', (a, b) => a.mul(b).tanh().max(1), [[20, 65], [65]]],
];

describe('cp.jit on webgpu', function () {
  this.timeout(120000);
  it('every pipeline equals eager js (trace call and plan call)', async () => {
    await cp.initGpu();
    for (const [what, fn, shapes, tol] of CASES) {
      const expected = withBackend('js', () => cp.tidy(() => [...fn(...shapes.map((s, i) => cp.tensor(values(s.reduce((p, d) => p * d, 1), i + 1)).reshape(s))).dataSync()]));
      const jitted = cp.jit(fn, { warn: false });
      const inputs = shapes.map((s, i) => cp.tensor(values(s.reduce((p, d) => p * d, 1), i + 1)).reshape(s).to('gpu'));
      for (const round of ['trace', 'plan']) {
        const out = jitted(...inputs);
        assertClose([...(await out.data())].map(Number), expected, tol ?? (what.includes('sum') ? TOL_ACCUMULATE : TOL_TRANSCENDENTAL), `${what} on webgpu (${round})`);
        out.dispose();
      }
      for (const t of inputs) t.dispose();
    }
  });
});
