/**
 * webgpu elementwise kernels (binary, where, unary, cast, copy, copyInto) against the js
 * reference through the Backend interface, on awkward shapes: 0, 1, 63, 65, 1023 elements,
 * broadcasting up to rank 4, transposed, reversed and sliced views.
 *
 * Tolerances (|gpu − ref| ≤ atol + rtol·|ref|): arithmetic TOL_ELEMENTWISE (a few ulps; WGSL
 * division is within 2.5 ulp); transcendentals and pow TOL_GPU_TRANSCENDENTAL below, because
 * WGSL only bounds exp/log/pow to (3 + 2|x|) ulp and lavapipe uses LLVM's approximations;
 * integers and bools exactly.
 */
import assert from 'node:assert/strict';
import type { BinaryOp, UnaryOp, View } from '../../runtime/src/backends/backend.js';
import type { WebGpuBackend } from '../../runtime/src/backends/webgpu/index.js';
import type { DType } from '../../runtime/src/types.js';
import { assertClose, TOL_ELEMENTWISE, type Tolerance } from './helpers.js';
import { broadcastTo, dense, jsBackend, make, openOrSkip, readOut, rng, transposed, viewOf, type ViewSpec } from './webgpu-harness.js';

const TOL_GPU_TRANSCENDENTAL: Tolerance = { rtol: 1e-4, atol: 1e-6 };
const EXACT: Tolerance = { rtol: 0, atol: 0 };

/** [a, b, outShape] triples: broadcasting patterns, sizes and view kinds. */
const BINARY_CASES: [ViewSpec, ViewSpec, number[]][] = [
  [dense([0]), dense([0]), [0]],
  [dense([1]), dense([1]), [1]],
  [dense([63]), dense([63]), [63]],
  [dense([65]), dense([1]), [65]],
  [dense([1023]), dense([1023]), [1023]],
  [dense([]), dense([63]), [63]],
  [dense([3, 1, 5]), dense([4, 5]), [3, 4, 5]],
  [dense([2, 3, 4, 5]), dense([5]), [2, 3, 4, 5]],
  [dense([2, 1, 4, 1]), dense([3, 1, 6]), [2, 3, 4, 6]],
  [transposed([7, 5]), dense([7, 5]), [7, 5]],
  [{ base: 65, shape: [65], strides: [-1], offset: 64 }, dense([65]), [65]],
  [{ base: 40, shape: [3, 5], strides: [10, 2], offset: 3 }, dense([5]), [3, 5]],
  [dense([0, 3]), dense([1, 3]), [0, 3]],
];

const BINARY_OPS: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'eq', 'lt', 'gt'];

function dataFor(op: BinaryOp, dtype: DType, which: 0 | 1, n: number): number[] {
  if (dtype === 'int32') {
    if (op === 'pow') return which === 0 ? rng(n, -3, 4, 11, 1) : rng(n, -1, 6, 12, 1);
    return rng(n, -50, 50, which ? 5 : 6, 1); // zeros in b: integer division by zero is defined as 0
  }
  if (op === 'pow') return which === 0 ? rng(n, 0.5, 2, 3) : rng(n, -2, 2, 4);
  // Shared grid values make eq/lt/gt see equal pairs too.
  return rng(n, -3, 3, which ? 8 : 9, op === 'eq' || op === 'lt' || op === 'gt' ? 0.5 : 0);
}

async function compare(gpu: WebGpuBackend, run: (b: typeof jsBackend) => import('../../runtime/src/backends/backend.js').Storage, shape: readonly number[], tol: Tolerance, what: string): Promise<void> {
  const expected = await readOut(jsBackend, run(jsBackend), shape);
  const got = await readOut(gpu, run(gpu), shape);
  assertClose(got, expected, tol, what);
}

