/**
 * Property-based tests (fast-check): random shapes, axes, slices and dtypes on every CPU backend
 * against the js reference and against NumPy's rules written out here independently (broadcast
 * shapes, reduced shapes, Python slice indices); and random invalid input, which must throw a
 * TypeError/RangeError naming the function, and leave `cp.memory()` and a live tensor unchanged.
 *
 * `npm test` runs a fixed seed and a bounded number of cases (FC_RUNS, default 40 per property);
 * `npm run test:properties` runs many more with a fresh seed (scripts/test-properties.sh).
 * A failure prints the seed and the shrunk counterexample; rerun with FC_SEED=<seed>.
 * Tolerances: elementwise TOL_ELEMENTWISE, reductions TOL_ACCUMULATE (helpers.ts).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { before, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import { assertClose, cpuBackendsUnderTest, TOL_ACCUMULATE, TOL_ELEMENTWISE, withBackend } from './helpers.js';

const RUNS = Number(process.env['FC_RUNS'] ?? 40);
const SEED = process.env['FC_SEED'] !== undefined ? Number(process.env['FC_SEED']) : 20261129;
before(() => fc.configureGlobal({ seed: SEED, numRuns: RUNS }));

// ---------------------------------------------------------------- generators

/** Shapes of rank 0..4 with extents 0..5 (empty dimensions included). */
const shapeArb = fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 0, maxLength: 4 });
const nonEmptyShapeArb = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 });
const sizeOf = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);
/** Float32-representable values, small integers among them (ties, exact sums). */
const dataFor = (n: number) => fc.array(fc.oneof(fc.integer({ min: -4, max: 4 }), fc.float({ min: -8, max: 8, noNaN: true })), { minLength: n, maxLength: n });
/** A shape that broadcasts with `s`: some trailing dims kept, some set to 1, some leading dims dropped. */
const broadcastPartner = (s: readonly number[]) => fc.tuple(fc.integer({ min: 0, max: s.length }), fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }))
  .map(([drop, ones]) => s.map((d, i) => (ones[i] ? 1 : d)).slice(drop));

/** NumPy's broadcast rule, written independently of runtime/src/shape.ts. */
function numpyBroadcast(a: readonly number[], b: readonly number[]): number[] {
  const r = Math.max(a.length, b.length);
  return Array.from({ length: r }, (_, i) => {
    const x = a[a.length - r + i] ?? 1, y = b[b.length - r + i] ?? 1;
    return x === 1 ? y : x;
  });
}

/** Python's slice.indices(n) and the element indices it selects. */
function pySlice(n: number, start: number | null, stop: number | null, step: number): number[] {
  const norm = (v: number | null, dflt: number, lo: number, hi: number) => (v === null ? dflt : Math.min(Math.max(v < 0 ? v + n : v, lo), hi));
  const s = step > 0 ? norm(start, 0, 0, n) : norm(start, n - 1, -1, n - 1);
  const e = step > 0 ? norm(stop, n, 0, n) : norm(stop, -1, -1, n - 1);
  const out: number[] = [];
  for (let i = s; step > 0 ? i < e : i > e; i += step) out.push(i);
  return out;
}

/** Elements of a row-major `shape` tensor `flat` at per-axis index lists (a gather oracle). */
function gather(flat: readonly number[], shape: readonly number[], picks: readonly number[][]): number[] {
  const strides = shape.map((_, d) => sizeOf(shape.slice(d + 1)));
  const out: number[] = [];
  const walk = (d: number, at: number) => {
    if (d === shape.length) { out.push(flat[at]!); return; }
    for (const i of picks[d]!) walk(d + 1, at + i * strides[d]!);
  };
  walk(0, 0);
  return out;
}

const backends = cpuBackendsUnderTest();

/** Runs `f` on the js reference and on every other CPU backend; returns [reference, ...others]. */
function onEveryBackend(f: () => { shape: readonly number[]; data: number[] }) {
  return [withBackend('js', () => cp.tidy(f)), ...backends.map((b) => ({ backend: b, ...withBackend(b, () => cp.tidy(f)) }))];
}

// ---------------------------------------------------------------- valid input

