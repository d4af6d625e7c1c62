/**
 * cp.jit conformance: every elementwise op, `where`, cast and reduction epilogue run inside a
 * jitted function (traced on the first call, fused from the second) equals eager execution on
 * the `js` reference within the tolerances of helpers.ts, on every CPU backend, on awkward sizes
 * (0, 1, 63, 65, and several 1024-element blocks), broadcasts, views and axis sets; on wasm both
 * with run-time generated kernels (flat groups) and with the interpreter kernel only. Also: the
 * eager fallback, tidy, freeing intermediates, the signature cache. The cases are in
 * jit-conformance.ts (shared with jit-webgpu.test.ts).
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import type { Tensor } from '../../runtime/src/index.js';
import { setFusedCodegen } from '../../runtime/src/backends/wasm/fused.js';
import { assertClose, cpuBackendsUnderTest, values, withBackend, type Tolerance } from './helpers.js';
import { CONFORMANCE, makeInput, type Fn, type Input } from './jit-conformance.js';

const BACKENDS = ['js', ...cpuBackendsUnderTest()] as const;

function flat(r: Tensor | Tensor[]): Tensor[] {
  return Array.isArray(r) ? r : [r];
}

/**
 * Runs `fn` eagerly on the js reference and jitted on `backend` (twice: the trace, then the
 * fused plan); compares the plan's results with the reference. Returns the jitted function.
 */
function check(backend: 'js' | 'wasm', fn: Fn, inputs: Input[], tol: Tolerance, what: string) {
  const expected = withBackend('js', () => cp.tidy(() => flat(fn(...inputs.map((i) => makeInput(i)))).map((t) => ({ dtype: t.dtype, shape: t.shape, data: [...t.dataSync()] }))));
  const jitted = cp.jit(fn, { warn: false });
  withBackend(backend, () => cp.tidy(() => {
    const xs = inputs.map((i) => makeInput(i));
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

describe('cp.jit conformance', function () {
  this.timeout(120_000);
  const variants = BACKENDS.flatMap((b) => (b === 'wasm' ? [{ backend: b, codegen: true }, { backend: b, codegen: false }] : [{ backend: b, codegen: true }]));
  for (const { backend, codegen } of variants) {
    describe(`on ${backend}${backend === 'wasm' ? (codegen ? ' (generated kernels where flat)' : ' (interpreter kernel only)') : ''}`, () => {
      let before = true;
      beforeEach(() => { before = setFusedCodegen(codegen); });
      afterEach(() => { setFusedCodegen(before); });
      // The cases live in jit-conformance.ts; jit-webgpu.test.ts runs the same ones on the GPU.
      for (const [title, cases] of CONFORMANCE) {
        it(title, () => {
          for (const k of cases()) {
            const sig = check(backend, k.fn, k.inputs, k.tol, k.what).signatures()[0]!;
            if (k.expect?.fusedGroups !== undefined) assert.equal(sig.fusedGroups, k.expect.fusedGroups, `${k.what}: fused groups`);
            if (k.expect?.fusedOps !== undefined) assert.equal(sig.fusedOps, k.expect.fusedOps, `${k.what}: fused ops`);
            if (k.expect?.steps !== undefined) assert.equal(sig.steps, k.expect.steps, `${k.what}: steps`);
          }
        });
      }
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
      assert.match(warnings[0]!, /cp\.jit\(scaled\): running eagerly for \(wasm float32\[2\]\): mul used the result of tensor \(jit\.test\.ts:\d+\), which cp\.jit does not trace/);
      assert.match(f.signatures()[0]!.eagerReason!, /does not trace/);
      const g = cp.jit((x: Tensor) => x.size, { warn: false });
      assert.equal(g(x), 2);
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
    // `#n` after the chain when other groups with this chain were planned in this process (fused-groups.ts).
    assert.match(group!.op, /^fused\(mul\+sub\+relu\+sum\)(#\d+)?$/);
    assert.deepEqual(group!.members.map((m) => [m.op, m.location!.line - line0]), [['mul', 3], ['sub', 4], ['relu', 4], ['sum', 5]]);
    assert.ok(group!.members.every((m) => m.location!.file.endsWith('jit.test.ts')));
    cp.enableProfiling({ callSites: 'off' });
    try {
      f(x).dispose();
      const report = cp.profileReport({ format: 'json' });
      assert.equal(report.operations.find((o) => o.op === group!.op)?.count, 1);
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
    assert.match(sig!.groups[0]!.op, /^fused\(mul\+sub\+relu\+sum\)(#\d+)?$/);
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
