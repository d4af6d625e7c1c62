/**
 * cp.jit on the webgpu backend (lavapipe in CI): traced plans of elementwise chains, where,
 * casts, broadcasting and reductions run on GPU tensors (each group's members as GPU kernels; the
 * backend has no fused kernel yet) and equal eager execution on the js reference.
 */
import { describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import type { Tensor } from '../../runtime/src/index.js';
import { assertClose, TOL_ACCUMULATE, TOL_TRANSCENDENTAL, values, withBackend } from './helpers.js';

type Fn = (...xs: Tensor[]) => Tensor;
const CASES: [string, Fn, number[][]][] = [
  ['normalize → sum', (x) => x.sub(x.mean()).div(x.std()).sum(), [[4099]]],
  ['sum(relu(1.5x − 0.5))', (x) => x.mul(1.5).sub(0.5).relu().sum(), [[4099]]],
  ['broadcast chain with where and casts', (a, b) => cp.where(a.gt(b), a.exp(), b.mul(2)).add(a.lt(0).cast('float32')), [[30, 1], [1, 70]]],
  ['row reduction epilogue', (a, b) => a.mul(b).tanh().max(1), [[20, 65], [65]]],
];

describe('cp.jit on webgpu', function () {
  this.timeout(120000);
  it('every pipeline equals eager js (trace call and plan call)', async () => {
    await cp.initGpu();
    for (const [what, fn, shapes] of CASES) {
      const expected = withBackend('js', () => cp.tidy(() => [...fn(...shapes.map((s, i) => cp.tensor(values(s.reduce((p, d) => p * d, 1), i + 1)).reshape(s))).dataSync()]));
      const jitted = cp.jit(fn, { warn: false });
      const inputs = shapes.map((s, i) => cp.tensor(values(s.reduce((p, d) => p * d, 1), i + 1)).reshape(s).to('gpu'));
      for (const round of ['trace', 'plan']) {
        const out = jitted(...inputs);
        assertClose([...(await out.data())].map(Number), expected, what.includes('sum') ? TOL_ACCUMULATE : TOL_TRANSCENDENTAL, `${what} on webgpu (${round})`);
        out.dispose();
      }
      for (const t of inputs) t.dispose();
    }
  });
});
