/**
 * cp.jit conformance: every elementwise op, `where`, cast and reduction epilogue run inside a
 * jitted function (traced on the first call, fused from the second) equals eager execution on
 * the `js` reference within the tolerances of helpers.ts, on every CPU backend, on awkward sizes
 * (0, 1, 63, 65, and several 1024-element blocks), broadcasts, views and axis sets; on wasm both
 * with run-time generated kernels (flat groups) and with the interpreter kernel only. Also: the
 * eager fallback, tidy, freeing intermediates, the signature cache.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import type { Tensor } from '../../runtime/src/index.js';
import { setFusedCodegen } from '../../runtime/src/backends/wasm/fused.js';
import { assertClose, cpuBackendsUnderTest, TOL_ACCUMULATE, TOL_ELEMENTWISE, TOL_TRANSCENDENTAL, values, withBackend, type Tolerance } from './helpers.js';

const BACKENDS = ['js', ...cpuBackendsUnderTest()] as const;
const SIZES = [0, 1, 63, 65, 1000, 3000];
const BINARY = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'eq', 'lt', 'gt'] as const;
const UNARY = ['neg', 'abs', 'exp', 'log', 'sqrt', 'tanh', 'sigmoid', 'relu'] as const;
const TRANSCENDENTAL = new Set(['exp', 'log', 'sqrt', 'tanh', 'sigmoid', 'pow']);

type Fn = (...xs: Tensor[]) => Tensor | Tensor[];
type Input = { shape: number[]; dtype?: cp.DType; seed?: number; view?: (t: Tensor) => Tensor };

function make(inp: Input): Tensor {
  const n = inp.shape.reduce((a, b) => a * b, 1);
  const raw = values(n, inp.seed ?? 1);
  const data = inp.dtype === 'int32' ? raw.map((v) => Math.round(v * 3)) : inp.dtype === 'bool' ? raw.map((v) => v > 0) : raw;
  const t = cp.tensor(data as number[], { dtype: inp.dtype ?? 'float32' }).reshape(inp.shape);
  return inp.view ? inp.view(t) : t;
}

function flat(r: Tensor | Tensor[]): Tensor[] {
  return Array.isArray(r) ? r : [r];
}

/**
 * Runs `fn` eagerly on the js reference and jitted on `backend` (twice: the trace, then the
 * fused plan); compares the plan's results with the reference. Returns the jitted function.
 */
function check(backend: 'js' | 'wasm', fn: Fn, inputs: Input[], tol: Tolerance, what: string) {
  const expected = withBackend('js', () => cp.tidy(() => flat(fn(...inputs.map(make))).map((t) => ({ dtype: t.dtype, shape: t.shape, data: [...t.dataSync()] }))));
  const jitted = cp.jit(fn, { warn: false });
  withBackend(backend, () => cp.tidy(() => {
    const xs = inputs.map(make);
    for (const round of ['trace', 'fused']) {
      const got = flat(jitted(...xs));
      assert.equal(got.length, expected.length, what);
      got.forEach((t, i) => {
        const e = expected[i]!;
        assert.equal(t.dtype, e.dtype, `${what} (${round}): dtype`);
        assert.deepEqual(t.shape, e.shape, `${what} (${round}): shape`);
        assertClose([...t.dataSync()].map(Number), e.data.map(Number), tol, `${what} on ${backend} (${round})`);
      });
    }
  }));
  return jitted;
}

const tolOf = (op: string, reduce = false) => (reduce ? TOL_ACCUMULATE : TRANSCENDENTAL.has(op) ? TOL_TRANSCENDENTAL : TOL_ELEMENTWISE);