describe('webgpu elementwise kernels vs js reference', function () {
  let gpu: WebGpuBackend;
  before(async function () { gpu = await openOrSkip(this); });
  after(() => gpu?.destroy());

  for (const dtype of ['float32', 'int32'] as const) {
    for (const op of BINARY_OPS) {
      it(`binary ${op} ${dtype} on ${BINARY_CASES.length} shapes`, async () => {
        const tol = dtype === 'int32' || ['eq', 'lt', 'gt', 'maximum', 'minimum'].includes(op) ? EXACT
          : op === 'pow' ? TOL_GPU_TRANSCENDENTAL : TOL_ELEMENTWISE;
        for (const [sa, sb, out] of BINARY_CASES) {
          const da = dataFor(op, dtype, 0, sa.base), db = dataFor(op, dtype, 1, sb.base);
          await compare(gpu, (b) => {
            const a = make(b, dtype, da, sa), bb = make(b, dtype, db, sb);
            return b.binary(op, broadcastTo(a, out), broadcastTo(bb, out), out);
          }, out, tol, `${op} ${dtype} ${JSON.stringify(sa.shape)}∘${JSON.stringify(sb.shape)}`);
        }
      });
    }
  }

  it('pow with negative bases and integer exponents (float32)', async () => {
    const xs = [-2, -2, -3, -0.5, -1.5, 2, 0, 0], ys = [2, 3, 3, -1, 2, 0.5, 2, 0];
    await compare(gpu, (b) => b.binary('pow', make(b, 'float32', xs, dense([8])), make(b, 'float32', ys, dense([8])), [8]), [8], TOL_GPU_TRANSCENDENTAL, 'pow');
  });

  for (const dtype of ['float32', 'int32', 'bool'] as const) {
    it(`where ${dtype} with broadcast cond/a/b up to rank 4`, async () => {
      const cases: [ViewSpec, ViewSpec, ViewSpec, number[]][] = [
        [dense([0]), dense([0]), dense([0]), [0]],
        [dense([63]), dense([63]), dense([63]), [63]],
        [dense([4, 1]), dense([1, 5]), dense([]), [4, 5]],
        [dense([2, 1, 3, 1]), dense([1, 4, 1, 5]), dense([2, 4, 3, 5]), [2, 4, 3, 5]],
        [transposed([9, 7]), dense([9, 7]), transposed([9, 7]), [9, 7]],
      ];
      for (const [sc, sa, sb, out] of cases) {
        const dc = rng(sc.base, 0, 2, 21, 1), gen = (n: number, s: number) => dtype === 'bool' ? rng(n, 0, 1, s, 1) : rng(n, -9, 9, s, 1);
        const da = gen(sa.base, 22), db = gen(sb.base, 23);
        await compare(gpu, (b) => b.where(broadcastTo(make(b, 'bool', dc, sc), out), broadcastTo(make(b, dtype, da, sa), out),
          broadcastTo(make(b, dtype, db, sb), out), out), out, EXACT, `where ${dtype} ${JSON.stringify(out)}`);
      }
    });
  }

  const UNARY_SPECS: ViewSpec[] = [dense([0]), dense([1]), dense([63]), dense([65]), dense([1023]), transposed([5, 7]),
    { base: 65, shape: [65], strides: [-1], offset: 64 }];
  for (const op of ['neg', 'abs', 'exp', 'log', 'sqrt', 'tanh', 'sigmoid', 'relu'] as UnaryOp[]) {
    it(`unary ${op} float32`, async () => {
      const positive = op === 'log' || op === 'sqrt';
      const tol = ['neg', 'abs', 'relu'].includes(op) ? EXACT : TOL_GPU_TRANSCENDENTAL;
      for (const spec of UNARY_SPECS) {
        const d = positive ? rng(spec.base, 0.01, 20, 31) : rng(spec.base, -20, 20, 32);
        await compare(gpu, (b) => b.unary(op, make(b, 'float32', d, spec)), spec.shape, tol, `${op} ${JSON.stringify(spec)}`);
      }
    });
  }
  for (const op of ['neg', 'abs', 'relu'] as UnaryOp[]) {
    it(`unary ${op} int32 (incl. INT32_MIN)`, async () => {
      for (const spec of UNARY_SPECS) {
        const d = rng(spec.base, -1000, 1000, 33, 1);
        if (d.length > 0) d[0] = -2147483648;
        await compare(gpu, (b) => b.unary(op, make(b, 'int32', d, spec)), spec.shape, EXACT, `${op} int32 ${JSON.stringify(spec)}`);
      }
    });
  }

  it('cast between every dtype pair (truncation, saturation, nonzero → true)', async () => {
    const special = [-2.7, -0.5, 0, 0.5, 1.99, 3e9, -3e9, 7];
    for (const from of ['float32', 'int32', 'bool'] as const) {
      for (const to of ['float32', 'int32', 'bool'] as const) {
        for (const spec of [dense([1023]), transposed([6, 9]), dense([0])]) {
          const d = from === 'bool' ? rng(spec.base, 0, 1, 41, 1)
            : from === 'int32' ? rng(spec.base, -2e9, 2e9, 42, 1) : [...special, ...rng(spec.base, -1e3, 1e3, 43)];
          await compare(gpu, (b) => b.cast(make(b, from, d, spec), to), spec.shape, EXACT, `cast ${from}→${to} ${JSON.stringify(spec.shape)}`);
        }
      }
    }
  });

  it('copy of strided views (permuted rank 4, reversed, sliced) for every dtype', async () => {
    // [2,3,4,5] contiguous base viewed as permute(3,0,2,1) → shape [5,2,4,3].
    const perm: ViewSpec = { base: 120, shape: [5, 2, 4, 3], strides: [1, 60, 5, 20] };
    for (const dtype of ['float32', 'int32', 'bool'] as const) {
      for (const spec of [perm, { base: 65, shape: [65], strides: [-1], offset: 64 }, { base: 40, shape: [3, 5], strides: [10, 2], offset: 3 }, dense([0])]) {
        const d = rng(spec.base, 0, dtype === 'bool' ? 1 : 100, 51, 1);
        await compare(gpu, (b) => b.copy(make(b, dtype, d, spec)), spec.shape, EXACT, `copy ${dtype} ${JSON.stringify(spec)}`);
      }
    }
  });

  it('copyInto a strided destination, and in place with overlapping source', async () => {
    const src = rng(35, -9, 9, 61, 1);
    const run = (b: typeof jsBackend) => {
      const dst = b.upload(new Float32Array(35), 'float32');
      b.copyInto(make(b, 'float32', src, dense([5, 7])), viewOf(dst, [5, 7], [1, 5]));
      return dst;
    };
    await compare(gpu, run, [35], EXACT, 'copyInto transposed dst');
    const reverseInPlace = (b: typeof jsBackend) => {
      const s = b.upload(Float32Array.from(src), 'float32');
      const v: View = viewOf(s, [35], [-1], 34);
      b.copyInto(b === jsBackend ? viewOf(b.copy(v), [35]) : v, viewOf(s, [35]));
      return s;
    };
    await compare(gpu, reverseInPlace, [35], EXACT, 'copyInto overlapping');
  });
});