describe('properties: random valid input vs the js reference and NumPy rules', function () {
  this.timeout(300000);

  it('binary ops broadcast random shapes to the NumPy shape, equal to the reference', () => {
    const caseArb = shapeArb.chain((s) => fc.tuple(fc.constant(s), broadcastPartner(s), fc.boolean(),
      fc.constantFrom('add', 'sub', 'mul', 'maximum', 'minimum', 'lt') as fc.Arbitrary<'add' | 'sub' | 'mul' | 'maximum' | 'minimum' | 'lt'>))
      .chain(([s, t, swap, op]) => fc.tuple(fc.constant(swap ? t : s), fc.constant(swap ? s : t), fc.constant(op), dataFor(sizeOf(s)), dataFor(sizeOf(t)))
        .map(([a, b, o, da, db]) => ({ a, b, op: o, da: swap ? db : da, db: swap ? da : db })));
    fc.assert(fc.property(caseArb, ({ a, b, op, da, db }) => {
      const want = numpyBroadcast(a, b);
      const [ref, ...others] = onEveryBackend(() => {
        const r = cp[op](cp.tensor(Float32Array.from(da), { shape: a }), cp.tensor(Float32Array.from(db), { shape: b }));
        return { shape: r.shape, data: Array.from(r.dataSync()) };
      });
      assert.deepEqual(ref!.shape, want);
      for (const o of others) {
        assert.deepEqual(o.shape, want, `${op} on ${(o as { backend: string }).backend}`);
        assertClose(o.data, ref!.data, TOL_ELEMENTWISE, `${op} ${JSON.stringify(a)} ${JSON.stringify(b)}`);
      }
    }));
  });

  it('reductions over random axis sets (negative, keepdims) give the NumPy shape and the reference values', () => {
    const caseArb = shapeArb.chain((s) => fc.record({
      shape: fc.constant(s),
      data: dataFor(sizeOf(s)),
      axes: fc.subarray(s.map((_, i) => i)).chain((ax) => fc.tuple(...ax.map((a) => fc.constantFrom(a, a - s.length)))),
      all: fc.boolean(),
      keepdims: fc.boolean(),
      op: fc.constantFrom('sum', 'mean', 'max', 'var') as fc.Arbitrary<'sum' | 'mean' | 'max' | 'var'>,
    }));
    fc.assert(fc.property(caseArb, ({ shape, data, axes, all, keepdims, op }) => {
      const reduced = all ? shape.map((_, i) => i) : axes.map((a) => (a < 0 ? a + shape.length : a));
      // max over zero elements is an error (NumPy: "zero-size array to reduction operation maximum").
      if (op === 'max' && sizeOf(reduced.map((a) => shape[a]!)) === 0) {
        const x = cp.tensor(Float32Array.from(data), { shape });
        assert.throws(() => x.max(all ? undefined : axes, keepdims), /^RangeError: max: cannot reduce over zero elements/);
        x.dispose();
        return;
      }
      const want = shape.flatMap((d, i) => (reduced.includes(i) ? (keepdims ? [1] : []) : [d]));
      const [ref, ...others] = onEveryBackend(() => {
        const x = cp.tensor(Float32Array.from(data), { shape });
        const r = op === 'var' ? x.var(all ? undefined : axes, keepdims) : x[op](all ? undefined : axes, keepdims);
        return { shape: r.shape, data: Array.from(r.dataSync()) };
      });
      assert.deepEqual(ref!.shape, want);
      for (const o of others) {
        assert.deepEqual(o.shape, want);
        assertClose(o.data, ref!.data, TOL_ACCUMULATE, `${op} ${JSON.stringify(shape)} axes ${JSON.stringify(axes)} keepdims ${keepdims}`);
      }
    }));
  });

  it('random slices select what Python slice semantics select, on every backend, as views that read correctly', () => {
    const boundArb = fc.option(fc.integer({ min: -7, max: 7 }), { nil: null });
    const specArb = (n: number) => fc.oneof(
      fc.constant(null),
      n > 0 ? fc.integer({ min: -n, max: n - 1 }) : fc.constant(null),
      fc.tuple(boundArb, boundArb, fc.integer({ min: -3, max: 3 }).filter((s) => s !== 0)),
    );
    const caseArb = nonEmptyShapeArb.chain((s) => fc.record({
      shape: fc.constant(s),
      data: dataFor(sizeOf(s)),
      specs: fc.tuple(...s.map(specArb)).chain((all) => fc.integer({ min: 0, max: all.length }).map((k) => all.slice(0, k))),
    }));
    fc.assert(fc.property(caseArb, ({ shape, data, specs }) => {
      const picks = shape.map((n, d) => {
        const sp = specs[d];
        if (sp === undefined || sp === null) return Array.from({ length: n }, (_, i) => i);
        if (typeof sp === 'number') return [sp < 0 ? sp + n : sp];
        return pySlice(n, sp[0], sp[1], sp[2]);
      });
      const want = shape.flatMap((_, d) => (typeof specs[d] === 'number' ? [] : [picks[d]!.length]));
      // `+ 0` as the read goes through add(x, 0), which turns -0 into 0.
      const expected = gather(Array.from(Float32Array.from(data)), shape, picks).map((x) => x + 0);
      const [ref, ...others] = onEveryBackend(() => {
        const v = cp.tensor(Float32Array.from(data), { shape }).slice(specs as cp.SliceSpec[]);
        // A slice of a slice's contiguous copy exercises strided kernels too.
        return { shape: v.shape, data: Array.from(v.add(0).dataSync()) };
      });
      for (const o of [ref!, ...others]) {
        assert.deepEqual(o.shape, want);
        assert.deepEqual(o.data, expected);
      }
    }));
  });

  it('random data and dtypes round-trip: values convert as NumPy astype does (bool: x ≠ 0, int32: truncation)', () => {
    const caseArb = nonEmptyShapeArb.chain((s) => fc.record({
      shape: fc.constant(s),
      data: dataFor(sizeOf(s)),
      dtype: fc.constantFrom('float32', 'int32', 'bool') as fc.Arbitrary<cp.DType>,
      source: fc.constantFrom('nested', 'Float32Array', 'Float64Array'),
    }));
    fc.assert(fc.property(caseArb, ({ shape, data, dtype, source }) => {
      const f32 = Float32Array.from(data);
      const expect = (x: number) => (dtype === 'bool' ? (x !== 0 ? 1 : 0) : dtype === 'int32' ? Math.trunc(x) | 0 : x);
      const input = source === 'nested' ? data : source === 'Float32Array' ? f32 : Float64Array.from(f32);
      for (const b of ['js', ...backends] as const) {
        withBackend(b, () => cp.tidy(() => {
          const t = source === 'nested'
            ? cp.tensor(data, dtype).reshape(shape)
            : cp.tensor(input as Float32Array, { shape, dtype });
          assert.equal(t.dtype, dtype);
          assert.deepEqual(Array.from(t.dataSync()), Array.from(f32, expect));
          // cast agrees with creation's conversion.
          assert.deepEqual(Array.from(cp.tensor(f32, { shape }).cast(dtype).dataSync()), Array.from(f32, expect));
        }));
      }
    }));
  });
});