describe('cp.jit conformance', function () {
  this.timeout(120_000);
  const variants = BACKENDS.flatMap((b) => (b === 'wasm' ? [{ backend: b, codegen: true }, { backend: b, codegen: false }] : [{ backend: b, codegen: true }]));
  for (const { backend, codegen } of variants) {
    describe(`on ${backend}${backend === 'wasm' ? (codegen ? ' (generated kernels where flat)' : ' (interpreter kernel only)') : ''}`, () => {
      let before = true;
      beforeEach(() => { before = setFusedCodegen(codegen); });
      afterEach(() => { setFusedCodegen(before); });
      it('every binary op in a fused chain, with broadcasting, equals eager', () => {
        const shapes: [number[], number[]][] = [[[1000], [1000]], [[65], []], [[3, 1, 5], [1, 4, 5]], [[4, 70], [70]], [[0, 3], [3]]];
        for (const op of BINARY) {
          for (const [sa, sb] of shapes) {
            const f = (a: Tensor, b: Tensor) => cp[op](a.mul(1.25), b).add(0.5);
            const j = check(backend, f, [{ shape: sa }, { shape: sb, seed: 2 }], tolOf(op), `${op} ${JSON.stringify([sa, sb])}`);
            assert.equal(j.signatures()[0]!.fusedGroups, 1, `${op}: one fused group`);
          }
        }
      });
      it('every unary op in a fused chain equals eager, on sizes 0..3000', () => {
        for (const op of UNARY) {
          for (const n of SIZES) {
            const f = (a: Tensor) => cp[op](a.mul(2).sub(0.25)).mul(3);
            check(backend, f, [{ shape: [n] }], tolOf(op), `${op} [${n}]`);
          }
        }
      });
      it('scalar operands of every kind, int32/bool inputs, casts and where', () => {
        const cases: [string, Fn, Input[]][] = [
          ['int scalar, float scalar, boolean', (a) => a.add(2).mul(0.5).sub(true as never).div(3), [{ shape: [300] }]],
          ['int32 and bool inputs promoted', (a, i, b) => a.mul(i).add(b).sub(i.div(4)), [{ shape: [2, 150] }, { shape: [2, 150], dtype: 'int32' }, { shape: [150], dtype: 'bool' }]],
          ['cast to bool and back, comparison into arithmetic', (a) => a.gt(0).cast('float32').mul(a).add(a.lt(-1)).cast('bool'), [{ shape: [513] }]],
          ['where with tensors and scalars', (a, b) => cp.where(a.gt(b), a.mul(2), -1.5).add(cp.where(b.lt(0), 1, b)), [{ shape: [7, 40] }, { shape: [40], seed: 3 }]],
          ['where on float32 condition (nonzero is true, NaN too)', (a, b) => cp.where(a.mul(0), a, b.sqrt()).mul(1), [{ shape: [200] }, { shape: [200], seed: 4 }]],
          ['a value used twice and a result that is also used', (a) => { const t = a.mul(a).add(1); return [t, t.mul(t).sub(t), t.sum()]; }, [{ shape: [600] }]],
          ['transposed, sliced and reversed views', (a, b) => a.mul(b).add(a).relu(), [
            { shape: [30, 20], view: (t) => t.transpose() }, { shape: [20, 60], view: (t) => cp.slice(t, [null, [0, 60, 2]]) }]],
          ['NaN and infinities flow through', (a) => a.log().mul(a.sqrt()).add(a.div(0)), [{ shape: [300] }]],
        ];
        for (const [what, f, inputs] of cases) check(backend, f, inputs, TOL_TRANSCENDENTAL, what);
      });
      it('sum/mean/min/max epilogues over every axis set, keepdims, and empty axes', () => {
        const shape = [3, 70, 5];
        const axisSets: (number[] | undefined)[] = [undefined, [0], [1], [2], [0, 1], [0, 2], [1, 2], [-1]];
        for (const op of ['sum', 'mean', 'min', 'max'] as const) {
          for (const axes of axisSets) {
            for (const keepdims of [false, true]) {
              const f = (a: Tensor, b: Tensor) => cp[op](a.mul(b).sub(0.5).relu(), axes, keepdims);
              const j = check(backend, f, [{ shape }, { shape: [70, 1], seed: 5 }], TOL_ACCUMULATE, `${op} axes ${JSON.stringify(axes)} keepdims ${keepdims}`);
              assert.equal(j.signatures()[0]!.fusedOps, 4, `${op}: chain and reduction fused`);
            }
          }
        }
        // Flat groups (contiguous or scalar inputs, every axis reduced): the generated kernels on wasm.
        for (const op of ['sum', 'mean', 'min', 'max'] as const) {
          for (const n of [1, 15, 17, 1000, 3000]) {
            check(backend, (a, s) => cp[op](a.mul(s).sub(0.5).relu()), [{ shape: [n] }, { shape: [], seed: 7 }], TOL_ACCUMULATE, `flat ${op} [${n}]`);
            check(backend, (a, i) => cp[op](cp.where(a.gt(i), a, i).neg(), undefined, true), [{ shape: [2, n] }, { shape: [2, n], dtype: 'int32' }], TOL_ACCUMULATE, `flat ${op} keepdims, int32 input [2, ${n}]`);
          }
        }
        check(backend, (a) => a.mul(2).sum(1), [{ shape: [4, 0] }], TOL_ACCUMULATE, 'sum over an empty axis');
        check(backend, (a) => a.log().max(), [{ shape: [600] }], TOL_ACCUMULATE, 'max propagates NaN');
        // With ops the generated kernels take (no log): NaN (0/0) only where a > 1.9, a few of 600 elements; and
        // ±∞ without NaN ((|a| + 0.5)/0 times the sign of a), which must not be mistaken for NaN.
        for (const op of ['min', 'max'] as const) {
          check(backend, (a) => cp[op](cp.where(a.gt(1.9), a.sub(a).div(a.sub(a)), a)), [{ shape: [600] }], TOL_ACCUMULATE, `${op} with a few NaNs`);
          check(backend, (a) => cp[op](a.abs().add(0.5).div(0).mul(a.gt(0).mul(2).sub(1))), [{ shape: [600] }], TOL_ACCUMULATE, `${op} over ±∞`);
        }
      });
      it('the issue pipelines: normalize → sum, sum(relu(1.5x − 0.5)), [100,1] + [1,n] → sum', () => {
        const norm = check(backend, (x) => x.sub(x.mean()).div(x.std()).sum(), [{ shape: [20000] }], { rtol: 1e-3, atol: 1e-2 }, 'normalize → sum');
        assert.equal(norm.signatures()[0]!.steps, 2, 'normalize: one moments pass and one fused group');
        check(backend, (x) => x.sub(x.mean(1, true)).div(x.var(1, true, 1).add(1e-5).sqrt()), [{ shape: [30, 70] }], TOL_ACCUMULATE, 'row-wise standardise with var');
        check(backend, (x) => x.mul(1.5).sub(0.5).relu().sum(), [{ shape: [20000] }], TOL_ACCUMULATE, 'sum(relu(1.5x − 0.5))');
        check(backend, (a, b) => a.add(b).mul(2).sum(), [{ shape: [100, 1] }, { shape: [1, 1000], seed: 2 }], TOL_ACCUMULATE, 'broadcast add → sum');
      });
      it('unfusible ops (matmul, reshape, var/std, int32 arithmetic, argmax) split groups and still match', () => {
        check(backend, (a, b) => cp.matmul(a.relu(), b).mul(2).sum(), [{ shape: [8, 16] }, { shape: [16, 4], seed: 2 }], TOL_ACCUMULATE, 'matmul → sum');
        check(backend, (a) => a.mul(2).add(1).reshape([10, 6]).exp().sum(0), [{ shape: [60] }], TOL_ACCUMULATE, 'reshape');
        check(backend, (a) => a.sub(a.mean(0)).div(a.std(0, false, 1)).argmax(1), [{ shape: [20, 30] }], TOL_ELEMENTWISE, 'std, argmax');
        check(backend, (i) => i.add(3).mul(i).abs().sum(), [{ shape: [100], dtype: 'int32' }], TOL_ELEMENTWISE, 'int32 stays eager');
      });
    });
  }
});

