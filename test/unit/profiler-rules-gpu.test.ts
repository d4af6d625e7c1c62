/**
 * Rules that rest on the measured fixed dispatch cost (batch-loop, tiny-ops) make no claim for
 * GPU sites: measure.ts has no CPU-clock figure for asynchronous GPU work, so it returns null
 * and those sites are skipped, while the same profile on a CPU backend still gets them.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import { aggregate, type Aggregate } from '../../runtime/src/profiler/aggregate.js';
import { runRules } from '../../runtime/src/profiler/rules/index.js';
import { dispatchCostMs } from '../../runtime/src/profiler/rules/measure.js';
import { snapshot } from '../../runtime/src/profiler/session.js';

/** `agg` as if every op had run on `backend`. */
function onBackend(agg: Aggregate, backend: string): Aggregate {
  return { ...agg, ops: agg.ops.map((o) => ({ ...o, backends: [backend] })), sites: agg.sites.map((s) => ({ ...s, backends: [backend] })) };
}

describe('dispatch-cost rules and GPU backends', () => {
  beforeEach(async () => {
    await cp.setBackend('js');
    cp.clearProfile();
  });
  afterEach(() => cp.disableProfiling());

  it('measure.ts gives a figure for CPU backends and none for webgpu', () => {
    assert.equal(dispatchCostMs('webgpu'), null);
    const js = dispatchCostMs('js');
    assert.ok(typeof js === 'number' && js > 0, `js dispatch cost ${js}`);
  });

  it('batch-loop and tiny-ops skip GPU sites and still fire for the same CPU profile', () => {
    cp.enableProfiling({ callSites: 'all' });
    const x = cp.tensor([1, 2, 3]);
    for (let i = 0; i < 300; i++) x.add(i).dispose();
    cp.disableProfiling();
    const data = snapshot();
    const agg = aggregate(data);
    // A CPU dispatch cost above every mean: the rules cap it at each site's mean (all fixed cost).
    const cost = (b: string): number | null => (b === 'webgpu' ? null : 1e9);
    // The real source: batch-loop needs it to see that the scalar is the loop counter.
    const rules = (a: Aggregate) => new Set(runRules(data, a, { dispatchCostMs: cost }).map((r) => r.rule));
    const cpu = rules(onBackend(agg, 'js'));
    assert.ok(cpu.has('batch-loop'), `CPU rules: ${[...cpu]}`);
    assert.ok(cpu.has('tiny-ops'), `CPU rules: ${[...cpu]}`);
    const gpu = rules(onBackend(agg, 'webgpu'));
    assert.ok(!gpu.has('batch-loop'), `GPU rules: ${[...gpu]}`);
    assert.ok(!gpu.has('tiny-ops'), `GPU rules: ${[...gpu]}`);
  });
});