// ---------------------------------------------------------------- invalid input

/** A live tensor whose bytes must not change, and memory() before. */
function guarded(check: () => void): void {
  const live = cp.arange(64).cast('float32');
  const snapshot = Array.from(live.dataSync());
  const before = cp.memory();
  try {
    check();
  } finally {
    const after = cp.memory();
    assert.deepEqual(Array.from(live.dataSync()), snapshot, 'a live tensor changed');
    assert.equal(after.tensors, before.tensors, 'live tensor count changed');
    assert.equal(after.bytes, before.bytes, 'live bytes changed');
    live.dispose();
  }
}

/** Asserts `f` throws a TypeError or RangeError whose message starts with `fn:`. */
function throwsNaming(fn: string, f: () => unknown): void {
  let thrown: unknown = null;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown instanceof TypeError || thrown instanceof RangeError, `${fn}: expected a TypeError/RangeError, got ${String(thrown)}`);
  assert.ok((thrown as Error).message.startsWith(`${fn}: `), `error does not name ${fn}: ${(thrown as Error).message}`);
}

/** Values that are not a valid shape: non-arrays, and arrays with a bad dimension somewhere. */
const badShapeArb = fc.oneof(
  fc.anything().filter((v) => !Array.isArray(v)),
  fc.tuple(fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
    fc.oneof(fc.integer({ max: -1 }), fc.double({ noInteger: true }), fc.constantFrom(NaN, Infinity, 2 ** 53, '2', null, undefined, true, [2])),
    fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 2 }))
    .map(([pre, bad, post]) => [...pre, bad, ...post]),
  fc.constant([2 ** 16, 2 ** 16]),
);
/** Values that are not an operand (a tensor, a number or a boolean). */
const badOperandArb = fc.anything().filter((v) => typeof v !== 'number' && typeof v !== 'boolean');
/** Values that are not an axis argument (an integer in range, a list of them, or undefined/null). */
const badAxisArb = fc.oneof(
  fc.anything().filter((v) => v !== undefined && v !== null && typeof v !== 'number' && !Array.isArray(v)),
  fc.oneof(fc.integer({ min: 3 }), fc.integer({ max: -4 }), fc.double({ noInteger: true })),
  fc.array(fc.oneof(fc.string(), fc.integer({ min: 3 }), fc.constant(NaN)), { minLength: 1, maxLength: 3 }),
  fc.constant([0, 0]), fc.constant([1, -2]),
);

