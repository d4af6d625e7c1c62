/**
 * The wasm backend, called directly through the Backend interface, against the js reference on
 * awkward sizes (0, 1, 63, 65, 1023: around the 4/8/16-lane SIMD widths), strided, broadcast,
 * offset and negative-stride views, and axis sets. Both kernel builds (simd, scalar) run.
 *
 * Tolerances (|got − want| ≤ atol + rtol·|want|):
 * - exact (0): +, −, ×, ÷, max, min, comparisons, where, casts, copies, int32 everything;
 * - pow: rtol 2e-6 (e^{y·ln x} in f32);
 * - exp/log/tanh/sigmoid/sqrt: rtol 2e-6, atol 1e-7 (own polynomials, ≤ ~2 ulp; see math.rs);
 * - sum/mean/moments: rtol 1e-5, atol 1e-5·√n (f32 pairwise vs the reference's f64 loop);
 * - matmul: atol 1e-5·K (f32 accumulation of K products of values in [-2, 2)).
 */
import { describe, it } from 'mocha';
import assert from 'node:assert/strict';
import type { Backend, BinaryOp, ReduceOp, UnaryOp, View } from '../../runtime/src/backends/backend.js';
import { jsBackend } from '../../runtime/src/backends/js/index.js';
import { createWasmBackend } from '../../runtime/src/backends/wasm/index.js';
import type { DType } from '../../runtime/src/types.js';
import { contiguousStrides, sizeOf } from '../../runtime/src/shape.js';

interface Tol { rtol: number; atol: number }
const EXACT: Tol = { rtol: 0, atol: 0 };

/** Deterministic pseudo-random values in [-2, 2), rounded to float32. */
function rand(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 4 - 2;
  }
  return out;
}

function close(got: ArrayLike<number>, want: ArrayLike<number>, tol: Tol, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!, w = want[i]!;
    if (Number.isNaN(w)) { assert.ok(Number.isNaN(g), `${what}[${i}]: want NaN, got ${g}`); continue; }
    if (g === w) continue;
    assert.ok(Math.abs(g - w) <= tol.atol + tol.rtol * Math.abs(w), `${what}[${i}]: got ${g}, want ${w}`);
  }
}

/** Uploads `data` to both backends and returns matching views over a base of `baseShape`. */
class Pair {
  constructor(readonly w: Backend) {}
  view(b: Backend, data: ArrayLike<number>, dtype: DType, shape: number[], strides?: number[], offset = 0): View {
    const arr = dtype === 'float32' ? Float32Array.from(data) : dtype === 'int32' ? Int32Array.from(data) : Uint8Array.from(data);
    return { storage: b.upload(arr, dtype), dtype, shape, strides: strides ?? contiguousStrides(shape), offset };
  }
  /** Same view on both backends. */
  both(data: ArrayLike<number>, dtype: DType, shape: number[], strides?: number[], offset = 0): [View, View] {
    return [this.view(this.w, data, dtype, shape, strides, offset), this.view(jsBackend, data, dtype, shape, strides, offset)];
  }
}

/** View layouts over one 2-D logical shape [r, c]: each returns [storage length, strides, offset]. */
const LAYOUTS: Record<string, (r: number, c: number) => [number, number[], number]> = {
  contiguous: (r, c) => [r * c, [c, 1], 0],
  transposed: (r, c) => [r * c, [1, r], 0],
  reversed: (r, c) => [r * c + 3, [-c, -1], r * c - 1 + 3],
  'every other column': (r, c) => [r * c * 2 + 1, [c * 2, 2], 1],
};

