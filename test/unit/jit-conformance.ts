/**
 * The cp.jit conformance suite as data, so every backend runs the same cases: jit.test.ts on js
 * and wasm (synchronous reads), jit-webgpu.test.ts on webgpu (asynchronous reads). Each case is a
 * function, its inputs (made on the js reference, then moved and viewed on the backend under
 * test), the tolerance on the CPU backends, and what its plan must look like.
 */
import * as cp from '../../runtime/src/index.js';
import type { Tensor } from '../../runtime/src/index.js';
import { TOL_ACCUMULATE, TOL_ELEMENTWISE, TOL_TRANSCENDENTAL, values, type Tolerance } from './helpers.js';

export type Fn = (...xs: Tensor[]) => Tensor | Tensor[];
/** One input: a shape, dtype and seed, and an optional view taken on the backend under test. */
export type Input = { shape: number[]; dtype?: cp.DType; seed?: number; view?: (t: Tensor) => Tensor };

/** One conformance case. */
export interface Case {
  readonly what: string;
  readonly fn: Fn;
  readonly inputs: Input[];
  /** Tolerance against the js reference on the CPU backends. */
  readonly tol: Tolerance;
  /** Whether the case computes a transcendental or accumulates (GPU tolerances differ there). */
  readonly kind: 'elementwise' | 'transcendental' | 'accumulate';
  /** What the first signature's plan must report, where the case checks it. */
  readonly expect?: { readonly fusedGroups?: number; readonly fusedOps?: number; readonly steps?: number };
}

const SIZES = [0, 1, 63, 65, 1000, 3000];
const BINARY = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'eq', 'lt', 'gt'] as const;
const UNARY = ['neg', 'abs', 'exp', 'log', 'sqrt', 'tanh', 'sigmoid', 'relu'] as const;
const TRANSCENDENTAL = new Set(['exp', 'log', 'sqrt', 'tanh', 'sigmoid', 'pow']);

/** The input tensor for `inp`, made on the current default backend; `place` moves it before the view is taken. */
export function makeInput(inp: Input, place: (t: Tensor) => Tensor = (t) => t): Tensor {
  const n = inp.shape.reduce((a, b) => a * b, 1);
  const raw = values(n, inp.seed ?? 1);
  const data = inp.dtype === 'int32' ? raw.map((v) => Math.round(v * 3)) : inp.dtype === 'bool' ? raw.map((v) => v > 0) : raw;
  const t = place(cp.tensor(data as number[], { dtype: inp.dtype ?? 'float32' }).reshape(inp.shape));
  return inp.view ? inp.view(t) : t;
}

const kindOf = (op: string): Case['kind'] => (TRANSCENDENTAL.has(op) ? 'transcendental' : 'elementwise');
const tolOf = (kind: Case['kind']) => (kind === 'accumulate' ? TOL_ACCUMULATE : kind === 'transcendental' ? TOL_TRANSCENDENTAL : TOL_ELEMENTWISE);
const c = (what: string, fn: Fn, inputs: Input[], kind: Case['kind'], extra: Partial<Case> = {}): Case =>
  ({ what, fn, inputs, kind, tol: tolOf(kind), ...extra });

