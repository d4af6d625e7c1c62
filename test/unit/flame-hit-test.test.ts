/**
 * webview/src/layout.ts `frameAtRow` (binary search over the per-row index) against the linear
 * scan it replaced, which is the oracle: the lowest frame index with x - slack <= t < x + w + slack
 * in the row. Both layouts, a context filter, and probes at every frame edge ± slack, row
 * outside the layout, and slacks of 0, sub-frame and wider than frames.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { generateProfile } from '../../webview/bench/profile-builder.js';
import { layoutLeftHeavy, layoutTimeOrder, frameAtRow, type FlameLayout } from '../../webview/src/layout.js';
import { buildFlameData, includeMask, type FlameData } from '../../webview/src/model.js';

function linear(L: FlameLayout, d: number, t: number, slack: number): number {
  for (let f = 0; f < L.n; f++) if (L.depth[f] === d && L.x[f] - slack <= t && t < L.x[f] + L.w[f] + slack) return f;
  return -1;
}

function data(nodes: number): FlameData {
  const r = buildFlameData(generateProfile(nodes));
  assert.ok(r.ok);
  return r.data;
}

function check(L: FlameLayout, slacks: readonly number[]): number {
  let probes = 0;
  const span = L.x1 - L.x0;
  for (const slack of slacks) {
    for (let f = 0; f < L.n; f++) {
      const d = L.depth[f];
      for (const t of [L.x[f] - slack, L.x[f], L.x[f] + L.w[f] / 2, L.x[f] + L.w[f], L.x[f] + L.w[f] + slack, L.x[f] - slack - 1e-6]) {
        assert.equal(frameAtRow(L, d, t, slack), linear(L, d, t, slack), `row ${d} t ${t} slack ${slack}`);
        probes++;
      }
    }
    for (const d of [-1, L.rows, L.rows + 3]) assert.equal(frameAtRow(L, d, L.x0 + span / 2, slack), -1);
  }
  return probes;
}

describe('flame hit test (per-row index)', () => {
  const d = data(3000);
  it('time order, GPU track included, matches the linear scan', () => {
    const L = layoutTimeOrder(d, null);
    assert.equal(L.rowStart.length, L.rows + 1);
    assert.equal(L.rowStart[L.rows], L.n);
    const span = L.x1 - L.x0;
    assert.ok(check(L, [0, span * 1e-6, span * 1e-3, span * 0.05]) > 0);
  });
  it('left heavy matches the linear scan', () => {
    const L = layoutLeftHeavy(d, null);
    const span = L.x1 - L.x0;
    assert.ok(check(L, [0, span * 1e-4, span * 0.05]) > 0);
  });
  it('with a context filter, and on an empty layout', () => {
    const ctx = d.profile.strings[d.profile.slices.name[0]];
    const L = layoutTimeOrder(d, includeMask(d, ctx));
    assert.ok(L.n > 0 && L.n < d.n, `filtered ${L.n} of ${d.n}`);
    check(L, [0, (L.x1 - L.x0) * 1e-3]);
    const none = layoutTimeOrder(d, new Uint8Array(d.n));
    assert.equal(none.n, 0);
    assert.equal(frameAtRow(none, 0, 0.5, 0), -1);
  });
  it('overlapping frames in one row: the lowest frame index wins, as before', () => {
    // Hand-made: three GPU-like frames overlapping on row 0, given out of x order.
    const x = new Float64Array([5, 0, 2]), w = new Float64Array([1, 10, 1]);
    const L = { n: 3, x, w, depth: new Int32Array(3), rows: 1, rowStart: new Int32Array([0, 3]),
      rowFrames: new Int32Array([1, 2, 0]), rowReach: new Float64Array([10, 10, 10]) } as unknown as FlameLayout;
    for (const t of [-1, 0, 2.5, 5.5, 9.99, 10, 11]) assert.equal(frameAtRow(L, 0, t, 0), linear(L, 0, t, 0), `t ${t}`);
    assert.equal(frameAtRow(L, 0, 5.5, 0), 0);
  });
});
