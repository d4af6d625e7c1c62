/**
 * tiny-ops on a per-sample loop (case study 4.1, audit 27 F1): rows sliced from one tensor, multiplied by one
 * matrix, run through elementwise ops and summed into an accumulator. The rule times every one of those sites
 * as the batched loop would run it — the matmul rows as one [k, d] × [d, m] matmul, the rows the loop makes
 * without a stack (views and per-row results are one tensor in the batched loop), the accumulation as one sum —
 * where it used to time only the elementwise sites, each with a stack of its rows, and read 1.0–1.3× or nothing.
 * Real kernels and real profiles throughout; figures are only required to point the right way.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, before, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import type { RuleColumns } from '../../runtime/src/profiler/rule-columns.js';
import { inputShapesAt } from '../../runtime/src/profiler/rule-columns.js';
import { measureStack } from '../../runtime/src/profiler/rules/measure-stack.js';
import { accumulates, rowsMadeInLoop } from '../../runtime/src/profiler/rules/tiny-ops.js';
import { trialRatio } from '../../runtime/src/profiler/rules/types.js';
import { snapshot } from '../../runtime/src/profiler/session.js';

const n = 128, d = 8;

/** The case study's per-sample logistic-regression gradient, `epochs` times over n rows. */
function perSample(X: cp.Tensor, y: cp.Tensor, epochs: number): cp.Tensor {
  let w = cp.zeros([d, 1]);
  for (let epoch = 0; epoch < epochs; epoch++) {
    w = cp.tidy(() => {
      let grad = cp.zeros([d, 1]);
      for (let i = 0; i < n; i++) {
        const xi = X.slice([[i, i + 1]]);
        const p = xi.matmul(w).sigmoid();
        grad = grad.add(xi.transpose().mul(p.sub(y.slice([[i, i + 1]]))));
      }
      return w.sub(grad.mul(0.5 / n));
    });
  }
  return w;
}

/** Events of `op` whose input shapes are `shapes`, oldest first. */
function eventsOf(c: RuleColumns, op: string, shapes: readonly (readonly number[])[]): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < c.length; i++) if (c.names[c.op[i]!] === op && JSON.stringify(inputShapesAt(c, i)) === JSON.stringify(shapes)) out.push(i);
  return Int32Array.from(out);
}

/** The rule columns of what was recorded since enableProfiling. */
function columns(): RuleColumns {
  const data = snapshot(false, { events: 'rules' });
  assert.ok(data.ruleColumns, 'rule columns in the snapshot');
  return data.ruleColumns;
}

