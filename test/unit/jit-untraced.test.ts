/**
 * cp.jit and what it cannot trace. A read of tensor data while tracing (item(), toArray(),
 * dataSync(), data(), …) would bake the value read into the plan, so it makes that signature run
 * eagerly: later calls with other data equal eager, and `eagerReason` names the read, its line and
 * what to do. A tensor made by an op the tracer does not record is named by the function that made
 * it (`ones`, `randn`, a view, …) and its line. Results here are small integers in float32, so
 * eager and jitted results are compared exactly.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import type { Tensor } from '../../runtime/src/index.js';
import { getDispatchObserver } from '../../runtime/src/engine.js';
import { getViewObserver } from '../../runtime/src/tensor.js';

/** The line that called this helper (1-based, as the tracer reports it). */
function lineHere(): number {
  return Number(/:(\d+):\d+\)?$/.exec(new Error().stack!.split('\n')[2]!)![1]);
}

/** ` (jit-untraced.test.ts:LINE)`, as reasons name a line of this file. */
const at = (line: number) => `(jit-untraced.test.ts:${line})`;

const num = (t: Tensor) => t.item();

describe('cp.jit: reads of tensor data and untraced ops', () => {
  // Keys name the backend: run on wasm whatever an earlier file left as the default.
  let previous: cp.BackendName = 'wasm';
  before(async () => { previous = cp.getBackend(); await cp.setBackend('wasm'); });
  after(async () => { await cp.setBackend(previous); });

  let warnings: string[] = [];
  let warn: typeof console.warn;
  beforeEach(() => { warnings = []; warn = console.warn; console.warn = (m: string) => warnings.push(m); });
  afterEach(() => { console.warn = warn; });

  it('a branch on item() runs eagerly: later calls with other data equal eager', () => {
    let line = 0;
    const body = (x: Tensor) => {
      line = lineHere(); const m = x.mean().item();
      return m > 0 ? x.mul(2).sum() : x.mul(3).sum();
    };
    const f = cp.jit(body, { name: 'branch' });
    const pos = cp.ones([1000]), neg = cp.ones([1000]).neg();
    for (const x of [pos, neg, pos, neg]) assert.equal(num(f(x)), num(body(x)));
    assert.equal(num(f(neg)), -3000);
    const [sig] = f.signatures();
    assert.equal(f.signatures().length, 1);
    assert.equal(sig!.fusedGroups, 0);
    const reason = sig!.eagerReason!;
    assert.ok(reason.startsWith(`item() read tensor data while the function was traced ${at(line)}: `), reason);
    assert.match(reason, /become a constant of the traced plan/);
    assert.match(reason, /outside the jitted function and pass it as an argument/);
    assert.deepEqual(warnings, [`cp.jit(branch): running eagerly for (wasm float32[1000]): ${reason}`]);
  });

  it('a scale read with max().item() follows the data of each call', () => {
    const body = (x: Tensor) => x.mul(x.max().item()).sum();
    const f = cp.jit(body, { warn: false });
    const pos = cp.ones([1000]);
    const twice = pos.mul(2), thrice = pos.mul(3);
    assert.equal(num(f(pos)), 1000);
    assert.equal(num(f(twice)), 4000);
    assert.equal(num(f(thrice)), 9000);
    for (const x of [pos, twice, thrice]) assert.equal(num(f(x)), num(body(x)));
    assert.match(f.signatures()[0]!.eagerReason!, /^item\(\) read tensor data while the function was traced \(jit-untraced\.test\.ts:\d+\)/);
  });

  it('a read after the result is made also runs eagerly, so it happens on every call', () => {
    const seen: number[] = [];
    const f = cp.jit((x: Tensor) => {
      const r = x.mul(2).sum();
      seen.push(r.item()); // logging a value: eager does this on every call
      return r;
    }, { warn: false });
    const x = cp.tensor([1, 2, 3]), y = cp.tensor([10, 20, 30]);
    assert.equal(num(f(x)), 12);
    assert.equal(num(f(y)), 120);
    assert.equal(num(f(x)), 12);
    assert.deepEqual(seen, [12, 120, 12]);
    assert.match(f.signatures()[0]!.eagerReason!, /^item\(\) read tensor data/);
  });

  it('names every kind of read: toArray, dataSync (with and without out), cp.item, data', async () => {
    const x = cp.tensor([1, 2, 3]);
    const cases: [string, (x: Tensor) => Tensor][] = [
      ['toArray()', (t) => t.mul((t.toArray() as number[]).length)],
      ['dataSync()', (t) => t.add(t.dataSync()[0]!)],
      ['dataSync()', (t) => t.add(t.dataSync(new Float32Array(3))[1]!)],
      ['item()', (t) => t.add(cp.item(t.sum()))],
      ['toArray()', (t) => t.add(cp.toArray(t.max()) as number)],
    ];
    for (const [read, body] of cases) {
      const f = cp.jit(body, { warn: false });
      for (const t of [x, x.mul(5)]) assert.deepEqual([...f(t).dataSync()], [...body(t).dataSync()], read);
      assert.ok(f.signatures()[0]!.eagerReason!.startsWith(`${read} read tensor data while the function was traced (jit-untraced.test.ts:`), f.signatures()[0]!.eagerReason!);
    }
    // An async function: the read is seen when data() is called, before its first await.
    const g = cp.jit(async (t: Tensor) => t.mul((await t.data())[0]!), { warn: false });
    assert.deepEqual([...(await g(x.mul(2))).dataSync()], [4, 8, 12]);
    assert.deepEqual([...(await g(x)).dataSync()], [1, 2, 3]);
    assert.match(g.signatures()[0]!.eagerReason!, /^data\(\) read tensor data/);
  });

  it('a read inside a nested jitted function stops the outer trace', () => {
    const inner = cp.jit((t: Tensor) => t.mul(t.max().item()), { warn: false });
    const outer = cp.jit((t: Tensor) => inner(t).add(1).sum(), { warn: false });
    assert.equal(num(outer(cp.tensor([1, 2]))), 8);
    assert.equal(num(outer(cp.tensor([2, 3]))), 17);
    assert.match(outer.signatures()[0]!.eagerReason!, /^item\(\) read tensor data/);
  });

  it('leaves the dispatch observer as it was, with the profiler off and on', () => {
    const f = cp.jit((t: Tensor) => t.mul(t.sum().item()).add(1), { warn: false });
    const x = cp.tensor([1, 2]);
    f(x).dispose();
    assert.equal(getDispatchObserver(), null);
    cp.enableProfiling({ callSites: 'off' });
    try {
      const recorder = getDispatchObserver();
      assert.notEqual(recorder, null);
      const g = cp.jit((t: Tensor) => t.mul(t.sum().item()).add(1), { warn: false });
      g(x).dispose();
      g(x).dispose();
      assert.equal(getDispatchObserver(), recorder);
      assert.match(g.signatures()[0]!.eagerReason!, /^item\(\) read tensor data/);
      // The tracing call's ops, the read among them, still reached the profiler.
      const ops = cp.profileReport({ format: 'json' }).operations;
      assert.equal(ops.find((o) => o.op === 'read')?.count, 2);
      assert.equal(ops.find((o) => o.op === 'mul')?.count, 2);
    } finally {
      cp.disableProfiling();
      cp.clearProfile();
    }
  });

  it('names the op that made an untraced tensor, and its line', () => {
    const x = cp.tensor([1, 2, 3, 4]).reshape([2, 2]);
    // Runs `fn` jitted twice (the second call eagerly, as the signature fell back); random results are compared by shape.
    const reasonOf = (fn: (t: Tensor) => Tensor, random = false): string => {
      const f = cp.jit(fn, { warn: false });
      const eager = fn(x);
      for (let i = 0; i < 2; i++) {
        const got = f(x);
        assert.deepEqual(random ? got.shape : [...got.dataSync()], random ? eager.shape : [...eager.dataSync()]);
      }
      return f.signatures()[0]!.eagerReason!;
    };
    let line = 0;
    assert.equal(reasonOf((t) => { line = lineHere(); return t.add(cp.ones(t.shape)).mul(2); }),
      `add used the result of ones ${at(line)}, which cp.jit does not trace; make the tensor once outside the function ` +
      '(a tensor made before the call is captured as a constant), or pass it as an argument');
    assert.equal(reasonOf((t) => { line = lineHere(); return t.add(cp.randn(t.shape)).sum(); }, true),
      `add used the result of randn ${at(line)}, which cp.jit does not trace; random ops are never traced (each call must draw ` +
      'new values): draw outside the function and pass the tensor as an argument');
    assert.match(reasonOf((t) => { line = lineHere(); return cp.concat([t, t]).mul(2); }),
      new RegExp(`^mul used the result of concat \\(jit-untraced\\.test\\.ts:${line}\\), which cp\\.jit does not trace \\(traced: elementwise ops`));
    assert.match(reasonOf((t) => t.clone().mul(2)), /^mul used the result of clone \(jit-untraced\.test\.ts:\d+\)/);
    // Views dispatch nothing: each is seen where it is made, with the call that made it and its line (audit 21 N2).
    assert.equal(reasonOf((t) => { line = lineHere(); return t.transpose().mul(2); }),
      `mul used the view made by transpose ${at(line)}; cp.jit does not trace views (slice, transpose, permute, unsqueeze, squeeze): ` +
      'take the view outside the function and pass it as an argument, or use reshape, which is traced');
    assert.match(reasonOf((t) => { line = lineHere(); return t.slice([[0, 1]]).mul(2); }),
      new RegExp(`^mul used the view made by slice \\(jit-untraced\\.test\\.ts:${line}\\); cp\\.jit does not trace views`));
    assert.match(reasonOf((t) => { line = lineHere(); return t.unsqueeze(0).squeeze(0).mul(2); }),
      new RegExp(`^mul used the view made by squeeze \\(jit-untraced\\.test\\.ts:${line}\\)`));
    // A view of an untraced op's result names that op: it is what to move out of the function.
    assert.match(reasonOf((t) => { line = lineHere(); return cp.full([2, 1], 3).transpose().mul(t); }),
      new RegExp(`^mul used the result of full \\(jit-untraced\\.test\\.ts:${line}\\), which cp\\.jit does not trace; make the tensor once`));
    assert.match(reasonOf((t) => { line = lineHere(); return cp.randn(t.shape); }, true),
      new RegExp(`^the function returns the result of randn \\(jit-untraced\\.test\\.ts:${line}\\), which cp\\.jit does not trace; random ops`));
    assert.equal(getViewObserver(), null, 'the view observer is removed when the trace ends');
    const size = cp.jit((t: Tensor) => t.size, { warn: false });
    assert.equal(size(x), 4);
    assert.match(size.signatures()[0]!.eagerReason!, /^the function must return a tensor/);
  });
});