for (const flavour of ['simd', 'scalar'] as const) {
  describe(`wasm backend (${flavour} kernels) vs js reference`, () => {
    const w = createWasmBackend({ flavour });
    const P = new Pair(w);
    const read = (b: Backend, s: ReturnType<Backend['copy']>, shape: readonly number[]) =>
      b.readSync({ storage: s, dtype: s.dtype, shape, strides: contiguousStrides(shape), offset: 0 });

    it(`loads the ${flavour} build`, () => assert.equal((w as { flavour?: string }).flavour, flavour));

    for (const n of [0, 1, 63, 65, 1023]) {
      for (const [layout, make] of Object.entries(LAYOUTS)) {
        const rows = n === 1023 ? 31 : 1, cols = n === 1023 ? 33 : n; // 1023 = 31 × 33 exercises 2-D walks
        const [len, strides, offset] = make(rows, cols);
        const shape = [rows, cols];
        it(`binary float32 and int32, n=${n}, ${layout}`, () => {
          for (const dtype of ['float32', 'int32'] as const) {
            const scale = dtype === 'int32' ? 50 : 1;
            const da = Array.from(rand(len, 1 + n), (x) => (dtype === 'int32' ? Math.round(x * scale) : x));
            const db = Array.from(rand(len, 99 + n), (x) => (dtype === 'int32' ? Math.round(x * scale) : Math.abs(x) + 0.25));
            const [aw, aj] = P.both(da, dtype, shape, strides, offset);
            const [bw, bj] = P.both(db, dtype, shape, strides, offset);
            const ops: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'eq', 'lt', 'gt'];
            // int32 pow: small exponents (and a few negative ones), where Math.pow(x, y) | 0 is exact.
            const [ew, ej] = P.both(db.map((x, i) => (i % 11 === 5 ? -1 - (i % 3) : Math.abs(x) % 4)), dtype, shape, strides, offset);
            for (const op of ops) {
              const tol = op === 'pow' && dtype === 'float32' ? { rtol: 2e-6, atol: 1e-7 } : EXACT;
              const [yw, yj] = op === 'pow' && dtype === 'int32' ? [ew, ej] : [bw, bj];
              const got = read(w, w.binary(op, aw, yw, shape), shape);
              const want = read(jsBackend, jsBackend.binary(op, aj, yj, shape), shape);
              close(got, want, tol, `${op} ${dtype}`);
            }
          }
        });
        it(`unary, cast, copy, n=${n}, ${layout}`, () => {
          const data = Array.from(rand(len, 7 + n), (x, i) => (i % 7 === 0 ? x * 20 : x));
          const [aw, aj] = P.both(data, 'float32', shape, strides, offset);
          const pos = data.map((x) => Math.abs(x) + 1e-3);
          const [pw, pj] = P.both(pos, 'float32', shape, strides, offset);
          const ops: UnaryOp[] = ['neg', 'abs', 'exp', 'log', 'sqrt', 'tanh', 'sigmoid', 'relu'];
          for (const op of ops) {
            const [x, y] = op === 'log' || op === 'sqrt' ? [pw, pj] : [aw, aj];
            close(read(w, w.unary(op, x), shape), read(jsBackend, jsBackend.unary(op, y), shape), { rtol: 2e-6, atol: 1e-7 }, op);
          }
          const ints = data.map((x) => Math.round(x * 1000));
          const [iw, ij] = P.both(ints, 'int32', shape, strides, offset);
          for (const op of ['neg', 'abs', 'relu'] as const) close(read(w, w.unary(op, iw), shape), read(jsBackend, jsBackend.unary(op, ij), shape), EXACT, `${op} int32`);
          for (const [v, u] of [[aw, aj], [iw, ij]] as const) {
            for (const to of ['float32', 'int32', 'bool'] as const) {
              close(read(w, w.cast(v, to), shape), read(jsBackend, jsBackend.cast(u, to), shape), EXACT, `cast ${v.dtype}→${to}`);
            }
            close(w.readSync(v), jsBackend.readSync(u), EXACT, 'readSync of a view');
            close(read(w, w.copy(v), shape), jsBackend.readSync(u), EXACT, 'copy');
          }
        });
      }
    }

    it('broadcasts by strides: row, column, scalar and both-sided', () => {
      const cases: [number[], number[], number[]][] = [
        [[31, 33], [33], [31, 33]], [[31, 1], [31, 33], [31, 33]], [[], [5, 65], [5, 65]],
        [[3, 1, 65], [1, 4, 1], [3, 4, 65]], [[1023], [1], [1023]],
      ];
      for (const [sa, sb, so] of cases) {
        for (const dtype of ['float32', 'int32'] as const) {
          const pad = (s: number[], t: number[]) => [...Array(so.length - s.length).fill(0), ...s.map((d, i) => (d === 1 && so[so.length - s.length + i] !== 1 ? 0 : t[i]!))];
          const da = Array.from(rand(sizeOf(sa), 3), (x) => (dtype === 'int32' ? Math.round(x * 9) : x));
          const db = Array.from(rand(sizeOf(sb), 4), (x) => (dtype === 'int32' ? Math.round(x * 9) : x));
          const [aw, aj] = P.both(da, dtype, so, pad(sa, contiguousStrides(sa)));
          const [bw, bj] = P.both(db, dtype, so, pad(sb, contiguousStrides(sb)));
          for (const op of ['add', 'sub', 'mul', 'maximum', 'lt', 'eq'] as const) {
            close(read(w, w.binary(op, aw, bw, so), so), read(jsBackend, jsBackend.binary(op, aj, bj, so), so), EXACT, `${op} ${sa}∘${sb}`);
          }
          const dc = Array.from(rand(sizeOf(sb), 5), (x) => (x > 0 ? 1 : 0));
          const [cw, cj] = P.both(dc, 'bool', so, pad(sb, contiguousStrides(sb)));
          close(read(w, w.where(cw, aw, bw, so), so), read(jsBackend, jsBackend.where(cj, aj, bj, so), so), EXACT, `where ${sa}∘${sb}`);
        }
      }
    });

    it('where over a contiguous condition with either operand one broadcast element (SIMD rows and their tails)', () => {
      for (const so of [[37], [3, 40], [16]]) {
        const n = sizeOf(so);
        const dc = Array.from(rand(n, 6), (x) => (x > 0 ? 1 : 0));
        const [cw, cj] = P.both(dc, 'bool', so);
        for (const dtype of ['float32', 'int32', 'bool'] as const) {
          const values = (count: number, seed: number) => Array.from(rand(count, seed), (x) => (dtype === 'float32' ? x : dtype === 'int32' ? Math.round(x * 9) : x > 0 ? 1 : 0));
          const full = P.both(values(n, 7), dtype, so), one = P.both(values(1, 8), dtype, so, so.map(() => 0));
          const fullB = P.both(values(n, 9), dtype, so), oneB = P.both(values(1, 10), dtype, so, so.map(() => 0));
          for (const [label, [aw, aj], [bw, bj]] of [['full, full', full, fullB], ['full, one', full, oneB], ['one, full', one, fullB], ['one, one', one, oneB]] as const) {
            close(read(w, w.where(cw, aw, bw, so), so), read(jsBackend, jsBackend.where(cj, aj, bj, so), so), EXACT, `where ${dtype} [${so}] ${label}`);
          }
        }
      }
    });

    it('copyInto strided and overlapping destinations', () => {
      const data = rand(64, 11);
      const [sw, sj] = P.both(data, 'float32', [8, 8]);
      const [dw, dj] = P.both(new Float32Array(200), 'float32', [200]);
      const dst = (v: View): View => ({ ...v, shape: [8, 8], strides: [-20, 2], offset: 160 });
      w.copyInto({ ...sw, strides: [1, 8] }, dst(dw));
      jsBackend.copyInto({ ...sj, strides: [1, 8] }, dst(dj));
      close(w.readSync(dw), jsBackend.readSync(dj), EXACT, 'copyInto');
      // Same storage: shift a row by one element.
      const row = (v: View, off: number): View => ({ ...v, shape: [63], strides: [1], offset: off });
      w.copyInto(row(sw, 0), row(sw, 1));
      jsBackend.copyInto(row(sj, 0), row(sj, 1));
      close(w.readSync(sw), jsBackend.readSync(sj), EXACT, 'overlapping copyInto');
    });

    const AXES: [number[], number[]][] = [
      [[1023], [0]], [[65], [0]], [[0], [0]], [[1], [0]], [[31, 33], [1]], [[31, 33], [0]], [[31, 33], [0, 1]],
      [[3, 5, 65], [0, 2]], [[3, 5, 65], [1]], [[4, 0, 3], [2]], [[4, 0, 3], [1]], [[2, 3, 4, 5], [1, 3]],
    ];
    it('reduce sum/mean/min/max/argmax over axis sets and strided views', () => {
      for (const [shape, axes] of AXES) {
        for (const dtype of ['float32', 'int32'] as const) {
          const n = sizeOf(shape);
          const data = Array.from(rand(n, 21 + n), (x, i) => (dtype === 'int32' ? Math.round(x * 100) : i % 13 === 0 ? 1.5 : x));
          // Also through a reversed view of the same logical data.
          const rev: [number[], number] = [contiguousStrides(shape).map((s) => -s), Math.max(n - 1, 0)];
          for (const [strides, offset] of [[undefined, 0], rev] as const) {
            const [aw, aj] = P.both(data, dtype, shape, strides ? [...strides] : undefined, offset);
            const ops: ReduceOp[] = dtype === 'float32' ? ['sum', 'mean', 'min', 'max', 'argmax'] : ['sum', 'min', 'max', 'argmax'];
            for (const op of ops) {
              if (n === 0 && (op === 'min' || op === 'max' || op === 'argmax') && shape.some((d, i) => d === 0 && axes.includes(i))) continue;
              const outShape = shape.filter((_, i) => !axes.includes(i));
              const tol = op === 'sum' || op === 'mean' ? { rtol: 1e-5, atol: 1e-5 * Math.sqrt(n + 1) } : EXACT;
              close(read(w, w.reduce(op, aw, axes), outShape), read(jsBackend, jsBackend.reduce(op, aj, axes), outShape), tol, `${op} ${dtype} [${shape}] axes [${axes}]`);
            }
            if (dtype === 'float32') {
              const outShape = shape.filter((_, i) => !axes.includes(i));
              const mw = w.moments(aw, axes), mj = jsBackend.moments(aj, axes);
              const tol = { rtol: 1e-5, atol: 1e-6 };
              close(read(w, mw.mean, outShape), read(jsBackend, mj.mean, outShape), tol, `moments mean [${shape}]`);
              close(read(w, mw.variance, outShape), read(jsBackend, mj.variance, outShape), tol, `moments var [${shape}]`);
            }
          }
        }
      }
    });

    it('min/max/argmax propagate NaN and keep the first maximum, along rows and columns', () => {
      const data = [1, NaN, 3, 3, 5, 2, 5, NaN, -1, 7, 7, 0, NaN, 4, 9, 9];
      for (const [shape, axes] of [[[4, 4], [0]], [[4, 4], [1]], [[2, 2, 4], [0, 1]], [[16], [0]]] as const) {
        const [aw, aj] = P.both(data, 'float32', [...shape]);
        const outShape = shape.filter((_, i) => !(axes as readonly number[]).includes(i));
        for (const op of ['min', 'max', 'argmax', 'sum'] as const) {
          close(read(w, w.reduce(op, aw, axes), outShape), read(jsBackend, jsBackend.reduce(op, aj, axes), outShape), EXACT, `${op} [${shape}] axes [${axes}]`);
        }
      }
    });

    it('min/max/argmax over long rows (the 4-vector SIMD loop): NaN in the vector part or the tail, ±∞ without NaN', () => {
      const base = rand(1000, 11);
      const cases: [string, Float32Array][] = [['no NaN', base]];
      for (const at of [0, 700, 997]) { const d = base.slice(); d[at] = NaN; cases.push([`NaN at ${at}`, d]); }
      const inf = base.slice(); inf[3] = -Infinity; inf[500] = Infinity; inf[501] = Infinity; cases.push(['±∞', inf]);
      for (const [what, data] of cases) {
        const [aw, aj] = P.both([...data], 'float32', [1000]);
        for (const op of ['min', 'max', 'argmax'] as const) {
          close(read(w, w.reduce(op, aw, [0]), []), read(jsBackend, jsBackend.reduce(op, aj, [0]), []), EXACT, `${op} ${what}`);
        }
      }
    });

    it('min/max of signed zeros keep the first zero, as the reference: rows (SIMD lanes, tail) and columns', () => {
      // The extreme is 0 and both zeros occur: the reference keeps the first one it meets (a later
      // equal value does not replace it). The SIMD loop runs lanes apart, so a zero in a later lane of an
      // earlier vector, or in the tail, must not win over an earlier one; columns run row by row.
      const cases: [string, number[]][] = [];
      for (const [a, b] of [[1, 4], [4, 1], [0, 35], [35, 0], [5, 22], [22, 5], [13, 40]] as const) {
        for (const [za, zb] of [[0, -0], [-0, 0]] as const) {
          const row = Array.from({ length: 41 }, (_, i) => -1 - (i % 7)); // negative for max; mirrored below for min
          row[a] = za; row[b] = zb;
          cases.push([`zeros ${Object.is(za, -0) ? '-' : '+'}0 at ${a}, ${Object.is(zb, -0) ? '-' : '+'}0 at ${b}`, row]);
        }
      }
      const same = (g: number, want: number, what: string) => assert.ok(Object.is(g, want), `${what}: got ${Object.is(g, -0) ? '-0' : g}, want ${Object.is(want, -0) ? '-0' : want}`);
      for (const [what, row] of cases) {
        for (const op of ['max', 'min'] as const) {
          const data = op === 'max' ? row : row.map((x) => (x === 0 ? x : -x));
          const [aw, aj] = P.both(data, 'float32', [data.length]);
          same(read(w, w.reduce(op, aw, [0]), [])[0]!, read(jsBackend, jsBackend.reduce(op, aj, [0]), [])[0]!, `${op} row, ${what}`);
          // The same values down a column of [41, 5] (every column alike): the reduce-over-rows kernel.
          const cols = data.flatMap((x) => [x, x, x, x, x]);
          const [cw, cj] = P.both(cols, 'float32', [data.length, 5]);
          const got = read(w, w.reduce(op, cw, [0]), [5]), want = read(jsBackend, jsBackend.reduce(op, cj, [0]), [5]);
          for (let j = 0; j < 5; j++) same(got[j]!, want[j]!, `${op} column ${j}, ${what}`);
        }
      }
    });

    it('relu keeps NaN and maps -0 to +0 in the SIMD loop and the tail', () => {
      const data = Array.from({ length: 37 }, (_, i) => [-0, NaN, -1.5, 2.5, 0][i % 5]!);
      const [aw] = P.both(data, 'float32', [37]);
      const got = read(w, w.unary('relu', aw), [37]);
      data.forEach((x, i) => {
        const want = Number.isNaN(x) ? NaN : Math.max(x, 0);
        assert.ok(Object.is(got[i], want) || (Number.isNaN(want) && Number.isNaN(got[i]!)), `relu(${x}) at ${i}: got ${got[i]}`);
      });
    });

    it('sums 1e7 float32 ones exactly and keeps the std of 1e6 values near 1e6 accurate', () => {
      const ones = w.upload(new Float32Array(1e7).fill(1), 'float32');
      const s = w.reduce('sum', { storage: ones, dtype: 'float32', shape: [1e7], strides: [1], offset: 0 }, [0]);
      assert.equal(read(w, s, [])[0], 1e7);
      w.free(ones);
      const x = rand(1e6, 5).map((v, i) => 1e6 + (i % 2 === 0 ? 1 : -1) * (1 + v * 0)); // mean 1e6, std exactly 1
      const xs = w.upload(x, 'float32');
      const m = w.moments({ storage: xs, dtype: 'float32', shape: [1e6], strides: [1], offset: 0 }, [0]);
      const std = Math.sqrt(read(w, m.variance, [])[0]!);
      assert.ok(Math.abs(std - 1) < 1e-3, `std ${std}`);
      w.free(xs);
    });

    it('matmul on edge shapes, transposed, batched and broadcast operands', () => {
      const cases: [number[], number[], number[]][] = [
        [[1, 1], [1, 1], [1, 1]], [[3, 0], [0, 5], [3, 5]], [[63, 65], [65, 67], [63, 67]], [[4, 8], [8, 8], [4, 8]],
        [[2, 3, 17], [2, 17, 9], [2, 3, 9]], [[2, 1, 5, 7], [1, 3, 7, 6], [2, 3, 5, 6]], [[257, 300], [300, 70], [257, 70]],
      ];
      for (const [sa, sb, so] of cases) {
        for (const transpose of [false, true]) {
          const r = so.length;
          const K = sa[sa.length - 1]!;
          const mk = (s: number[], seed: number): [View, View] => {
            const base = [...s];
            let strides = contiguousStrides(base);
            if (transpose) { // store the last two dims swapped, then view them transposed
              const t = [...base.slice(0, -2), base[base.length - 1]!, base[base.length - 2]!];
              const ts = contiguousStrides(t);
              strides = [...ts.slice(0, -2), ts[ts.length - 1]!, ts[ts.length - 2]!];
            }
            const bs = strides.map((st, i) => (s[i] === 1 && so[i] !== 1 ? 0 : st));
            return P.both(rand(sizeOf(s), seed), 'float32', so.slice(0, r - 2).concat(s.slice(-2)), bs);
          };
          const [aw, aj] = mk(sa, 31), [bw, bj] = mk(sb, 32);
          close(read(w, w.matmul(aw, bw, so), so), read(jsBackend, jsBackend.matmul(aj, bj, so), so), { rtol: 0, atol: 1e-5 * Math.max(K, 1) }, `matmul ${sa}×${sb} t=${transpose}`);
        }
      }
    });

    it('reuses freed memory and reports live bytes; double free and OOM are errors', () => {
      const before = w.memory();
      const a = w.upload(new Float32Array(1000), 'float32');
      assert.equal(w.memory().storages, before.storages + 1);
      assert.ok(w.memory().bytesInUse >= before.bytesInUse + 4000);
      w.free(a);
      assert.deepEqual(w.memory().storages, before.storages);
      const b = w.upload(new Float32Array(1000), 'float32');
      assert.equal((b as unknown as { ptr: number }).ptr, (a as unknown as { ptr: number }).ptr, 'a freed block is reused');
      w.free(b);
      assert.throws(() => w.free(b), /freed twice/);
      const c = createWasmBackend({ flavour });
      assert.throws(() => c.upload(new Uint8Array(0), 'bool') && c.binary('add', ...huge(c), [2 ** 31 - 1]), /out of memory: one storage of \d+ bytes .* is more than the wasm backend can hold at all/);
    });

    it('errors leave no memory behind: bad dtypes, used-after-free operands, strided reductions', () => {
      const view = (s: ReturnType<Backend['upload']>, dtype: DType, shape: number[], strides = contiguousStrides(shape)): View =>
        ({ storage: s, dtype, shape, strides, offset: 0 });
      const bools = w.upload(new Uint8Array(12), 'bool');
      const ints = w.upload(new Int32Array(12), 'int32');
      const gone = w.upload(new Float32Array(12), 'float32');
      w.free(gone);
      const b = view(bools, 'bool', [3, 4]);
      const before = w.memory();
      const same = (what: string): void => {
        assert.deepEqual(w.memory(), before, `${what}: memory in use is unchanged`);
      };
      assert.throws(() => w.binary('add', b, b, [3, 4]), /binary 'add' takes float32 or int32, got bool/); same('binary');
      assert.throws(() => w.unary('exp', view(ints, 'int32', [3, 4])), /unary 'exp' is not defined for int32/); same('unary');
      assert.throws(() => w.reduce('sum', b, [1]), /reduce 'sum' is not defined for bool/); same('reduce');
      // A transposed view goes through the gathered (temporary) source: that too is released.
      assert.throws(() => w.reduce('mean', view(ints, 'int32', [4, 3], [1, 4]), [1]), /reduce 'mean' is not defined for int32/); same('strided reduce');
      assert.throws(() => w.moments(view(ints, 'int32', [3, 4]), [1]), /moments takes float32/); same('moments');
      // Outputs allocated before the operand turns out to be freed go back to the heap.
      const dead = view(gone, 'float32', [3, 4]);
      assert.throws(() => w.unary('exp', dead), /used after free/); same('unary on a freed operand');
      assert.throws(() => w.reduce('sum', dead, [0]), /used after free/); same('middle-axis reduce on a freed operand');
      assert.throws(() => w.reduce('sum', dead, [1]), /used after free/); same('last-axis reduce on a freed operand');
      assert.throws(() => w.moments(dead, [1]), /used after free/); same('moments on a freed operand');
      assert.throws(() => w.matmul(dead, dead, [3, 4]), /used after free/); same('matmul on a freed operand');
      assert.throws(() => w.copy(dead), /used after free/); same('copy on a freed operand');
      assert.throws(() => w.cast(dead, 'int32'), /used after free/); same('cast on a freed operand');
      w.free(bools); w.free(ints);
    });
  });
}

/** Two operands with an 8 GiB result (broadcast scalars; the largest shape allowed), to force an allocation the memory cannot grow to. */
function huge(b: Backend): [View, View] {
  const s = b.upload(new Float32Array([1]), 'float32');
  const v: View = { storage: s, dtype: 'float32', shape: [2 ** 31 - 1], strides: [0], offset: 0 };
  return [v, v];
}