describe('cp.jit behaviour', () => {
  // Keys and messages name the backend: run on wasm whatever an earlier file left as the default.
  let previous: cp.BackendName = 'wasm';
  before(async () => { previous = cp.getBackend(); await cp.setBackend('wasm'); });
  after(async () => { await cp.setBackend(previous); });

  it('caches one plan per signature and frees every intermediate, inside tidy too', () => {
    const f = cp.jit((x: Tensor) => x.mul(2).add(1).exp().sum(), { warn: false });
    const x = cp.tensor(values(500));
    f(x).dispose();
    const start = cp.memory();
    for (let i = 0; i < 5; i++) f(x).dispose();
    cp.tidy(() => { f(x); f(x); });
    // A leak would add tensors and bytes; garbage of earlier tests collected meanwhile can only remove some.
    const now = cp.memory();
    assert.ok(now.tensors <= start.tensors, `tensors ${start.tensors} → ${now.tensors}`);
    assert.ok(now.bytes <= start.bytes, `bytes ${start.bytes} → ${now.bytes}`);
    const y = cp.tensor(values(20));
    f(y).dispose();
    assert.deepEqual(f.signatures().map((s) => s.key), ['wasm float32[500]', 'wasm float32[20]']);
    x.dispose();
    y.dispose();
  });

  it('falls back to eager with a clear message when it cannot trace', () => {
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (m: string) => warnings.push(m);
    try {
      const f = cp.jit(function scaled(x: Tensor) { return x.mul(cp.tensor([2, 3])).add(1); });
      const x = cp.tensor([1, 2]);
      assert.deepEqual([...f(x).dataSync()], [3, 7]);
      assert.deepEqual([...f(x).dataSync()], [3, 7]);
      assert.equal(warnings.length, 1, 'warned once per signature');
      assert.match(warnings[0]!, /cp\.jit\(scaled\): running eagerly for \(wasm float32\[2\]\): mul used tensor #\d+ .* cp\.jit does not trace/);
      assert.match(f.signatures()[0]!.eagerReason!, /does not trace/);
      const g = cp.jit((x: Tensor) => x.sum().item(), { warn: false });
      assert.equal(g(x), 3);
      assert.match(g.signatures()[0]!.eagerReason!, /must return a tensor/);
    } finally {
      console.warn = warn;
    }
  });

  it('captures tensors from outside by reference and reports their disposal', () => {
    const w = cp.tensor([1, 2, 3]);
    const f = cp.jit((x: Tensor) => x.mul(w).add(w), { warn: false });
    const x = cp.tensor([1, 1, 1]);
    assert.deepEqual([...f(x).dataSync()], [2, 4, 6]);
    assert.deepEqual([...f(x).dataSync()], [2, 4, 6]);
    w.dispose();
    assert.throws(() => f(x), /cp\.jit \(a tensor the function captured when it was traced\): tensor #\d+ .* was disposed/);
  });

  it('names each fused group after its member ops, with the line that called each', () => {
    const here = new Error().stack!.split('\n')[1]!;
    const line0 = Number(/:(\d+):\d+\)?$/.exec(here)![1]);
    const f = cp.jit((x: Tensor) => {
      const y = x.mul(1.5); // line0 + 3
      const z = y.sub(0.5).relu(); // line0 + 4
      return z.sum(); // line0 + 5
    });
    const x = cp.tensor(values(100));
    f(x).dispose();
    const [group] = f.signatures()[0]!.groups;
    assert.equal(group!.op, 'fused(mul+sub+relu+sum)');
    assert.deepEqual(group!.members.map((m) => [m.op, m.location!.line - line0]), [['mul', 3], ['sub', 4], ['relu', 4], ['sum', 5]]);
    assert.ok(group!.members.every((m) => m.location!.file.endsWith('jit.test.ts')));
    cp.enableProfiling({ callSites: 'off' });
    try {
      f(x).dispose();
      const report = cp.profileReport({ format: 'json' });
      assert.equal(report.operations.find((o) => o.op === 'fused(mul+sub+relu+sum)')?.count, 1);
    } finally {
      cp.disableProfiling();
      cp.clearProfile();
    }
    x.dispose();
  });

  it('tells a tensor passed twice from two tensors, and runs nested jitted functions inline', () => {
    const f = cp.jit((a: Tensor, b: Tensor) => a.mul(2).add(b), { warn: false });
    const x = cp.tensor([1, 2]), y = cp.tensor([10, 20]);
    assert.deepEqual([...f(x, x).dataSync()], [3, 6]);
    assert.deepEqual([...f(x, y).dataSync()], [12, 24]);
    assert.deepEqual([...f(x, y).dataSync()], [12, 24]);
    assert.deepEqual([...f(x, x).dataSync()], [3, 6]);
    const inner = cp.jit((a: Tensor) => a.mul(3).sub(1), { warn: false });
    const outer = cp.jit((a: Tensor) => inner(a).relu().sum(), { warn: false });
    assert.deepEqual([...outer(x).dataSync()], [7]);
    assert.deepEqual([...outer(x).dataSync()], [7]);
    const [sig] = outer.signatures();
    assert.equal(sig!.eagerReason, null);
    assert.equal(sig!.groups[0]!.op, 'fused(mul+sub+relu+sum)');
  });

  it('returns objects of tensors and passes static arguments through the signature', () => {
    const f = cp.jit((x: Tensor, k: number) => ({ a: x.mul(k).add(1), b: x.mul(k).sum() }), { warn: false });
    const x = cp.tensor([1, 2]);
    f(x, 2);
    const r = f(x, 2);
    assert.deepEqual([...r.a.dataSync()], [3, 5]);
    assert.deepEqual([...r.b.dataSync()], [6]);
    assert.deepEqual([...f(x, 3).a.dataSync()], [4, 7]);
    assert.equal(f.signatures().length, 2);
  });
});
