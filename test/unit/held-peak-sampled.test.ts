/**
 * Held memory per line past the exact first results (held.ts): a line whose results are disposed each
 * iteration held one at a time, and its peak says so. Audit 31: a loop that created and disposed its
 * tensors read `peakTensors` 30–31 per line in `memory.heldBySite` (a sampled mark counted for its whole
 * hold, up to 31, while it lived) beside an overall peak of a few tensors; a line that keeps its results
 * still reads its pile-up within about two holds.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import { HELD_EXACT, HELD_PERIOD } from '../../runtime/src/profiler/held.js';
import { renderText } from '../../runtime/src/profiler/format-text.js';

const here = new URL(import.meta.url).pathname;

function profile(run: () => void): cp.ProfileReport {
  cp.clearProfile({ segments: true });
  cp.enableProfiling({ callSites: 'all' });
  run();
  return cp.profileReport({ format: 'json' });
}

describe('held memory per line, sampled past the first results', () => {
  afterEach(() => { cp.disableProfiling(); cp.clearProfile({ segments: true }); });

  it('a loop that disposes each result: every line held one at a time, within the overall peak', async () => {
    await cp.setBackend('wasm');
    const n = 40 * HELD_EXACT;
    const report = profile(() => {
      for (let i = 0; i < n; i++) {
        const a = cp.ones([100]);
        const b = a.mul(2);
        const c = b.add(1);
        a.dispose(); b.dispose(); c.dispose();
      }
    });
    const m = report.memory!;
    const held = m.heldBySite.filter((h) => h.location?.file === here);
    assert.deepEqual(held.map((h) => h.ops.join()).sort(), ['add', 'full', 'mul'], JSON.stringify(held));
    for (const h of held) {
      assert.equal(h.calls, n);
      assert.deepEqual([h.peakTensors, h.peakBytes, h.tensors, h.bytes], [1, 400, 0, 0], JSON.stringify(h));
      assert.ok(h.peakBytes <= m.peakBytes, `${h.peakBytes} B at once on one line, ${m.peakBytes} B at most overall`);
    }
    assert.equal(m.liveTensors, 0);
    // Nothing was left: the text lists no line under "Never disposed".
    assert.doesNotMatch(renderText(report, { color: false }), /Never disposed/);
  });

  it('a loop that keeps its results: the pile-up reads within two holds of the truth', async () => {
    await cp.setBackend('wasm');
    const n = 600, kept: cp.Tensor[] = [];
    const report = profile(() => { for (let i = 0; i < n; i++) kept.push(cp.ones([100]).mul(2)); });
    const h = report.memory!.heldBySite.find((s) => s.location?.file === here && s.ops.includes('mul'))!;
    assert.ok(h.peakTensors <= n && h.peakTensors >= n - 4 * HELD_PERIOD, `${h.peakTensors} held of ${n}`);
    assert.equal(h.peakBytes, 400 * h.peakTensors);
    for (const t of kept) t.dispose();
  });
});
