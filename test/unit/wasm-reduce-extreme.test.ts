/**
 * min/max/argmax of long float32 rows on the wasm backend, exactly as the js reference (Object.is:
 * NaN stays NaN, the first of ±0 met is kept). The SIMD kernel (kernels-rust/src/reduce.rs, `extreme`)
 * reduces the floats' bits with integer max/min in chunks (256 floats, then 2048) and changes mode in the chunk
 * where it first meets a float on the far side of zero (max: a non-negative one, min: a negative
 * one), so the rows here cross chunk edges, change mode early, late, in the tail or never, and put
 * NaNs of both signs (by their bits) before, in and after that chunk. Both kernel builds run.
 */
import { describe, it } from 'mocha';
import assert from 'node:assert/strict';
import type { Backend, View } from '../../runtime/src/backends/backend.js';
import { jsBackend } from '../../runtime/src/backends/js/index.js';
import { createWasmBackend } from '../../runtime/src/backends/wasm/index.js';
import { contiguousStrides } from '../../runtime/src/shape.js';
import { setNaN, show, unit } from './float-inputs.js';

for (const flavour of ['simd', 'scalar'] as const) {
  describe(`wasm min/max/argmax of long rows (${flavour} kernels) vs js reference`, () => {
    const w = createWasmBackend({ flavour });
    /** Row(s) of `data` reduced over the last axis on both backends; the view starts `offset` floats in. */
    function check(data: Float32Array, what: string, rows = 1, offset = 0): void {
      const n = data.length / rows;
      const buf = new Float32Array(data.length + offset);
      buf.set(data, offset);
      const views = ([w, jsBackend] as Backend[]).map((b): View => ({ storage: b.upload(buf, 'float32'), dtype: 'float32', shape: [rows, n], strides: [n, 1], offset }));
      for (const op of ['max', 'min', 'argmax'] as const) {
        const [got, want] = ([w, jsBackend] as Backend[]).map((b, k) => {
          const s = b.reduce(op, views[k]!, [1]);
          return b.readSync({ storage: s, dtype: s.dtype, shape: [rows], strides: contiguousStrides([rows]), offset: 0 });
        });
        for (let r = 0; r < rows; r++) {
          const g = got![r]!, x = want![r]!;
          assert.ok(Object.is(g, x), `${op} ${what} (n=${n}, row ${r}, offset ${offset}): got ${show(g)}, want ${show(x)}`);
        }
      }
      for (const b of [w, jsBackend]) b.free(views[b === w ? 0 : 1]!.storage);
    }

    // Around the 32-float block and the chunk edges (256, 2304 = 256 + 2048), and several chunks with a tail.
    const sizes = [31, 32, 33, 255, 256, 257, 2303, 2304, 2305, 4100, 10007];

    it('mixed signs, all negative, all positive, with ±∞ and subnormals', () => {
      for (const n of sizes) {
        const u = unit(n, n);
        check(u.map((x, i) => (i % 3 === 0 ? -x : x)), 'mixed');
        check(u.map((x) => -x), 'all negative');
        check(u, 'all positive');
        const e = u.map((x, i) => (i % 2 ? -x : x) * 1e-40); // subnormals
        e[n >> 1] = Infinity;
        e[n >> 2] = -Infinity;
        check(e, '±∞ and subnormals');
        check(u.map(() => -0), 'only -0');
        check(u.map((x) => -x * 1e-40), 'negative subnormals');
      }
    });

    it('the first float across zero met early, late, in the tail, or in a later row', () => {
      for (const n of sizes) {
        for (const at of [0, n >> 1, n - 33, n - 1].filter((k) => k >= 0)) {
          const u = unit(n, 7 + at);
          const neg = u.map((x) => -x);
          neg[at] = 0.5; // max: one non-negative float in an all-negative row
          check(neg, `one non-negative at ${at}`);
          neg[at] = 0;
          check(neg, `one +0 at ${at} among negatives`);
          const pos = u.slice();
          pos[at] = -0.5; // min: one negative float in an all-positive row
          check(pos, `one negative at ${at}`);
          pos[at] = -0;
          check(pos, `one -0 at ${at} among positives`);
        }
      }
      // Rows alike in length but not in sign: every row starts its reduction afresh.
      const n = 3000, rows = unit(3 * n, 3).map((x, i) => (i < n ? -x : i < 2 * n ? x : i % 2 ? x : -x));
      check(rows, 'three rows: negative, positive, mixed', 3);
      check(rows, 'three rows, offset views', 3, 3);
    });

    it('signed zeros: the first one met is kept, wherever the two fall', () => {
      for (const n of [64, 2049, 5000]) {
        for (const [a, b] of [[1, 40], [40, 1], [10, n - 2], [n - 2, 10], [2100 % n, 30], [n - 1, 0]]) {
          for (const [za, zb] of [[0, -0], [-0, 0]]) {
            const neg = unit(n, a * 31 + b).map((x) => -x);
            neg[a!] = za!;
            neg[b!] = zb!;
            check(neg, `max: ${show(za!)} at ${a}, ${show(zb!)} at ${b}`);
            check(neg.map((x) => (x === 0 ? x : -x)), `min: ${show(za!)} at ${a}, ${show(zb!)} at ${b}`);
          }
        }
      }
    });

    it('NaN of either sign before, in, or after the chunk where the mode changes, and in the tail', () => {
      const n = 10007;
      for (const negative of [false, true]) {
        for (const nanAt of [0, 100, 3000, 5000, 9990, n - 1]) {
          for (const crossAt of [-1, 50, 4200, 9000]) {
            const u = unit(n, nanAt + crossAt);
            const neg = u.map((x) => -x), pos = u.slice();
            if (crossAt >= 0) { neg[crossAt] = 0.25; pos[crossAt] = -0.25; }
            setNaN(neg, nanAt, negative, 0x1234);
            setNaN(pos, nanAt, negative, 0x400000);
            const what = `${negative ? '-' : '+'}NaN at ${nanAt}, ${crossAt < 0 ? 'no sign change' : `sign change at ${crossAt}`}`;
            check(neg, `negative row, ${what}`);
            check(pos, `positive row, ${what}`);
          }
        }
      }
    });
  });
}