/** The suite: test title → its cases. */
export const CONFORMANCE: readonly (readonly [string, () => Case[]])[] = [
  ['every binary op in a fused chain, with broadcasting, equals eager', () => {
    const shapes: [number[], number[]][] = [[[1000], [1000]], [[65], []], [[3, 1, 5], [1, 4, 5]], [[4, 70], [70]], [[0, 3], [3]]];
    return BINARY.flatMap((op) => shapes.map(([sa, sb]) => c(`${op} ${JSON.stringify([sa, sb])}`,
      (a: Tensor, b: Tensor) => cp[op](a.mul(1.25), b).add(0.5), [{ shape: sa }, { shape: sb, seed: 2 }], kindOf(op), { expect: { fusedGroups: 1 } })));
  }],
  ['every unary op in a fused chain equals eager, on sizes 0..3000', () =>
    UNARY.flatMap((op) => SIZES.map((n) => c(`${op} [${n}]`, (a: Tensor) => cp[op](a.mul(2).sub(0.25)).mul(3), [{ shape: [n] }], kindOf(op))))],
  ['scalar operands of every kind, int32/bool inputs, casts and where', () => [
    c('int scalar, float scalar, boolean', (a) => a.add(2).mul(0.5).sub(true as never).div(3), [{ shape: [300] }], 'transcendental'),
    c('int32 and bool inputs promoted', (a, i, b) => a.mul(i).add(b).sub(i.div(4)), [{ shape: [2, 150] }, { shape: [2, 150], dtype: 'int32' }, { shape: [150], dtype: 'bool' }], 'transcendental'),
    c('cast to bool and back, comparison into arithmetic', (a) => a.gt(0).cast('float32').mul(a).add(a.lt(-1)).cast('bool'), [{ shape: [513] }], 'transcendental'),
    c('where with tensors and scalars', (a, b) => cp.where(a.gt(b), a.mul(2), -1.5).add(cp.where(b.lt(0), 1, b)), [{ shape: [7, 40] }, { shape: [40], seed: 3 }], 'transcendental'),
    c('where on float32 condition (nonzero is true, NaN too)', (a, b) => cp.where(a.mul(0), a, b.sqrt()).mul(1), [{ shape: [200] }, { shape: [200], seed: 4 }], 'transcendental'),
    c('a value used twice and a result that is also used', (a) => { const t = a.mul(a).add(1); return [t, t.mul(t).sub(t), t.sum()]; }, [{ shape: [600] }], 'transcendental'),
    c('transposed, sliced and reversed views', (a, b) => a.mul(b).add(a).relu(), [
      { shape: [30, 20], view: (t) => t.transpose() }, { shape: [20, 60], view: (t) => cp.slice(t, [null, [0, 60, 2]]) }], 'transcendental'),
    c('NaN and infinities flow through', (a) => a.log().mul(a.sqrt()).add(a.div(0)), [{ shape: [300] }], 'transcendental'),
  ]],
  ['sum/mean/min/max epilogues over every axis set, keepdims, and empty axes', () => {
    const out: Case[] = [];
    const shape = [3, 70, 5];
    const axisSets: (number[] | undefined)[] = [undefined, [0], [1], [2], [0, 1], [0, 2], [1, 2], [-1]];
    for (const op of ['sum', 'mean', 'min', 'max'] as const) {
      for (const axes of axisSets) {
        for (const keepdims of [false, true]) {
          out.push(c(`${op} axes ${JSON.stringify(axes)} keepdims ${keepdims}`, (a: Tensor, b: Tensor) => cp[op](a.mul(b).sub(0.5).relu(), axes, keepdims),
            [{ shape }, { shape: [70, 1], seed: 5 }], 'accumulate', { expect: { fusedOps: 4 } }));
        }
      }
    }
    // Flat groups (contiguous or scalar inputs, every axis reduced): the generated kernels on wasm.
    for (const op of ['sum', 'mean', 'min', 'max'] as const) {
      for (const n of [1, 15, 17, 1000, 3000]) {
        out.push(c(`flat ${op} [${n}]`, (a, s) => cp[op](a.mul(s).sub(0.5).relu()), [{ shape: [n] }, { shape: [], seed: 7 }], 'accumulate'));
        out.push(c(`flat ${op} keepdims, int32 input [2, ${n}]`, (a, i) => cp[op](cp.where(a.gt(i), a, i).neg(), undefined, true), [{ shape: [2, n] }, { shape: [2, n], dtype: 'int32' }], 'accumulate'));
      }
    }
    out.push(c('sum over an empty axis', (a) => a.mul(2).sum(1), [{ shape: [4, 0] }], 'accumulate'));
    out.push(c('max propagates NaN', (a) => a.log().max(), [{ shape: [600] }], 'accumulate'));
    // With ops the generated kernels take (no log): NaN (0/0) only where a > 1.9, a few of 600 elements; and
    // ±∞ without NaN ((|a| + 0.5)/0 times the sign of a), which must not be mistaken for NaN.
    for (const op of ['min', 'max'] as const) {
      out.push(c(`${op} with a few NaNs`, (a) => cp[op](cp.where(a.gt(1.9), a.sub(a).div(a.sub(a)), a)), [{ shape: [600] }], 'accumulate'));
      out.push(c(`${op} over ±∞`, (a) => cp[op](a.abs().add(0.5).div(0).mul(a.gt(0).mul(2).sub(1))), [{ shape: [600] }], 'accumulate'));
    }
    return out;
  }],
  ['the issue pipelines: normalize → sum, sum(relu(1.5x − 0.5)), [100,1] + [1,n] → sum', () => [
    c('normalize → sum', (x) => x.sub(x.mean()).div(x.std()).sum(), [{ shape: [20000] }], 'accumulate', { tol: { rtol: 1e-3, atol: 1e-2 }, expect: { steps: 2 } }),
    c('row-wise standardise with var', (x) => x.sub(x.mean(1, true)).div(x.var(1, true, 1).add(1e-5).sqrt()), [{ shape: [30, 70] }], 'accumulate'),
    c('sum(relu(1.5x − 0.5))', (x) => x.mul(1.5).sub(0.5).relu().sum(), [{ shape: [20000] }], 'accumulate'),
    c('broadcast add → sum', (a, b) => a.add(b).mul(2).sum(), [{ shape: [100, 1] }, { shape: [1, 1000], seed: 2 }], 'accumulate'),
  ]],
  ['unfusible ops (matmul, reshape, var/std, int32 arithmetic, argmax) split groups and still match', () => [
    c('matmul → sum', (a, b) => cp.matmul(a.relu(), b).mul(2).sum(), [{ shape: [8, 16] }, { shape: [16, 4], seed: 2 }], 'accumulate'),
    c('reshape', (a) => a.mul(2).add(1).reshape([10, 6]).exp().sum(0), [{ shape: [60] }], 'accumulate'),
    c('std, argmax', (a) => a.sub(a.mean(0)).div(a.std(0, false, 1)).argmax(1), [{ shape: [20, 30] }], 'elementwise'),
    c('int32 stays eager', (i) => i.add(3).mul(i).abs().sum(), [{ shape: [100], dtype: 'int32' }], 'elementwise'),
  ]],
];