describe('properties: random invalid input throws a clear error and changes nothing', function () {
  this.timeout(300000);

  for (const backend of backends) {
    it(`${backend}: bad shapes to every creation function`, () => withBackend(backend, () => {
      fc.assert(fc.property(badShapeArb, fc.constantFrom('zeros', 'ones', 'rand', 'randn', 'full'), (shape, fn) => {
        guarded(() => throwsNaming(fn, () => (fn === 'full' ? cp.full(shape as number[], 1) : cp[fn as 'zeros'](shape as number[]))));
      }));
    }));
  }

  it('bad shapes for tensor(typedArray, { shape }) and reshape', () => {
    fc.assert(fc.property(badShapeArb, (shape) => {
      guarded(() => {
        // An undefined shape is the default ([length]) there, not an error.
        if (shape !== undefined) throwsNaming('tensor', () => cp.tensor(new Float32Array(4), { shape: shape as number[] }));
        const x = cp.ones([4]);
        try {
          // reshape also takes one -1 (an inferred dimension): [-1] is valid there.
          if (!(Array.isArray(shape) && shape.includes(-1))) throwsNaming('reshape', () => x.reshape(shape as number[]));
        } finally {
          x.dispose();
        }
      });
    }));
  });

  it('bad operands to binary ops and where', () => {
    fc.assert(fc.property(badOperandArb, fc.constantFrom('add', 'sub', 'mul', 'div', 'pow', 'maximum', 'eq', 'where'), fc.boolean(), (bad, fn, first) => {
      guarded(() => {
        const x = cp.ones([2, 3]);
        try {
          if (fn === 'where') throwsNaming('where', () => (first ? cp.where(bad as never, x, x) : cp.where(x, x, bad as never)));
          else throwsNaming(fn, () => (first ? cp[fn as 'add'](bad as never, x) : cp[fn as 'add'](x, bad as never)));
        } finally {
          x.dispose();
        }
      });
    }));
  });

  it('bad axes to reductions, and bad keepdims/ddof', () => {
    fc.assert(fc.property(badAxisArb, fc.constantFrom('sum', 'mean', 'min', 'max', 'argmax', 'var', 'std', 'moments'), (axis, fn) => {
      guarded(() => {
        const x = cp.ones([2, 3, 4]);
        try {
          throwsNaming(fn, () => cp[fn === 'var' ? 'variance' : fn as 'sum'](x, axis as number));
          // The same value as keepdims, where only true/false/undefined are allowed.
          if (typeof axis !== 'boolean') throwsNaming(fn, () => cp[fn === 'var' ? 'variance' : fn as 'sum'](x, 0, axis as boolean));
        } finally {
          x.dispose();
        }
      });
    }), { numRuns: RUNS });
    fc.assert(fc.property(fc.anything().filter((v) => v !== undefined && !(typeof v === 'number' && Number.isInteger(v) && v >= 0)), (ddof) => {
      guarded(() => {
        const x = cp.ones([4]);
        try {
          throwsNaming('std', () => x.std(0, false, ddof as number));
        } finally {
          x.dispose();
        }
      });
    }));
  });

  it('bad slice specs', () => {
    const badSpec = fc.oneof(
      fc.double({ noInteger: true }),
      fc.anything().filter((v) => v !== null && v !== undefined && typeof v !== 'number' && !Array.isArray(v)),
      fc.tuple(fc.oneof(fc.double({ noInteger: true }), fc.string(), fc.boolean()), fc.integer()),
      fc.array(fc.integer(), { minLength: 4, maxLength: 5 }),
    );
    fc.assert(fc.property(badSpec, fc.integer({ min: 0, max: 1 }), (spec, at) => {
      guarded(() => {
        const x = cp.ones([3, 4]);
        try {
          throwsNaming('slice', () => x.slice((at === 0 ? [spec] : [null, spec]) as cp.SliceSpec[]));
        } finally {
          x.dispose();
        }
      });
    }));
  });

  it('bad data to tensor(): non-numeric leaves, unsupported typed arrays, bad dtypes', () => {
    const badData = fc.oneof(
      fc.anything().filter((v) => typeof v !== 'number' && typeof v !== 'boolean' && !Array.isArray(v)),
      fc.array(fc.oneof(fc.string(), fc.constant(null), fc.object(), fc.constant(undefined)), { minLength: 1, maxLength: 3 }).map((xs) => [1, ...xs]),
      fc.constantFrom(new Uint32Array(2), new BigInt64Array(2), new Uint8ClampedArray(2), new DataView(new ArrayBuffer(4))),
    );
    fc.assert(fc.property(badData, (data) => {
      guarded(() => throwsNaming('tensor', () => cp.tensor(data as number[])));
    }));
    fc.assert(fc.property(fc.anything().filter((v) => !['float32', 'int32', 'bool', undefined].includes(v as string)), (dtype) => {
      guarded(() => throwsNaming('zeros', () => cp.zeros([2], { dtype: dtype as cp.DType })));
    }));
  });
});
