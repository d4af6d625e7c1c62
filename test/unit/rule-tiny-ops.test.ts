/**
 * tiny-ops counts ops that are small in what they read and what they write: a creation op reads no
 * tensor, so a large one (randn of 8,192 elements here) must not join the "ops on ≤ 4096 elements" and
 * their time (a user saw it counted there, its cold 8 ms in the rule's figures).
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';

describe('tiny-ops: what counts as tiny', () => {
  afterEach(() => { cp.disableProfiling(); cp.clearProfile({ segments: true }); });

  it('leaves out a creation op with a large output; counts the small ops', async () => {
    await cp.setBackend('wasm');
    cp.clearProfile({ segments: true });
    cp.enableProfiling({ callSites: 'all' });
    const x = cp.keep(cp.ones([16]));
    for (let i = 0; i < 2000; i++) cp.tidy(() => { x.add(i); });
    // Over 4096 elements, yet small beside the adds, so the rule's 10 % threshold holds even when it runs cold.
    cp.tidy(() => { cp.randn([128, 64]); });
    const report = cp.profileReport({ format: 'json' });
    const randn = report.operations.find((o) => o.op === 'randn')!;
    const rec = report.recommendations.find((r) => r.rule === 'tiny-ops');
    assert.ok(rec, `tiny-ops fired: ${report.recommendations.map((r) => r.rule).join(', ')}`);
    // The 2000 adds and the ones that made x: not the randn.
    // The whole profile's count, shown at the adds' line: it says how the count splits (audit 27 F12).
    assert.match(rec.description, /^2001 ops on ≤ 4096 elements each, from 2 lines \(2000 of them from this one\), took/);
    assert.equal(rec.evidence['opsOnThisLine'], 2000);
    const took = Number(/took ([\d.]+) ms/.exec(rec.description)![1]);
    const adds = report.operations.filter((o) => o.op === 'add' || o.op === 'full').reduce((t, o) => t + o.totalMs, 0);
    // Stalled calls (a busy machine) are left out of the time stated, as of the estimate (audit 32).
    const stalled = /stalled calls left out/.test(rec.description);
    const expected = stalled ? Number(rec.evidence['steadyTimeMs']) : adds;
    assert.ok(!stalled || expected < adds, `steady ${expected} ms below the recorded ${adds} ms`);
    assert.ok(Math.abs(took - expected) <= 0.01 + 1e-9, `took ${took} ms; the adds and ones ${adds} ms (steady: ${expected} ms), randn ${randn.totalMs} ms`);
    x.dispose();
  });
});