describe('tiny-ops: per-sample rows, matmul rows, accumulation', () => {
  let X: cp.Tensor, y: cp.Tensor;
  before(async () => {
    await cp.setBackend('wasm');
    cp.seed(42);
    X = cp.keep(cp.randn([n, d]));
    y = cp.keep(cp.tidy(() => X.matmul(cp.randn([d, 1])).gt(0).cast('float32')));
  });
  afterEach(() => { cp.disableProfiling(); cp.clearProfile({ segments: true }); });

  it('reads the per-sample loop: its rows are made in the loop, its add accumulates; rows built beforehand are neither', () => {
    cp.clearProfile({ segments: true });
    cp.enableProfiling({ callSites: 'all' });
    perSample(X, y, 2).dispose();
    const loop = columns();
    const matmul = eventsOf(loop, 'matmul', [[1, d], [d, 1]]), sigmoid = eventsOf(loop, 'sigmoid', [[1, 1]]);
    const sub = eventsOf(loop, 'sub', [[1, 1], [1, 1]]), mul = eventsOf(loop, 'mul', [[d, 1], [1, 1]]), add = eventsOf(loop, 'add', [[d, 1], [d, 1]]);
    for (const [name, g] of [['matmul', matmul], ['sigmoid', sigmoid], ['sub', sub], ['mul', mul], ['add', add]] as const) assert.equal(g.length, 2 * n, `${name} events`);
    // Slices of X (views: not recorded) and each op's per-row result: made between one call and the next.
    for (const [name, g] of [['matmul', matmul], ['sigmoid', sigmoid], ['sub', sub], ['mul', mul]] as const) assert.ok(rowsMadeInLoop(loop, g), `${name}: rows made in the loop`);
    // grad = grad.add(row): the accumulator is the previous call's result; the rows it adds are made in the loop.
    assert.ok(accumulates(loop, add), 'add accumulates');
    assert.ok(rowsMadeInLoop(loop, add, 1), "add's rows made in the loop");
    assert.ok(!accumulates(loop, sub), 'sub reads a new row each call, not its previous result');
    cp.disableProfiling();

    // Rows built before the loop (kept, ids in a run): the batched loop must stack them.
    const rows = Array.from({ length: 256 }, (_, r) => cp.keep(cp.tensor([r, r + 1, r + 2, r + 3], { dtype: 'float32' })));
    cp.clearProfile({ segments: true });
    cp.enableProfiling({ callSites: 'all' });
    for (const r of rows) cp.tidy(() => { r.mul(2); });
    const kept = columns();
    const scaled = eventsOf(kept, 'mul', [[4]]);
    assert.equal(scaled.length, rows.length);
    assert.ok(!rowsMadeInLoop(kept, scaled), 'rows made beforehand are not made in the loop');
    for (const r of rows) r.dispose();
  });

  it('times k [1, d] × [d, m] matmuls against one [k, d] × [d, m] matmul, with and without the concat', () => {
    const rowsOfOne = measureStack('matmul', 'wasm', [1, d], 'float32', 512, true, true, [d, 1]);
    const joined = measureStack('matmul', 'wasm', [1, d], 'float32', 512, false, true, [d, 1]);
    assert.ok(rowsOfOne && joined, 'both trials ran');
    assert.equal(rowsOfOne.rows, 512);
    // 512 dispatches against one: the single matmul wins by far (about 100× on an idle 2-core machine).
    const r = trialRatio(rowsOfOne.loopMs, rowsOfOne.stackedMs, rowsOfOne.ratio).r;
    assert.ok(r > 2, `512 row matmuls ${rowsOfOne.loopMs} ms vs one ${rowsOfOne.stackedMs} ms`);
    assert.ok(trialRatio(joined.loopMs, joined.stackedMs, joined.ratio).r > 1, `with the concat: ${joined.loopMs} ms vs ${joined.stackedMs} ms`);
    // A matrix whose rows do not match the row's columns: no trial.
    assert.equal(measureStack('matmul', 'wasm', [1, d], 'float32', 512, true, true, [d + 1, 1]), null);
    const acc = measureStack('add', 'wasm', [d, 1], 'float32', 512, true, true, null, true);
    assert.ok(acc && trialRatio(acc.loopMs, acc.stackedMs, acc.ratio).r > 1, `512 adds into an accumulator vs one sum: ${acc?.loopMs} vs ${acc?.stackedMs} ms`);
  });

  it('recommends batching the per-sample loop, naming the matmul, the rows and the accumulation', () => {
    cp.clearProfile({ segments: true });
    cp.enableProfiling({ callSites: 'all' });
    perSample(X, y, 4).dispose();
    const report = cp.profileReport({ format: 'json' });
    const rec = report.recommendations.find((r) => r.rule === 'tiny-ops');
    assert.ok(rec, `tiny-ops fired: ${report.recommendations.map((r) => r.rule).join(', ')}`);
    const basis = rec.speedupBasis ?? '';
    // Each site with its line in this file: the matmul and sigmoid share one, the sub, mul and add the next.
    const src = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
    const lineOf = (text: string): number => src.findIndex((l) => l.includes(text)) + 1;
    const mmLine = lineOf('const p = xi.matmul(w).sigmoid();'), addLine = lineOf('grad = grad.add(xi.transpose()');
    assert.ok(basis.includes(`matmul ×512 (line ${mmLine})`) && basis.includes(`add ×512 accumulating a sum (line ${addLine})`), `lines ${mmLine}, ${addLine}: ${basis}`);
    assert.match(basis, /matmul ×512 \(line \d+\) on \[1, 8\] × \[8, 1\]: [\d.]+ ms vs one \[512, 8\] × \[8, 1\] matmul/);
    assert.match(basis, /sigmoid ×512 \(line \d+\) on \[1, 1\]: [\d.]+ ms vs one sigmoid on all rows at once/);
    assert.match(basis, /add ×512 accumulating a sum \(line \d+\) on \[8, 1\]: [\d.]+ ms vs one sum over all rows \+ one add/);
    assert.match(basis, /rows the loop makes itself — slices of one tensor/);
    assert.match(rec.description, /rows multiplied by one matrix are one matmul/);
    // Every site's trial is one call against hundreds: the estimate is several times, not the 1.0–1.3× the elementwise-only,
    // stack-priced trials gave (audit 27 F1).
    assert.ok(rec.estimatedSpeedup > 2, `estimate ${rec.estimatedSpeedup}×: ${basis}`);
  });
});
